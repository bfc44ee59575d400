"""The values of the public contract (DESIGN.md, "Qualification" and "Lead lifecycle")."""

from django.db import models


class LeadStatus(models.TextChoices):
    NEW = "new"
    CONTACTED = "contacted"
    QUALIFYING = "qualifying"
    QUALIFIED = "qualified"
    OFFERED = "offered"
    CLAIMED = "claimed"
    CLOSED_WON = "closed_won"
    CLOSED_LOST = "closed_lost"
    NURTURING = "nurturing"
    UNRESPONSIVE = "unresponsive"
    DISQUALIFIED = "disqualified"
    OPTED_OUT = "opted_out"
    DO_NOT_CONTACT = "do_not_contact"


# A lead in one of these is finished: a new inquiry from the same phone starts a new lead.
CLOSED_STATUSES = (LeadStatus.CLOSED_WON, LeadStatus.CLOSED_LOST, LeadStatus.DISQUALIFIED)


class Source(models.TextChoices):
    WEB = "web"
    PAID = "paid"
    REFERRAL = "referral"
    ORGANIC = "organic"
    CRM = "crm"
    IMPORT = "import"
    OTHER = "other"


class LoanPurpose(models.TextChoices):
    PURCHASE = "purchase"
    REFINANCE = "refinance"
    CASH_OUT_REFINANCE = "cash_out_refinance"
    HELOC = "heloc"
    OTHER = "other"


class LoanType(models.TextChoices):
    CONVENTIONAL = "conventional"
    FHA = "fha"
    VA = "va"
    USDA = "usda"
    JUMBO = "jumbo"
    UNSURE = "unsure"


class Timeline(models.TextChoices):
    DAYS_0_30 = "0_30_days"
    MONTHS_1_3 = "1_3_months"
    MONTHS_3_6 = "3_6_months"
    MONTHS_6_PLUS = "6_plus_months"
    UNSURE = "unsure"


class Credit(models.TextChoices):
    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"
    UNSURE = "unsure"


class Temperature(models.TextChoices):
    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


class Language(models.TextChoices):
    ENGLISH = "en"
    SPANISH = "es"


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
STATE_CHOICES = sorted(US_STATES.items())
