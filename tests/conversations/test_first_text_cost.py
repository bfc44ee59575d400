"""What one lead costs the database, from POST /api/v1/leads/ to its first text handed to the
gateway: a regression in queries per lead fails here. (Times are the benchmark's business:
`manage.py bench_speed_to_lead`.)

Counted are the statements that read or write rows; transaction control (BEGIN, COMMIT,
savepoints) is left out, since SQLite and PostgreSQL issue it differently."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_q.models import Task

from conversations import tasks
from conversations.models import Kind, Message
from leads.models import Lead
from mortgage_sms import jobs

pytestmark = pytest.mark.django_db

# Web: the API client, its request counted for the rate limit (one upsert, shared by every web
# process; none with REDIS_URL), the open lead with this phone (locked), the lead, the inquiry
# and the timeline's lead_created, "any webhook or CRM target?", and the do-not-contact list
# for the answer's not_texted_reason.
WEB_QUERIES = 8
# The greeting task. Deciding (lead locked): the lead, its greetings so far, the first-text A/B
# test, the do-not-contact list, the contact rules of the borrower's states (read once, as
# needed), the text, the lead's status and its timeline entry, "any target?" (asked once for the
# whole task). Handing over: the claim (the text just stored is not read back), the lead's
# opt-out state right before the call, the text sent, the lead's first/last outbound. Then the
# nurture enrollment: the cadence's first step with its cadence, the lead's fields that may have
# changed, the enrollment, its timeline entry, the lead's next touch.
GREETING_QUERIES = 18
# Savepoints: a test runs inside a transaction of its own, so each transaction is one here. The
# web request's is lead_intake's (no second one around it); the greeting's are its decision,
# the text's insert (a retry finds its dedupe key), the hand-over (PostgreSQL: the opt-out state
# held FOR KEY SHARE; SQLite reads it without) and the nurture enrollment.
WEB_SAVEPOINTS = 1
GREETING_SAVEPOINTS = {"postgresql": 4, "sqlite": 3}
GREETING_TASK = "conversations.tasks.send_first_contact"
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def row_statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL)]


def savepoints(queries: CaptureQueriesContext) -> int:
    return sum(q["sql"].startswith("SAVEPOINT") for q in queries.captured_queries)


def post_lead(api, phone: str):
    return api.post(
        "/api/v1/leads/",
        {
            "first_name": "Ana",
            "phone": phone,
            "state": "TX",
            "sms_consent": True,
            "consent_text": "I agree to receive texts about my inquiry.",
        },
        format="json",
    )


def test_posting_a_lead_costs_a_few_queries_and_queues_only_the_greeting(
    api, django_capture_on_commit_callbacks
):
    post_lead(api, "512-555-0101")  # the first request of a client reads more (its scopes, etc.)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as queued:
        response = post_lead(api, "512-555-0142")
    assert response.status_code == 201
    assert len(row_statements(queries)) == WEB_QUERIES, "\n".join(row_statements(queries))
    assert savepoints(queries) == WEB_SAVEPOINTS
    assert len(queued) == 1  # the greeting task, and nothing else


def test_the_greeting_task_texts_the_borrower_in_a_fixed_number_of_queries_and_queues_nothing(
    api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():  # the greeting task is run by hand below
        post_lead(api, "512-555-0142")
    lead = Lead.objects.get(phone="+15125550142")
    inquiry_id = lead.inquiries.get().pk

    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as queued:
        assert tasks.send_first_contact(str(lead.pk), inquiry_id) == "sent"

    assert len(row_statements(queries)) == GREETING_QUERIES, "\n".join(row_statements(queries))
    assert savepoints(queries) == GREETING_SAVEPOINTS[connection.vendor]
    assert queued == []  # no delivery task of its own: the greeting task handed the text over
    [text] = Message.objects.filter(lead=lead, kind=Kind.FIRST_CONTACT)
    lead.refresh_from_db()
    assert (text.status, lead.status, lead.nurture_cadence) == ("sent", "contacted", "no_reply_yet")
    assert lead.first_contact_at == text.sent_at
    assert {"lead_created", "status_changed", "nurture_enrolled"} <= set(
        lead.events.values_list("type", flat=True)
    )


def test_a_greeting_sent_leaves_no_stored_task_result(api, run_tasks, django_capture_on_commit_callbacks):
    """django-q2 stores a success by locking and reading up to save_limit stored ones: a lead's
    greeting (its outcome is on the lead's timeline) skips that. Other tasks' are kept."""
    with run_tasks():
        post_lead(api, "512-555-0142")
    assert Message.objects.get(to_number="+15125550142").status == "sent"
    assert not Task.objects.filter(func=GREETING_TASK).exists()

    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue("conversations.tasks.sweep_outbox")
    assert Task.objects.filter(func="conversations.tasks.sweep_outbox", success=True).exists()
