"""Demo data for `make run`: two officers who can log in at /officer/, and a lead offered to them."""

from django.contrib.auth import get_user_model
from django.db import transaction

from leads import services as lead_services
from leads.choices import LeadStatus
from leads.models import Lead
from routing.models import LoanOfficer, Pool, RoutingRule, Strategy
from routing.services import officer_create

PASSWORD = "officer-demo"
OFFICERS = [
    dict(
        username="jane",
        name="Jane Ramirez",
        nmls_id="1234567",
        states="TX,OK,FL",
        mobile_phone="+15125550181",
    ),
    dict(
        username="marcus", name="Marcus Lee", nmls_id="7654321", states="TX,CA", mobile_phone="+15125550182"
    ),
]
DEMO_BORROWER_PHONE = "+15125550199"


def seed(stdout) -> None:
    officers = [_officer(spec, stdout) for spec in OFFICERS]
    _texas_team(officers)
    _offered_lead(stdout)


def _officer(spec: dict, stdout) -> LoanOfficer:
    existing = LoanOfficer.objects.filter(user__username=spec["username"]).first()
    if existing:
        return existing
    if get_user_model().objects.filter(username=spec["username"]).exists():
        return None  # someone made that login by hand: leave it alone
    officer = officer_create(
        password=PASSWORD, email=f"{spec['username']}@lender.example.com", products="", **spec
    )
    # Demo officers take offers at any hour, so the demo works whenever it is run.
    LoanOfficer.objects.filter(pk=officer.pk).update(after_hours=True)
    stdout.write(f"Officer login: {spec['username']} / {PASSWORD}  ({spec['name']}, {spec['states']})")
    return officer


def _texas_team(officers) -> None:
    pool, _ = Pool.objects.get_or_create(name="Texas team", defaults={"description": "Demo pool"})
    pool.officers.add(*[o for o in officers if o])
    RoutingRule.objects.get_or_create(
        name="Texas purchases: first to claim",
        defaults=dict(
            priority=10,
            property_states=["TX"],
            loan_purposes=["purchase"],
            pool=pool,
            strategy=Strategy.BROADCAST,
        ),
    )


@transaction.atomic
def _offered_lead(stdout) -> None:
    """A hot Texas purchase, qualified: the worker offers it to both officers as the demo starts."""
    if Lead.objects.filter(phone=DEMO_BORROWER_PHONE).exists():
        return
    lead = lead_services.lead_intake(
        phone=DEMO_BORROWER_PHONE,
        submitted_by="demo",
        source="paid",
        source_detail="Demo: Zillow-style purchase form",
        contact={"first_name": "Ana", "last_name": "Garcia", "email": "ana@example.com", "state": "TX", "zip_code": "78701"},
        qualification={
            "loan_purpose": "purchase", "loan_type": "fha", "timeline": "0_30_days", "preapproved": True,
            "property_found": True, "property_state": "TX", "credit": "good", "first_time_buyer": True,
        },
        sms_consent=True,
        consent_text="Demo: I agree to receive texts about my inquiry.",
        payload={"price_range": "$300k-$350k", "down_payment": "3.5%"},
    ).lead  # fmt: skip
    lead_services.lead_set_status(lead=lead, status=LeadStatus.QUALIFIED, actor="demo", reason="Demo lead.")
    stdout.write("Demo lead Ana Garcia is qualified: log in at /officer/ to claim her.")
