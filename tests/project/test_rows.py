"""mortgage_sms.rows writes and reads rows exactly as the ORM does, on either database."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models import signals
from django.test.utils import CaptureQueriesContext
from django_q.models import OrmQ

from conversations.models import Message
from integrations.models import ApiClient
from leads.models import Inquiry, Lead, LeadEvent
from mortgage_sms import rows
from nurture.models import Cadence, CadenceStep, Enrollment
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

# What the hot path writes with rows: none may have a save receiver, which rows would not send.
WRITTEN_WITH_ROWS = [Lead, Inquiry, LeadEvent, Message, Enrollment, ApiClient, OrmQ]


def stored_values(instance) -> dict:
    fresh = type(instance).objects.get(pk=instance.pk)
    return {field.attname: getattr(fresh, field.attname) for field in type(instance)._meta.concrete_fields}


def test_a_lead_inserted_with_rows_reads_back_as_the_orm_stored_it():
    moment = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    lead = Lead(
        phone="+15125550123",
        first_name="José",
        state="TX",
        sms_consent=True,
        consent_text="I agree.",
        consent_at=moment,
    )
    rows.insert(lead)

    assert lead._state.adding is False
    stored = stored_values(lead)
    assert stored["first_name"] == "José"
    assert stored["consent_at"] == moment
    assert stored["created_at"] is not None  # auto_now_add filled in, as save() does
    assert stored["sms_consent"] is True
    inquiry = rows.insert(
        Inquiry(lead=lead, source="api", payload={"source": "google", "nested": [1, "two"]})
    )
    assert stored_values(inquiry)["payload"] == {"source": "google", "nested": [1, "two"]}


def test_an_unsaved_related_object_is_refused_as_save_refuses_it():
    unsaved = Cadence(name="Not saved", slug="not-saved")
    with pytest.raises(ValueError, match="unsaved related object"):
        rows.insert(Enrollment(lead=LeadFactory(), cadence=unsaved))


def test_an_auto_id_is_filled_in_and_json_kept():
    lead = LeadFactory()
    event = rows.insert(LeadEvent(lead=lead, type="probe", description="d", data={"a": [1, None]}))

    assert isinstance(event.pk, int)
    assert stored_values(event)["data"] == {"a": [1, None]}
    assert list(lead.events.filter(type="probe")) == [event]


def test_insert_all_writes_every_row_in_one_statement_and_fills_in_their_ids():
    lead = LeadFactory()
    events = [
        LeadEvent(lead=lead, type="first", data={"n": 1}),
        LeadEvent(lead=lead, type="second", description="two", data={}),
    ]

    with CaptureQueriesContext(connection) as queries:
        rows.insert_all(events)

    assert len([q for q in queries.captured_queries if q["sql"].startswith("INSERT")]) == 1
    assert all(isinstance(event.pk, int) and event._state.adding is False for event in events)
    stored = {event.pk: (event.type, event.description, event.data) for event in lead.events.all()}
    assert stored == {events[0].pk: ("first", "", {"n": 1}), events[1].pk: ("second", "two", {})}


def test_insert_all_of_one_or_none_is_a_plain_insert():
    lead = LeadFactory()
    assert rows.insert_all([]) == []
    (event,) = rows.insert_all([LeadEvent(lead=lead, type="only")])
    assert list(lead.events.values_list("pk", "type")) == [(event.pk, "only")]


def test_fetch_one_builds_the_instance_the_orm_would():
    lead = LeadFactory(consent_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    fetched = rows.get(Lead, pk=lead.pk)

    expected = stored_values(lead)
    assert {f.attname: getattr(fetched, f.attname) for f in Lead._meta.concrete_fields} == expected
    assert fetched._state.adding is False
    assert rows.get(Lead, pk="00000000-0000-0000-0000-000000000000") is None
    assert rows.get(Lead, suffix="LIMIT 1", phone=lead.phone, status=lead.status).pk == lead.pk


def test_a_row_read_with_its_related_row_in_one_statement(django_assert_num_queries):
    cadence = Cadence.objects.create(name="Probe", slug="probe", trigger="manual", active=True)
    CadenceStep.objects.create(cadence=cadence, position=2, delay_amount=1, body="second")
    CadenceStep.objects.create(cadence=cadence, position=1, delay_amount=1, body="first")

    with django_assert_num_queries(1):
        step = rows.get(
            CadenceStep, with_related="cadence", suffix="ORDER BY position LIMIT 1", cadence__slug="probe"
        )
        assert (step.body, step.cadence.name, step.cadence.active) == ("first", "Probe", True)
    assert rows.get(CadenceStep, with_related="cadence", cadence__slug="missing") is None


def test_all_reads_every_matching_row_with_in_lists():
    leads = [LeadFactory(state=state) for state in ("TX", "FL", "CA")]

    found = rows.all(Lead, suffix="ORDER BY state", state=["TX", "CA", "NY"], status=leads[0].status)

    assert [(lead.pk, lead.state) for lead in found] == [(leads[2].pk, "CA"), (leads[0].pk, "TX")]
    assert rows.all(Lead, state=[]) == []
    assert [lead.pk for lead in rows.all(Lead, pk=[leads[1].pk])] == [leads[1].pk]


def test_values_reads_chosen_fields_converted():
    moment = datetime(2026, 7, 8, 9, 10, tzinfo=UTC)
    lead = LeadFactory(consent_at=moment, sms_consent=True)

    assert rows.values(Lead, ["pk", "consent_at", "sms_consent"], phone=lead.phone) == [
        (lead.pk, moment, True)
    ]
    assert rows.values(Lead, ["pk"], phone="+15125550000") == []


def test_update_prepares_values_like_the_orm():
    lead = LeadFactory()
    moment = datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC)

    changed = rows.update(Lead, {"next_touch_at": moment, "status": "contacted"}, pk=lead.pk)
    missing = rows.update(Lead, {"status": "contacted"}, pk="00000000-0000-0000-0000-000000000000")

    assert (changed, missing) == (1, 0)
    lead.refresh_from_db()
    assert (lead.next_touch_at, lead.status) == (moment, "contacted")


def test_refresh_reads_the_named_fields_again_and_only_those():
    lead = LeadFactory(status="new", sms_consent=True)
    Lead.objects.filter(pk=lead.pk).update(status="contacted", sms_consent=False, first_name="Changed")
    stale_name = lead.first_name

    rows.refresh(lead, ["status", "sms_consent"])

    assert (lead.status, lead.sms_consent, lead.first_name) == ("contacted", False, stale_name)
    Lead.objects.filter(pk=lead.pk).delete()
    with pytest.raises(Lead.DoesNotExist):
        rows.refresh(lead, ["status"])


def test_a_field_kept_if_set_is_written_only_where_it_is_empty():
    first, later = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 2, tzinfo=UTC)
    lead = LeadFactory(first_contact_at=None)

    for moment in (first, later):
        values = {"first_contact_at": moment, "last_outbound_at": moment}
        rows.update(Lead, values, keep_if_set=("first_contact_at",), pk=lead.pk)

    lead.refresh_from_db()
    assert (lead.first_contact_at, lead.last_outbound_at) == (first, later)


@pytest.mark.parametrize("model", WRITTEN_WITH_ROWS, ids=lambda model: model.__name__)
def test_no_save_receivers_on_models_written_with_rows(model):
    for signal in (signals.pre_save, signals.post_save):
        assert not signal.has_listeners(model), f"{model.__name__} has a {signal} receiver rows would skip"
