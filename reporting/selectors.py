"""The report's figures, for the leads created in a date range (a cohort), from LeadFact.

Every figure counts the same borrowers: the leads that came in during the range and match the
filters, with everything that has happened to them since."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncHour, TruncWeek
from django.utils import timezone

from conversations.models import Direction, Kind, Message, MessageStatus
from leads.choices import CLOSED_STATUSES, LeadStatus
from leads.models import Lead
from nurture.models import CadenceStep
from reporting.facts import KIND_COLUMNS, facts_refresh_stale
from reporting.models import LeadFact, NurtureSendFact
from reporting.stats import median, percentile, rate
from routing.models import LoanOfficer, Offer, OfferStatus, RequestStatus, RoutingRequest

HOUR, DAY = 3600, 86400
WEEKLY_AFTER_DAYS = 92
# Office hours for the night-and-weekend share: Monday to Friday, 8:00 to 18:00.
OFFICE_DAYS, OFFICE_HOURS = range(1, 6), range(8, 18)
NOT_OPEN_STATUSES = (*CLOSED_STATUSES, LeadStatus.OPTED_OUT, LeadStatus.DO_NOT_CONTACT)


def report_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Filters:
    since: date
    until: date
    source: str = ""
    campaign: str = ""
    state: str = ""
    officer_id: int | None = None
    language: str = ""

    def bounds(self) -> tuple[datetime, datetime]:
        """The range as instants: from `since` 00:00 to the end of `until`, report time zone."""
        zone = report_zone()
        start = datetime.combine(self.since, time.min, tzinfo=zone)
        return start, datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=zone)

    @property
    def by_week(self) -> bool:
        """Past three months, trends are shown per week (Monday first): a row a day is noise."""
        return (self.until - self.since).days >= WEEKLY_AFTER_DAYS

    def bucket(self, day: date) -> date:
        """The day itself, or the Monday of its week."""
        return day - timedelta(days=day.weekday()) if self.by_week else day

    def days(self) -> list[date]:
        """The trend's buckets, in order: every day, or the Monday of every week."""
        every_day = [self.since + timedelta(days=n) for n in range((self.until - self.since).days + 1)]
        return sorted({self.bucket(day) for day in every_day})


def default_range(today: date | None = None) -> tuple[date, date]:
    """The last 30 days, today included."""
    today = today or timezone.localdate(timezone=report_zone())
    return today - timedelta(days=29), today


def cohort(filters: Filters) -> QuerySet[LeadFact]:
    """The facts of the leads created in the range that match the filters, made fresh first."""
    start, end = filters.bounds()
    facts_refresh_stale(Lead.objects.filter(created_at__gte=start, created_at__lt=end))
    return in_cohort(LeadFact.objects.all(), filters)


def in_cohort(rows: QuerySet, filters: Filters) -> QuerySet:
    """Rows of a fact table (they carry the lead's dimensions) for the range and the filters."""
    start, end = filters.bounds()
    conditions = {
        "source": filters.source,
        "source_detail": filters.campaign,
        "state": filters.state,
        "officer_id": filters.officer_id,
        "language": filters.language,
    }
    chosen = {column: value for column, value in conditions.items() if value}
    return rows.filter(created_at__gte=start, created_at__lt=end, **chosen)


# --- Funnel --------------------------------------------------------------------------------------

FUNNEL_COUNTS = {
    "leads": Count("pk"),
    "texted": Count("pk", filter=Q(first_text_at__isnull=False)),
    "replied": Count("pk", filter=Q(reply_seconds__isnull=False)),
    "replied_1h": Count("pk", filter=Q(reply_seconds__lte=HOUR)),
    "replied_24h": Count("pk", filter=Q(reply_seconds__lte=DAY)),
    "replied_7d": Count("pk", filter=Q(reply_seconds__lte=7 * DAY)),
    "qualified": Count("pk", filter=Q(stage__gte=1)),
    "offered": Count("pk", filter=Q(stage__gte=2)),
    "claimed": Count("pk", filter=Q(stage__gte=3)),
    "won": Count("pk", filter=Q(stage__gte=4)),
    "lost": Count("pk", filter=Q(lost=True)),
    "opted_out": Count("pk", filter=Q(opted_out=True)),
}
FUNNEL_STAGES = [
    ("leads", "Inquiries"),
    ("texted", "Texted"),
    ("replied_1h", "Replied within 1 h"),
    ("replied_24h", "Replied within 24 h"),
    ("replied_7d", "Replied within 7 days"),
    ("qualified", "Qualified"),
    ("offered", "Offered to an officer"),
    ("claimed", "Claimed"),
    ("won", "Won"),
]


def funnel(facts: QuerySet[LeadFact]) -> dict:
    return facts.aggregate(**FUNNEL_COUNTS)


def funnel_by(facts: QuerySet[LeadFact], column: str) -> list[dict]:
    """The funnel for each value of a column (source, campaign), largest first."""
    return funnel_by_each(facts, column)[column]


def funnel_by_each(facts: QuerySet[LeadFact], *columns: str) -> dict[str, list[dict]]:
    """The funnel per value of each column, from one pass: the counts are grouped by all the
    columns at once (few combinations: a campaign belongs to a source) and added up here."""
    sums = {column: defaultdict(lambda: dict.fromkeys(FUNNEL_COUNTS, 0)) for column in columns}
    for row in facts.values(*columns).annotate(**FUNNEL_COUNTS).order_by():
        for column in columns:
            counts = sums[column][row[column]]
            for key in FUNNEL_COUNTS:
                counts[key] += row[key]
    return {
        column: sorted(
            ({"name": name, **counts} for name, counts in by_value.items()),
            key=lambda row: (-row["leads"], row["name"]),
        )
        for column, by_value in sums.items()
    }


# --- Volume --------------------------------------------------------------------------------------


def volume(facts: QuerySet[LeadFact], filters: Filters) -> tuple[list[tuple[date, int]], list[list[int]]]:
    """Inquiries by day, and grid[weekday][hour] (Monday is 0), in the report's time zone."""
    zone = report_zone()
    by_day, grid = defaultdict(int), [[0] * 24 for _ in range(7)]
    hours = facts.annotate(hour=TruncHour("created_at", tzinfo=zone)).values("hour").annotate(n=Count("pk"))
    for row in hours.values_list("hour", "n"):
        local = row[0].astimezone(zone)
        by_day[filters.bucket(local.date())] += row[1]
        grid[local.weekday()][local.hour] += row[1]
    return [(day, by_day.get(day, 0)) for day in filters.days()], grid


def off_hours_share(grid: list[list[int]]) -> float | None:
    total = sum(map(sum, grid))
    office = sum(grid[day - 1][hour] for day in OFFICE_DAYS for hour in OFFICE_HOURS)
    return rate(total - office, total)


# --- Speed to lead -------------------------------------------------------------------------------


@dataclass
class Speed:
    count: int = 0
    p50: float | None = None
    p95: float | None = None
    max: float | None = None
    by_day: list[tuple[date, float | None, int]] = field(default_factory=list)


def _as_date(value) -> date:
    """TruncWeek gives a local midnight, TruncDate a date."""
    return value.date() if isinstance(value, datetime) else value


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont: the same interpolation as stats.percentile."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def speed_to_lead(facts: QuerySet[LeadFact], filters: Filters) -> Speed:
    texted = facts.filter(speed_seconds__isnull=False)
    if connection.vendor == "postgresql":
        return _speed_in_sql(texted, filters)
    zone = report_zone()
    rows = list(texted.values_list("created_at", "speed_seconds"))
    seconds = [s for _, s in rows]
    per_day = defaultdict(list)
    for created_at, value in rows:
        per_day[filters.bucket(created_at.astimezone(zone).date())].append(value)
    return Speed(
        count=len(seconds),
        p50=percentile(seconds, 0.5),
        p95=percentile(seconds, 0.95),
        max=max(seconds, default=None),
        by_day=[(day, median(per_day[day]), len(per_day[day])) for day in filters.days()],
    )


def _speed_in_sql(texted: QuerySet[LeadFact], filters: Filters) -> Speed:
    """The same figures, computed by PostgreSQL in one pass: no row leaves the database, and
    GROUPING SETS gives the whole range (the row whose bucket is NULL) with the buckets."""
    trunc = (TruncWeek if filters.by_week else TruncDate)("created_at", tzinfo=report_zone())
    inner, params = texted.annotate(bucket=trunc).values("bucket", "speed_seconds").query.sql_with_params()
    sql = f"""
        SELECT GROUPING(bucket) = 1, bucket, COUNT(*),
               PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY speed_seconds),
               PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY speed_seconds),
               MAX(speed_seconds)
        FROM ({inner}) AS texted GROUP BY GROUPING SETS ((bucket), ())"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    speed, per_day = Speed(), {}
    for whole, bucket, count, p50, p95, longest in rows:
        if whole:
            speed = Speed(count=count, p50=p50, p95=p95, max=longest)
        else:
            per_day[_as_date(bucket)] = (p50, count)
    speed.by_day = [(day, *per_day.get(day, (None, 0))) for day in filters.days()]
    return speed


# --- Officers ------------------------------------------------------------------------------------


def lead_in_cohort(filters: Filters, prefix: str = "lead__") -> Q:
    """The cohort as conditions on the lead itself, for rows that belong to a lead (offers,
    texts): the planner joins a few such rows to their leads by primary key, where a join to
    the whole cohort could make it walk every lead's texts."""
    start, end = filters.bounds()
    condition = Q(**{f"{prefix}created_at__gte": start, f"{prefix}created_at__lt": end})
    columns = {
        "source": filters.source,
        "source_detail": filters.campaign,
        "assigned_officer_id": filters.officer_id,
        "language": filters.language,
    }
    condition &= Q(**{f"{prefix}{column}": value for column, value in columns.items() if value})
    if filters.state:
        no_property_state = Q(**{f"{prefix}property_state__isnull": True}) | Q(
            **{f"{prefix}property_state": ""}
        )
        condition &= Q(**{f"{prefix}property_state": filters.state}) | (
            no_property_state & Q(**{f"{prefix}state": filters.state})
        )
    return condition


def officers(facts: QuerySet[LeadFact], filters: Filters) -> list[dict]:
    """Per officer: the offers they got for these leads and what became of the leads they have."""
    offers = Offer.objects.filter(lead_in_cohort(filters))
    claimed = Q(status=OfferStatus.CLAIMED)
    rows = defaultdict(lambda: defaultdict(int))
    claim_times, first_texts = {}, {}
    # On PostgreSQL each median is taken in the same pass as the counts: one scan of the
    # offers and one of the facts, not two of each.
    in_sql = connection.vendor == "postgresql"
    claim_median = {"m": PercentileCont(_seconds_from("created_at", "decided_at"), 0.5, filter=claimed)}
    for row in offers.values("officer_id").annotate(
        n=Count("pk"),
        c=Count("pk", filter=claimed),
        e=Count("pk", filter=Q(status=OfferStatus.EXPIRED)),
        **(claim_median if in_sql else {}),
    ):
        rows[row["officer_id"]].update(offers=row["n"], claims=row["c"], expired=row["e"])
        claim_times[row["officer_id"]] = row.get("m")
    assigned = facts.filter(officer_id__isnull=False)
    for row in assigned.values("officer_id").annotate(
        n=Count("pk"),
        o=Count("pk", filter=~Q(status__in=NOT_OPEN_STATUSES)),
        w=Count("pk", filter=Q(status=LeadStatus.CLOSED_WON)),
        lo=Count("pk", filter=Q(status=LeadStatus.CLOSED_LOST)),
        **({"m": PercentileCont("officer_reply_seconds", 0.5)} if in_sql else {}),  # NULLs left out
    ):
        rows[row["officer_id"]].update(leads=row["n"], open=row["o"], won=row["w"], lost=row["lo"])
        first_texts[row["officer_id"]] = row.get("m")
    if not in_sql:
        claim_times = medians_by(offers.filter(claimed), "officer_id", "created_at", "decided_at")
        first_texts = medians_by(
            assigned.filter(officer_reply_seconds__isnull=False), "officer_id", "officer_reply_seconds"
        )
    names = dict(LoanOfficer.objects.filter(pk__in=rows).values_list("pk", "name"))
    return sorted(
        (
            {"officer_id": pk, "name": names.get(pk, "(deleted)"), **_officer_defaults(), **values,
             "median_claim_seconds": claim_times.get(pk), "median_first_text_seconds": first_texts.get(pk)}
            for pk, values in rows.items()
        ),
        key=lambda row: (-row["offers"], -row["leads"], row["name"]),
    )  # fmt: skip


def _seconds_from(start: str, end: str) -> Func:
    return Func(F(end) - F(start), template="EXTRACT(EPOCH FROM %(expressions)s)", output_field=FloatField())


def _officer_defaults() -> dict:
    return dict.fromkeys(("offers", "claims", "expired", "leads", "open", "won", "lost"), 0)


def medians_by(rows: QuerySet, group: str, column: str, end_column: str = "") -> dict:
    """The median of `column` (or of the seconds from `column` to `end_column`) per `group`,
    in Python: for SQLite, which has no percentile_cont."""
    values = defaultdict(list)
    for key, *fields in rows.values_list(group, column, *([end_column] if end_column else [])):
        values[key].append((fields[1] - fields[0]).total_seconds() if end_column else fields[0])
    return {key: median(found) for key, found in values.items()}


# --- Nurture -------------------------------------------------------------------------------------


def nurture_steps(filters: Filters) -> list[dict]:
    """Per cadence step, the texts sent to the cohort (its facts made fresh by `cohort`)."""
    rows = (
        in_cohort(NurtureSendFact.objects.all(), filters)
        .values("step_id")
        .annotate(
            sent=Count("pk"),
            replied=Count("pk", filter=Q(replied_48h=True)),
            opted_out=Count("pk", filter=Q(opted_out_48h=True)),
            revived=Count("pk", filter=Q(revived=True)),
        )
    )
    steps = CadenceStep.objects.select_related("cadence").in_bulk([row["step_id"] for row in rows])
    result = []
    for row in rows:
        step = steps.get(row["step_id"])
        result.append(
            {
                **row,
                "cadence": step.cadence.name if step else "(deleted step)",
                "position": step.position if step else None,
                "reply_rate": rate(row["replied"], row["sent"]),
                "opt_out_rate": rate(row["opted_out"], row["sent"]),
            }
        )
    return sorted(result, key=lambda r: (r["cadence"], r["position"] or 0))


# --- Health --------------------------------------------------------------------------------------

KIND_LABELS = {
    Kind.FIRST_CONTACT: "First text",
    Kind.REPLY: "Replies (assistant and officers)",
    Kind.NURTURE: "Nurture",
    Kind.INTRODUCTION: "Officer introduction",
    Kind.COMPLIANCE: "Opt-out / help answers",
}
# Twilio's delivery error codes ops meet most, in words.
ERROR_CODES = {
    "21211": "Invalid phone number",
    "21610": "Recipient replied STOP",
    "21614": "Not a mobile number",
    "30003": "Unreachable handset",
    "30004": "Message blocked",
    "30005": "Unknown destination handset",
    "30006": "Landline or unreachable carrier",
    "30007": "Carrier filtering (spam)",
    "30008": "Unknown error",
    "30034": "Unregistered 10DLC number",
}


HEALTH_SUMS = {
    "fallbacks": Sum("fallbacks"),
    "handoffs": Sum("handoffs"),
    "segments": Sum("segments"),
    **{column: Sum(column) for column in KIND_COLUMNS.values()},
    **{f"opt_outs_{kind}": Count("pk", filter=Q(opt_out_after_kind=kind)) for kind in KIND_COLUMNS},
}


def totals(facts: QuerySet[LeadFact]) -> dict:
    """The funnel's counts and the health sums, in one pass over the facts."""
    return facts.aggregate(**FUNNEL_COUNTS, **HEALTH_SUMS)


def health(facts: QuerySet[LeadFact], filters: Filters, sums: dict | None = None) -> dict:
    totals = sums or facts.aggregate(**HEALTH_SUMS)
    by_kind = []
    for kind, column in KIND_COLUMNS.items():
        texts, opt_outs = totals[column] or 0, totals[f"opt_outs_{kind}"]
        by_kind.append(
            {
                "kind": kind,
                "label": KIND_LABELS[kind],
                "texts": texts,
                "opt_outs": opt_outs,
                "rate": rate(opt_outs, texts),
            }
        )
    texts = sum(row["texts"] for row in by_kind)
    return {
        "texts": texts,
        "segments": totals["segments"] or 0,
        "fallbacks": totals["fallbacks"] or 0,
        "handoffs": totals["handoffs"] or 0,
        "opt_outs_by_kind": by_kind,
        "failures": delivery_failures(filters),
        "ops_queue": ops_queue(),
    }


def delivery_failures(filters: Filters) -> list[dict]:
    rows = (
        Message.objects.filter(
            lead_in_cohort(filters),
            direction=Direction.OUTBOUND,
            status__in=(MessageStatus.FAILED, MessageStatus.UNDELIVERED),
        )
        .values("error_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "error_code")
    )
    return [
        {
            "code": row["error_code"] or "(none)",
            "meaning": ERROR_CODES.get(row["error_code"], ""),
            "count": row["n"],
        }
        for row in rows
    ]


def ops_queue(now: datetime | None = None) -> dict:
    """The leads waiting for ops right now (whenever they came in)."""
    waiting = RoutingRequest.objects.filter(status=RequestStatus.WAITING)
    oldest = waiting.order_by("created_at").values_list("created_at", flat=True).first()
    now = now or timezone.now()
    return {"waiting": waiting.count(), "oldest_seconds": (now - oldest).total_seconds() if oldest else None}
