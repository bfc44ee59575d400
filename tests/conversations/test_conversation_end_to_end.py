"""Written borrowers played end to end, as the team's acceptance checks play theirs: the lead
through the API, each text through the signed Twilio webhook (a burst in one go), the outcome read
back from the API, and an officer offered the lead as soon as the borrower is hot."""

from datetime import UTC, datetime

import pytest

from conversations.qualification import evaluation
from conversations.qualification.replies import asked_field
from leads.choices import QUALIFICATION_FIELDS
from leads.models import Lead
from tests.conversations.qualification_helpers import agent_replies, text_in
from tests.factories import LoanOfficerFactory

pytestmark = pytest.mark.django_db
WORKDAY_MORNING = datetime(2026, 1, 14, 16, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Chicago
# Statuses as the conversation's endings (the officer gets the offer at once: `offered`).
ENDING_OF_STATUS = {
    "offered": "qualified", "qualified": "qualified", "nurturing": "not_ready", "disqualified": "disqualified",
    "opted_out": "opted_out", "qualifying": "continue",
}  # fmt: skip
PLAYED = [
    "dev-persona-001", "greet-maria", "burst-three", "correct-state", "tapback-liked", "es-not-now-next-year",
    "third-party-0", "other-lender-2", "optout-0", "q-rates-yes", "not-interested",
    # From the second blind split: a tapback quoting our STOP line, a shopper pre-approved elsewhere,
    # "busy day" in a burst with an answer, a veteran asked about a VA loan, Spanish with a tapback.
    "blind2-045", "blind2-025", "blind2-032", "blind2-005", "blind2-047",
    # A "no thanks" to the officer offer declines the call only: the questions go on, no "stop?".
    "q-offer-no-thanks", "q-offer-no-gracias", "q-offer-nah-im-good",
    # A warm borrower who says no to the call and answers everything: routed, not left qualifying.
    "q-offer-warm-no-call",
]  # fmt: skip


@pytest.fixture(scope="module")
def borrowers():
    return {c.id: c for c in evaluation.load()}


@pytest.fixture
def officer(db):
    return LoanOfficerFactory(licensed_states=list(evaluation_states()), after_hours=True)


def evaluation_states():
    from leads.choices import US_STATES

    return US_STATES


def ending(api, lead: dict) -> str:
    """A borrower who asked for a person is offered too: the timeline says it was a hand-off."""
    events = api.get(f"/api/v1/leads/{lead['id']}/events/").json()
    events = events["results"] if isinstance(events, dict) else events
    if any(e["type"] == "handoff" for e in events):
        return "handoff"
    return ENDING_OF_STATUS.get(lead["status"], lead["status"])


class Borrower:
    def __init__(self, client, api, run_tasks, conversation, phone):
        self.client, self.api, self.run_tasks, self.conversation = client, api, run_tasks, conversation
        self.phone, self.texts, self.offered_after = phone, 0, None

    def apply(self) -> str:
        lead = self.conversation.lead
        payload = {
            "first_name": lead.get("first_name", ""), "phone": self.phone, "sms_consent": True,
            "consent_text": "I agree to receive texts.", **({"state": lead["state"]} if lead.get("state") else {}),
            **({"loan_purpose": lead["loan_purpose"]} if lead.get("loan_purpose") else {}),
        }  # fmt: skip
        with self.run_tasks():
            response = self.api.post("/api/v1/leads/", payload, format="json")
        assert response.status_code == 201, response.content
        return response.json()["id"]

    def play(self, lead_id):
        answered = {}
        for item in self.conversation.script:
            self._send(lead_id, item if isinstance(item, list) else [item])
        for _ in range(12):
            asked = asked_field(self._last_reply(lead_id))
            answer = self.conversation.answers.get(asked or "")
            if (
                answer is None
                or answered.get(asked, 0) >= 2
                or self._status(lead_id) not in ("contacted", "qualifying", "qualified", "offered")
            ):
                break
            answered[asked] = answered.get(asked, 0) + 1
            self._send(lead_id, [answer])

    def _send(self, lead_id, texts):
        with self.run_tasks():
            for body in texts:
                text_in(self.client, self.phone, body)
        self.texts += len(texts)
        if self.offered_after is None and self._status(lead_id) == "offered":
            self.offered_after = self.texts

    def _status(self, lead_id):
        return self.api.get(f"/api/v1/leads/{lead_id}/").json()["status"]

    def _last_reply(self, lead_id):
        replies = agent_replies(Lead.objects.get(pk=lead_id))
        return replies[-1] if replies else ""


def test_written_borrowers_end_right_through_the_api_and_the_webhooks(
    client, api, run_tasks, borrowers, officer, time_machine
):
    time_machine.move_to(
        WORKDAY_MORNING, tick=False
    )  # every text stamped alike: order must not depend on the clock
    results = []
    for number, conversation_id in enumerate(PLAYED):
        conversation = borrowers[conversation_id]
        borrower = Borrower(client, api, run_tasks, conversation, phone=f"+1512555{number + 3000:04d}")
        lead_id = borrower.apply()
        borrower.play(lead_id)
        lead = api.get(f"/api/v1/leads/{lead_id}/").json()
        expected = {f: conversation.expected_fields.get(f) for f in QUALIFICATION_FIELDS}
        results.append((conversation_id, borrower))
        assert ending(api, lead) == conversation.expected_ending, conversation_id
        assert lead["qualification"] == expected, conversation_id
        offline = evaluation.replay(conversation, backend="scripted")
        said_offline = [text for sender, text in offline.transcript if sender == "agent"]
        assert len(agent_replies(Lead.objects.get(pk=lead_id))) == len(said_offline), conversation_id
    # The offline evaluation (eval_agent) counts the same texts as the real thing.
    for conversation_id, borrower in results:
        assert (
            borrower.offered_after
            == evaluation.replay(borrowers[conversation_id], backend="scripted").texts_to_offer
        )
    assert all(borrower.offered_after is not None for cid, borrower in results if borrowers[cid].hot)
