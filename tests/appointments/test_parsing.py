"""A borrower's answer read in their own time zone, across DST changes, with a frozen clock."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from appointments.parsing import Answer, parse_answer

CHICAGO = ZoneInfo("America/Chicago")
PHOENIX = ZoneInfo("America/Phoenix")  # no daylight saving time
NEW_YORK = ZoneInfo("America/New_York")
# Friday, March 6 2026, 10:00 in Chicago; clocks spring forward on Sunday, March 8.
BEFORE_SPRING_FORWARD = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("2", Answer(choice=2)),
        ("#3", Answer(choice=3)),
        ("Option 1 please", Answer(choice=1)),
        ("the second one", Answer(choice=2)),
        ("4", None),  # only three were offered
        ("yes", None),
    ],
)
def test_it_reads_a_choice_of_the_offered_times(text, answer):
    assert parse_answer(text, now=BEFORE_SPRING_FORWARD, zone=CHICAGO) == answer


def test_tomorrow_at_3_is_3_pm_in_the_borrowers_zone():
    answer = parse_answer("tomorrow at 3", now=BEFORE_SPRING_FORWARD, zone=CHICAGO)
    assert answer.at == datetime(2026, 3, 7, 15, 0, tzinfo=CHICAGO)
    assert answer.at.astimezone(UTC) == datetime(2026, 3, 7, 21, 0, tzinfo=UTC)


def test_monday_at_10_after_spring_forward_is_an_hour_earlier_in_utc():
    answer = parse_answer("Monday at 10am", now=BEFORE_SPRING_FORWARD, zone=CHICAGO)
    assert answer.at.astimezone(UTC) == datetime(2026, 3, 9, 15, 0, tzinfo=UTC)  # CDT, UTC-5
    friday = parse_answer("at 11", now=BEFORE_SPRING_FORWARD, zone=CHICAGO)
    assert friday.at.astimezone(UTC) == datetime(2026, 3, 6, 17, 0, tzinfo=UTC)  # CST, UTC-6


def test_arizona_keeps_its_offset_when_chicago_changes():
    answer = parse_answer("Monday at 10am", now=BEFORE_SPRING_FORWARD, zone=PHOENIX)
    assert answer.at.astimezone(UTC) == datetime(2026, 3, 9, 17, 0, tzinfo=UTC)  # MST all year


def test_fall_back_on_the_first_sunday_of_november():
    saturday = datetime(2026, 10, 31, 14, 0, tzinfo=UTC)  # 10:00 in New York, EDT
    answer = parse_answer("Monday morning", now=saturday, zone=NEW_YORK)
    assert (answer.start.astimezone(UTC), answer.end.astimezone(UTC)) == (
        datetime(2026, 11, 2, 13, 0, tzinfo=UTC),  # 08:00 EST, UTC-5
        datetime(2026, 11, 2, 17, 0, tzinfo=UTC),
    )


def test_thursday_afternoon_is_a_range_on_the_next_thursday():
    answer = parse_answer("Thursday afternoon works", now=BEFORE_SPRING_FORWARD, zone=CHICAGO)
    assert (answer.start, answer.end) == (
        datetime(2026, 3, 12, 12, 0, tzinfo=CHICAGO),
        datetime(2026, 3, 12, 17, 0, tzinfo=CHICAGO),
    )


def test_a_time_already_past_today_means_tomorrow():
    evening = datetime(2026, 3, 6, 23, 0, tzinfo=UTC)  # 17:00 in Chicago
    assert parse_answer("3pm", now=evening, zone=CHICAGO).at == datetime(2026, 3, 7, 15, 0, tzinfo=CHICAGO)


def test_after_5_and_spanish_answers():
    after = parse_answer("I'm free after 5", now=BEFORE_SPRING_FORWARD, zone=CHICAGO)
    assert (after.start.hour, after.end.hour) == (17, 21)
    spanish = parse_answer("mañana a las 10", now=BEFORE_SPRING_FORWARD, zone=CHICAGO)
    assert spanish.at == datetime(2026, 3, 7, 10, 0, tzinfo=CHICAGO)
