"""The report as tables (each shown on the page and exported as CSV) and charts."""

from dataclasses import dataclass
from datetime import date

from leads.choices import Source
from reporting import charts, selectors
from reporting.stats import rate


def duration(seconds: float | None) -> str:
    """0.8 s, 42 s, 3.5 min, 2.0 h, 3.1 days."""
    if seconds is None:
        return "—"
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.1f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def source_name(value: str) -> str:
    """ "Web", "CRM" on the page; the CSV keeps the API's value ("web", "crm")."""
    return dict(Source.choices).get(value, value)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    format: object = str


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict]

    def display_rows(self) -> list[list[str]]:
        return [[column.format(row.get(column.key)) for column in self.columns] for row in self.rows]

    def csv_rows(self) -> list[list]:
        """Raw values (seconds, fractions) so a spreadsheet can compute with them."""
        header = [column.label for column in self.columns]
        return [header, *([_raw(row.get(column.key)) for column in self.columns] for row in self.rows)]


def _raw(value):
    return "" if value is None else value


FUNNEL_COLUMNS = [
    Column("leads", "Inquiries"),
    Column("texted", "Texted"),
    Column("replied_1h", "Replied ≤1 h"),
    Column("replied_24h", "Replied ≤24 h"),
    Column("replied_7d", "Replied ≤7 d"),
    Column("reply_rate", "Reply rate (7 d)", percent),
    Column("qualified", "Qualified"),
    Column("qualified_rate", "Qualified rate", percent),
    Column("offered", "Offered"),
    Column("claimed", "Claimed"),
    Column("won", "Won"),
    Column("won_rate", "Won rate", percent),
]


def _with_rates(row: dict) -> dict:
    return {
        **row,
        "reply_rate": rate(row["replied_7d"], row["texted"]),
        "qualified_rate": rate(row["qualified"], row["leads"]),
        "won_rate": rate(row["won"], row["leads"]),
    }


def funnel_tables(facts) -> list[Table]:
    funnels = selectors.funnel_by_each(facts, "source", "source_detail")
    by_source = [_with_rates(r) for r in funnels["source"]]
    by_campaign = [_with_rates(r) for r in funnels["source_detail"]]
    for row in by_campaign:
        row["name"] = row["name"] or "(none)"
    name = [Column("name", "Source", source_name)]
    return [
        Table("funnel_by_source", "Funnel by source", name + FUNNEL_COLUMNS, by_source),
        Table(
            "funnel_by_campaign",
            "Funnel by campaign (source detail)",
            [Column("name", "Campaign"), *FUNNEL_COLUMNS],
            by_campaign,
        ),
    ]


def build_report(filters: selectors.Filters) -> dict:
    facts = selectors.cohort(filters)
    funnel = selectors.totals(facts)
    volume, grid = selectors.volume(facts, filters)
    speed = selectors.speed_to_lead(facts, filters)
    health = selectors.health(facts, filters, funnel)
    stages = [(label, funnel[key]) for key, label in selectors.FUNNEL_STAGES]
    period, period_label = ("week", "Week of") if filters.by_week else ("day", "Day")
    tables = [
        Table(
            "funnel",
            "Funnel",
            [Column("stage", "Stage"), Column("count", "Leads"), Column("share", "Of inquiries", percent)],
            [{"stage": label, "count": n, "share": rate(n, funnel["leads"])} for label, n in stages],
        ),
        *funnel_tables(facts),
        Table(
            "volume_by_day",
            f"Inquiries by {period}",
            [Column("day", period_label, _day), Column("leads", "Inquiries")],
            [{"day": day, "leads": n} for day, n in volume],
        ),
        _hour_of_week_table(grid),
        Table(
            "speed_by_day",
            f"Speed to lead by {period}",
            [Column("day", period_label, _day), Column("texted", "Leads"), Column("p50", "Median", duration)],
            [{"day": day, "p50": p50, "texted": n} for day, p50, n in speed.by_day],
        ),
        _officers_table(selectors.officers(facts, filters)),
        _nurture_table(selectors.nurture_steps(filters)),
        Table(
            "opt_outs_by_kind",
            "Opt-outs by the kind of text before them",
            [
                Column("label", "Kind of text"),
                Column("texts", "Texts"),
                Column("opt_outs", "Opt-outs"),
                Column("rate", "Rate", percent),
            ],
            health["opt_outs_by_kind"],
        ),
        Table(
            "delivery_failures",
            "Delivery failures by carrier error code",
            [Column("code", "Code"), Column("meaning", "Meaning"), Column("count", "Texts")],
            health["failures"],
        ),
    ]
    return {
        "facts_count": funnel["leads"],
        "funnel": funnel,
        "speed": speed,
        "health": health,
        "off_hours_share": selectors.off_hours_share(grid),
        "tables": {table.name: table for table in tables},
        "charts": {
            "funnel": charts.funnel_chart(stages, title="Funnel: inquiries to won"),
            "volume": charts.bar_chart([(_day(d), n) for d, n in volume], title=f"Inquiries by {period}"),
            "heat_map": charts.heat_map(grid, title="Inquiries by hour of the week"),
            "speed": charts.line_chart(
                [(_day(d), p50) for d, p50, _ in speed.by_day],
                title=f"Median speed to lead by {period} (seconds)",
                unit=" s",
            ),
        },
    }


def _day(day: date) -> str:
    return f"{day:%b} {day.day}"


def _hour_of_week_table(grid: list[list[int]]) -> Table:
    columns = [Column("day", "Day")] + [Column(str(hour), f"{hour:02d}") for hour in range(24)]
    rows = [{"day": charts.WEEKDAYS[d], **{str(h): grid[d][h] for h in range(24)}} for d in range(7)]
    return Table("hour_of_week", "Inquiries by hour of the week", columns, rows)


def _officers_table(rows: list[dict]) -> Table:
    columns = [
        Column("name", "Officer"),
        Column("offers", "Offers"),
        Column("claims", "Claims"),
        Column("median_claim_seconds", "Median time to claim", duration),
        Column("expired", "Expired offers"),
        Column("median_first_text_seconds", "Median time to first text", duration),
        Column("open", "Open leads"),
        Column("won", "Won"),
        Column("lost", "Lost"),
    ]
    return Table("officers", "Officers", columns, rows)


def _nurture_table(rows: list[dict]) -> Table:
    columns = [
        Column("cadence", "Cadence"),
        Column("position", "Step"),
        Column("sent", "Sent"),
        Column("replied", "Replies ≤48 h"),
        Column("reply_rate", "Reply rate", percent),
        Column("opted_out", "Opt-outs ≤48 h"),
        Column("opt_out_rate", "Opt-out rate", percent),
        Column("revived", "Leads revived"),
    ]
    return Table("nurture_steps", "Nurture, per cadence step", columns, rows)
