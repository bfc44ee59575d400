"""What a batch of due steps costs the database: the same few queries however many steps it holds."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations import services as conversation_services
from conversations.models import Kind, Message
from leads.models import DoNotContactNumber
from nurture.dispatch import nurture_dispatch
from tests.factories import CadenceStepFactory, EnrollmentFactory, LeadFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 6, 10, tzinfo=ZoneInfo("America/Chicago"))
# A savepoint around the batch, the contact rules, the due enrollments (locked, with their
# leads, cadences and steps) and the cadences' steps, then one read each of the do-not-contact
# list, the texts and calls the Florida cap counts, the officers' last texts and the steps
# under an A/B test; one INSERT of the texts, one pipelined UPDATE of the enrollments and one
# of the leads' next touch, and the savepoint's release.
QUERIES_PER_BATCH = 15


def due_steps(count: int, first_phone: int = 0):
    first = CadenceStepFactory(position=1, delay_amount=1, delay_unit="days")
    CadenceStepFactory(cadence=first.cadence, position=2)
    for n in range(count):
        # Texas and Florida: Florida's cap counts texts and calls in 24 hours.
        state, area = ("FL", "305") if n % 2 else ("TX", "512")
        lead = LeadFactory(state=state, phone=f"+1{area}555{first_phone + n:04d}", status="nurturing")
        EnrollmentFactory(lead=lead, step=first, next_run_at=NOW)


@pytest.mark.parametrize("steps", [4, 30])
def test_a_batch_costs_the_same_queries_whatever_its_size(
    time_machine, steps, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW)
    due_steps(steps)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as queued:
        assert nurture_dispatch(now=NOW, batch_size=100) == {"sent": steps}
    assert len(queries) == QUERIES_PER_BATCH, "\n".join(q["sql"][:120] for q in queries.captured_queries)
    # The texts go to the workers in groups, one task per group.
    assert len(queued) == -(-steps // conversation_services.outbox.DELIVERY_GROUP)
    assert Message.objects.filter(kind=Kind.NURTURE).count() == steps


def test_a_number_put_on_the_do_not_contact_list_is_not_texted_by_a_batch(time_machine, run_tasks):
    time_machine.move_to(NOW)
    due_steps(3)
    DoNotContactNumber.objects.create(phone="+13055550001", reason="litigator", source="csv")
    with run_tasks():
        outcomes = nurture_dispatch(now=NOW)
    assert outcomes == {"sent": 2, "deferred": 1}
    assert not Message.objects.filter(to_number="+13055550001").exists()
    assert Message.objects.filter(kind=Kind.NURTURE, status="sent").count() == 2


def test_a_group_of_texts_past_its_time_budget_queues_the_rest_and_all_go_out(
    time_machine, run_tasks, monkeypatch
):
    time_machine.move_to(NOW)
    monkeypatch.setattr(conversation_services.outbox, "GROUP_BUDGET_SECONDS", -1)  # always past it
    due_steps(3)
    with run_tasks():
        nurture_dispatch(now=NOW)
    assert list(Message.objects.filter(kind=Kind.NURTURE).values_list("status", flat=True)) == ["sent"] * 3
