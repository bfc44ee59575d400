from django.contrib.auth import get_user_model
from django.db import transaction

from leads.choices import US_STATES, LoanType
from leads.phones import normalize_phone
from mortgage_sms.errors import ApplicationError
from routing.models import LoanOfficer, all_products


def _parse_list(raw: str, allowed, field: str, *, upper: bool) -> list[str]:
    values = [v.strip().upper() if upper else v.strip().lower() for v in raw.split(",") if v.strip()]
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ApplicationError(f"Unknown {field}: {', '.join(bad)}.", field=field)
    return values


@transaction.atomic
def officer_create(
    *,
    username: str,
    password: str,
    name: str,
    nmls_id: str,
    states: str,
    products: str = "",
    mobile_phone: str = "",
    email: str = "",
) -> LoanOfficer:
    """A loan officer with a login for the claim-your-lead pages."""
    licensed = _parse_list(states, US_STATES, "states", upper=True)
    if not licensed:
        raise ApplicationError("An officer needs at least one licensed state.", field="states")
    offered = _parse_list(products, LoanType.values, "products", upper=False) or all_products()
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ApplicationError(f"The username {username!r} is taken.", field="username")
    user = User.objects.create_user(username=username, password=password, email=email)
    return LoanOfficer.objects.create(
        user=user,
        name=name,
        nmls_id=nmls_id,
        licensed_states=licensed,
        products=offered,
        mobile_phone=normalize_phone(mobile_phone, field="mobile_phone") if mobile_phone else "",
        email=email,
    )
