import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from conversations.models import Direction, Kind, Message, MessageStatus, Sender
from integrations.models import ApiClient, CrmIntegration, WebhookSubscription
from leads.models import Lead
from routing.models import LoanOfficer


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone = factory.Sequence(lambda n: f"+1512555{n % 10000:04d}")
    email = factory.LazyAttribute(lambda o: f"{o.first_name.lower()}@example.com")
    state = "TX"
    source = "web"
    sms_consent = True
    consent_text = "I agree to receive texts from Acme Home Loans about my inquiry."
    consent_at = factory.LazyFunction(timezone.now)
    consent_source = "web inquiry via api:factory"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery")


class LoanOfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LoanOfficer

    user = factory.SubFactory(UserFactory)
    name = factory.Faker("name")
    nmls_id = factory.Sequence(lambda n: f"{100000 + n}")
    mobile_phone = factory.Sequence(lambda n: f"+1737555{n % 10000:04d}")
    email = factory.LazyAttribute(lambda o: f"{o.user.username}@lender.example.com")
    licensed_states = ["TX", "OK"]


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    lead = factory.SubFactory(LeadFactory)
    direction = Direction.OUTBOUND
    sender = Sender.AGENT
    kind = Kind.REPLY
    to_number = factory.LazyAttribute(lambda o: o.lead.phone)
    body = "Hello"
    status = MessageStatus.SENT


class ApiClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiClient

    name = factory.Sequence(lambda n: f"CRM {n}")
    token_prefix = "msms_test"
    token_hash = factory.Sequence(lambda n: f"{n:064d}")


class WebhookSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookSubscription

    url = "http://127.0.0.1:9/hooks"
    secret = factory.LazyFunction(WebhookSubscription.new_secret)


class CrmIntegrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrmIntegration

    name = factory.Sequence(lambda n: f"CRM integration {n}")
    kind = "hubspot"


class PoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "routing.Pool"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.officers.add(*extracted)


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "routing.RoutingRule"

    name = factory.Sequence(lambda n: f"Rule {n}")
    priority = factory.Sequence(lambda n: 10 + n)
    strategy = "round_robin"


class QualifiedLeadFactory(LeadFactory):
    """A borrower the assistant has qualified: a Texas FHA purchase, hot."""

    status = "qualifying"
    loan_purpose = "purchase"
    loan_type = "fha"
    timeline = "0_30_days"
    preapproved = True
    property_state = "TX"
    temperature = "hot"


# --- nurture ---------------------------------------------------------------------------------


class CadenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "nurture.Cadence"

    name = factory.Sequence(lambda n: f"Cadence {n}")
    slug = factory.Sequence(lambda n: f"cadence_{n}")
    trigger = "manual"


class CadenceStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "nurture.CadenceStep"

    cadence = factory.SubFactory(CadenceFactory)
    position = factory.Sequence(lambda n: n + 1)
    delay_amount = 1
    delay_unit = "days"
    body = "Hi {first_name}, {company} checking in. Reply anytime."


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "nurture.Enrollment"

    lead = factory.SubFactory(LeadFactory)
    step = factory.SubFactory(CadenceStepFactory)
    cadence = factory.LazyAttribute(lambda o: o.step.cadence)
    enrolled_at = factory.LazyFunction(timezone.now)
    step_scheduled_at = factory.LazyAttribute(lambda o: o.enrolled_at)
    next_run_at = factory.LazyAttribute(lambda o: o.enrolled_at)


class TextingLeadFactory(LeadFactory):
    """A borrower who has just texted us: a reply to them goes at any hour."""

    last_inbound_at = factory.LazyFunction(timezone.now)
