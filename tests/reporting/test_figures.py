"""Each figure of the report on the hand-built week of tests/reporting/dataset.py."""

from datetime import date, timedelta

import pytest
from django.db import connection

from conversations.services import message_deliver
from leads import services as lead_services
from leads.models import Lead
from reporting import facts, selectors
from reporting.models import FactsWatermark
from reporting.tables import build_report
from tests.factories import MessageFactory
from tests.reporting.dataset import NOW

WEEK = selectors.Filters(since=date(2026, 3, 2), until=date(2026, 3, 8))


def figures(**filters):
    return selectors.funnel(
        selectors.cohort(selectors.Filters(since=WEEK.since, until=WEEK.until, **filters))
    )


def test_the_funnel_counts_each_stage_once_per_lead(week):
    assert figures() == {
        "leads": 5, "texted": 4, "replied": 3, "replied_1h": 1, "replied_24h": 2, "replied_7d": 3,
        "qualified": 3, "offered": 2, "claimed": 2, "won": 1, "lost": 1, "opted_out": 1,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("filters", "leads", "qualified"),
    [
        ({"source": "paid"}, 2, 1),
        ({"campaign": "Spring promo"}, 2, 2),
        ({"state": "OK"}, 1, 1),
        ({"language": "es"}, 1, 1),
        ({"source": "referral"}, 1, 0),
    ],
)
def test_the_filters_narrow_the_leads(week, filters, leads, qualified):
    result = figures(**filters)
    assert (result["leads"], result["qualified"]) == (leads, qualified)


def test_the_officer_filter_takes_the_leads_an_officer_has(week):
    assert figures(officer_id=week["jane"].pk)["won"] == 1
    assert figures(officer_id=week["marcus"].pk)["lost"] == 1


def test_the_funnel_per_source_is_largest_first(week):
    rows = selectors.funnel_by(selectors.cohort(WEEK), "source")
    picked = [
        (r["name"], r["leads"], r["texted"], r["replied"], r["qualified"], r["claimed"], r["won"])
        for r in rows
    ]
    assert picked == [("paid", 2, 2, 1, 1, 0, 0), ("web", 2, 2, 2, 2, 2, 1), ("referral", 1, 0, 0, 0, 0, 0)]


def test_speed_to_lead_is_inquiry_to_the_first_text_handed_to_the_carrier(week):
    speed = selectors.speed_to_lead(selectors.cohort(WEEK), WEEK)
    # 1, 2, 4 and 10 seconds: the median between 2 and 4, p95 85% of the way from 4 to 10.
    assert (speed.count, speed.p50, speed.p95, speed.max) == (4, 3.0, pytest.approx(9.1), 10.0)
    by_day = {day.day: (p50, n) for day, p50, n in speed.by_day}
    assert by_day[2] == (3.0, 2) and by_day[3] == (1.0, 1) and by_day[5] == (None, 0)


def test_volume_is_counted_by_day_and_hour_of_the_week_in_the_report_time_zone(week):
    facts = selectors.cohort(WEEK)
    by_day, grid = selectors.volume(facts, WEEK)
    assert [n for _, n in by_day] == [2, 1, 1, 0, 0, 1, 0]
    assert grid[0][10] == grid[0][23] == grid[1][9] == grid[2][14] == grid[5][12] == 1
    assert sum(map(sum, grid)) == 5
    assert selectors.off_hours_share(grid) == pytest.approx(0.4)  # Monday 23:00 and Saturday


def test_officers_show_offers_claims_and_their_leads(week):
    rows = {row["name"]: row for row in selectors.officers(selectors.cohort(WEEK), WEEK)}
    jane, marcus = rows["Jane Doe"], rows["Marcus Reed"]
    assert (jane["offers"], jane["claims"], jane["expired"], jane["median_claim_seconds"]) == (2, 1, 1, 240)
    assert (jane["won"], jane["lost"], jane["open"], jane["median_first_text_seconds"]) == (1, 0, 0, 600)
    assert (marcus["offers"], marcus["claims"], marcus["median_claim_seconds"], marcus["lost"]) == (
        1,
        1,
        120,
        1,
    )
    assert marcus.get("median_first_text_seconds") is None


def test_nurture_steps_show_replies_within_48_hours_and_revived_leads(week):
    selectors.cohort(WEEK)  # brings the facts up to date
    rows = selectors.nurture_steps(WEEK)
    picked = [
        (r["cadence"], r["position"], r["sent"], r["replied"], r["opted_out"], r["revived"]) for r in rows
    ]
    # Cara replied 2.5 days after step 1 (too late for it) and 12 hours after step 2.
    assert picked == [("Not ready yet", 1, 1, 0, 0, 0), ("Not ready yet", 2, 1, 1, 0, 1)]


def test_health_shows_failures_opt_outs_by_kind_fallbacks_and_segments(week):
    health = selectors.health(selectors.cohort(WEEK), WEEK)
    assert health["failures"] == [{"code": "30007", "meaning": "Carrier filtering (spam)", "count": 1}]
    first_texts = next(r for r in health["opt_outs_by_kind"] if r["kind"] == "first_contact")
    assert (first_texts["texts"], first_texts["opt_outs"], first_texts["rate"]) == (4, 1, 0.25)
    assert (health["fallbacks"], health["handoffs"]) == (1, 1)
    # Seven texts: six of one segment, and the officer's 79 characters with a curly apostrophe (UCS-2: 2).
    assert (health["texts"], health["segments"]) == (7, 8)
    assert health["ops_queue"] == {"waiting": 1, "oldest_seconds": 1800}


def test_a_text_sent_after_the_report_changes_it(week, time_machine):
    eve = week["eve"]
    eve.sms_consent = True
    eve.save()
    assert figures()["texted"] == 4
    time_machine.shift(timedelta(minutes=1))
    message = MessageFactory(lead=eve, status="queued", created_at=eve.created_at + timedelta(seconds=5))
    assert message_deliver(message_id=message.pk) == "sent"  # the console gateway
    assert figures()["texted"] == 5


def test_every_table_exports_what_it_shows(week):
    report = build_report(WEEK)
    funnel = report["tables"]["funnel"].csv_rows()
    assert funnel[0] == ["Stage", "Leads", "Of inquiries"]
    assert funnel[1] == ["Inquiries", 5, 1.0] and funnel[-1] == ["Won", 1, 0.2]
    assert report["tables"]["officers"].display_rows()[0][:4] == ["Jane Doe", "2", "1", "4.0 min"]


def test_the_catch_up_refreshes_what_changed_and_then_only_looks_at_later_changes(week, time_machine):
    assert facts.facts_catch_up(limit=2) == 2  # more are stale: the watermark stays unset
    assert not FactsWatermark.objects.exists()
    assert facts.facts_catch_up(limit=100) == 4  # six leads in all
    assert FactsWatermark.objects.get().fresh_before == NOW - facts.COMMIT_MARGIN
    time_machine.shift(timedelta(hours=1))
    lead_services.lead_set_status(lead=week["eve"], status="closed_lost", actor="crm")
    assert list(facts.stale_leads(Lead.objects.all())) == [week["eve"]]
    assert figures()["lost"] == 2


def test_past_three_months_the_trends_are_weekly(week):
    quarter = selectors.Filters(since=date(2026, 1, 1), until=date(2026, 4, 30))
    facts_ = selectors.cohort(quarter)
    by_week, _ = selectors.volume(facts_, quarter)
    assert by_week[0][0] == date(2025, 12, 29)  # the Monday of Jan 1's week
    assert dict(by_week)[date(2026, 3, 2)] == 5  # the whole hand-built week
    speed = selectors.speed_to_lead(facts_, quarter)
    assert {day: (p50, n) for day, p50, n in speed.by_day}[date(2026, 3, 2)] == (3.0, 4)


def test_a_large_catch_up_gives_the_planner_fresh_statistics_of_the_facts(week, monkeypatch):
    def fact_rows_the_planner_knows() -> float:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'reporting_leadfact'")
                row = cursor.fetchone()
                return float(row[0].split()[0]) if row else -1
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'reporting_leadfact'")
            return cursor.fetchone()[0]

    monkeypatch.setattr(facts, "ANALYZE_AFTER", 6)
    assert facts.facts_catch_up(limit=100) == 6
    assert fact_rows_the_planner_knows() == 6
