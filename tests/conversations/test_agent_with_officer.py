import pytest

from tests.conversations.qualification_helpers import agent_replies, text_in
from tests.factories import LeadFactory, LoanOfficerFactory

pytestmark = pytest.mark.django_db


def claimed_lead(*, ai_paused: bool):
    return LeadFactory(
        status="claimed",
        assigned_officer=LoanOfficerFactory(),
        ai_paused=ai_paused,
        loan_purpose="purchase",
        timeline="0_30_days",
    )


def test_the_assistant_stays_quiet_while_an_officer_has_the_lead(client, run_tasks):
    lead = claimed_lead(ai_paused=True)

    with run_tasks():
        text_in(client, lead.phone, "who is this?")

    assert agent_replies(lead) == []


def test_the_assistant_answers_again_once_the_officer_resumes_it(client, run_tasks):
    lead = claimed_lead(ai_paused=False)

    with run_tasks():
        text_in(client, lead.phone, "who is this?")

    replies = agent_replies(lead)
    assert len(replies) == 1
    assert "Acme Home Loans" in replies[0]
    lead.refresh_from_db()
    assert lead.status == "claimed"
