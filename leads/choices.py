"""The values of the public contract (README, "Qualification over SMS"; docs/architecture.md, "The life of a lead").

The values never change; the labels are what people read in the admin."""

from django.db import models


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    QUALIFYING = "qualifying", "Qualifying"
    QUALIFIED = "qualified", "Qualified"
    OFFERED = "offered", "Offered to an officer"
    CLAIMED = "claimed", "Claimed"
    CLOSED_WON = "closed_won", "Won"
    CLOSED_LOST = "closed_lost", "Lost"
    NURTURING = "nurturing", "Nurturing"
    UNRESPONSIVE = "unresponsive", "Unresponsive"
    DISQUALIFIED = "disqualified", "Disqualified"
    OPTED_OUT = "opted_out", "Opted out"
    DO_NOT_CONTACT = "do_not_contact", "Do not contact"


# A lead in one of these is finished: a new inquiry from the same phone starts a new lead.
CLOSED_STATUSES = (LeadStatus.CLOSED_WON, LeadStatus.CLOSED_LOST, LeadStatus.DISQUALIFIED)


class Source(models.TextChoices):
    WEB = "web"
    PAID = "paid"
    REFERRAL = "referral"
    ORGANIC = "organic"
    CRM = "crm", "CRM"
    IMPORT = "import"
    OTHER = "other"


class ConsentScope(models.TextChoices):
    """What the borrower's SMS consent covers. A form's disclosure is prior express written
    consent (marketing texts, nurture cadences); texting our number first consents only to a
    conversation about what they asked (TCPA; CTIA messaging principles)."""

    WRITTEN = "written", "Prior express written consent (a form's disclosure)"
    CONVERSATION = "conversation", "Conversation only: the borrower texted us first"


class LoanPurpose(models.TextChoices):
    PURCHASE = "purchase"
    REFINANCE = "refinance"
    CASH_OUT_REFINANCE = "cash_out_refinance", "Cash-out refinance"
    HELOC = "heloc", "HELOC"
    OTHER = "other"


class LoanType(models.TextChoices):
    CONVENTIONAL = "conventional"
    FHA = "fha", "FHA"
    VA = "va", "VA"
    USDA = "usda", "USDA"
    JUMBO = "jumbo"
    UNSURE = "unsure", "Not sure"


class Timeline(models.TextChoices):
    DAYS_0_30 = "0_30_days", "Within 30 days"
    MONTHS_1_3 = "1_3_months", "1-3 months"
    MONTHS_3_6 = "3_6_months", "3-6 months"
    MONTHS_6_PLUS = "6_plus_months", "6+ months"
    UNSURE = "unsure", "Not sure"


class Credit(models.TextChoices):
    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"
    UNSURE = "unsure", "Not sure"


class Temperature(models.TextChoices):
    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


QUALIFICATION_FIELDS = (
    "loan_purpose",
    "loan_type",
    "timeline",
    "preapproved",
    "has_agent",
    "property_found",
    "property_state",
    "credit",
    "first_time_buyer",
)

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming", "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands",
    "AS": "American Samoa", "MP": "Northern Mariana Islands",
}  # fmt: skip
# By name, as people look for them (the stored value stays the two-letter code).
STATE_CHOICES = sorted(US_STATES.items(), key=lambda item: item[1])
