"""Whole conversations through the signed inbound webhook and the worker's task path."""

from ast import literal_eval
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.dispatch import receiver
from django.utils import timezone
from django_q.models import Schedule

from conversations import services, signals, tasks
from conversations.models import AgentTurn, Message
from leads import services as lead_services
from leads.models import Lead, LeadEvent
from tests.conversations.qualification_helpers import agent_replies, last_reply, text_in
from tests.factories import LeadFactory, LoanOfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def greeted_lead(run_tasks):
    """A web lead from Texas who has had the first text (which asks buy or refinance)."""
    lead = LeadFactory(first_name="Ana", state="TX", phone="+15125550142")
    with run_tasks():
        services.first_contact_send(lead_id=lead.pk, inquiry_id=1)
    lead.refresh_from_db()
    return lead


def converse(client, run_tasks, lead, *texts):
    for body in texts:
        with run_tasks():
            text_in(client, lead.phone, body)
    lead.refresh_from_db()
    return lead


@pytest.fixture
def handoffs():
    received = []

    @receiver(signals.handoff_requested, weak=False, dispatch_uid="test-handoffs")
    def collect(sender, lead, reason, **kwargs):
        received.append((lead.pk, reason))

    yield received
    signals.handoff_requested.disconnect(dispatch_uid="test-handoffs")


def test_it_hands_a_hot_buyer_to_an_officer_then_learns_the_rest_while_the_offer_waits(
    client, run_tasks, greeted_lead
):
    lead = converse(client, run_tasks, greeted_lead, "buying, within 30 days", "yes", "already preapproved")
    assert lead.status == "qualified"
    assert "passing your details to a licensed loan officer now" in last_reply(lead)
    assert lead.events.filter(type="routing_started").exists()
    converse(client, run_tasks, lead, "yes we're under contract", "yes", "first time", "fha", "720")
    assert lead.status == "qualified"
    assert (lead.loan_purpose, lead.timeline, lead.property_found, lead.has_agent) == (
        "purchase",
        "0_30_days",
        True,
        True,
    )
    assert (lead.preapproved, lead.first_time_buyer, lead.property_state) == (True, True, "TX")
    assert (lead.loan_type, lead.credit, lead.temperature) == ("fha", "good", "hot")
    assert (
        last_reply(lead)
        == "Good credit, got it. Thanks, that's everything! Your loan officer will have it all."
    )
    assert lead.events.filter(type="status_changed", data__to="qualified").count() == 1
    # The officer sees each answer arrive.
    assert lead.events.filter(type="qualification_updated", actor="agent:scripted").count() == 8


def test_it_asks_the_next_missing_question_after_each_answer(client, run_tasks, greeted_lead):
    lead = converse(client, run_tasks, greeted_lead, "refi")
    assert lead.status == "qualifying"
    assert "When are you hoping to move forward" in last_reply(lead)
    converse(client, run_tasks, lead, "2 months")
    assert "Is the property in Texas?" in last_reply(lead)


def test_it_sends_a_borrower_who_is_not_ready_to_nurture(client, run_tasks, greeted_lead):
    lead = converse(client, run_tasks, greeted_lead, "just browsing, maybe next year")
    assert lead.status == "nurturing"
    assert lead.timeline == "6_plus_months"
    assert lead.temperature == "cold"
    assert "No rush" in last_reply(lead)
    assert (
        lead.events.get(data__to="nurturing").description == "The borrower plans to move 6+ months from now."
    )


def test_it_hands_off_to_a_person_when_asked(client, run_tasks, greeted_lead, handoffs):
    lead = converse(client, run_tasks, greeted_lead, "buying", "can someone just call me")
    event = lead.events.get(type="handoff")
    assert event.description == "The borrower asked for a call."
    assert handoffs == [(lead.pk, "The borrower asked for a call.")]
    assert "call you shortly" in last_reply(lead)
    converse(client, run_tasks, lead, "thanks! also its in austin")
    assert (
        last_reply(lead) == "Texas, got it. Thanks, I've passed that along to your loan officer."
    )  # asks nothing
    assert len(handoffs) == 1


def outbound_after_greeting(lead) -> list[tuple[str, str, str]]:
    return list(
        lead.messages.filter(direction="outbound")
        .exclude(kind="first_contact")
        .order_by("created_at")
        .values_list("kind", "status", "body")
    )


def test_a_wrong_number_opts_out_with_one_text_and_a_later_inquiry_is_never_texted(
    client, run_tasks, greeted_lead
):
    lead = converse(client, run_tasks, greeted_lead, "wrong number, no Ana here")
    assert lead.status == "opted_out"
    assert lead.events.get(type="opted_out").data["words"] == "wrong number, no Ana here"
    [(kind, status, body)] = outbound_after_greeting(lead)
    assert (kind, status) == ("compliance", "sent")
    assert "no more texts" in body

    converse(client, run_tasks, lead, "ok thanks")
    with run_tasks():
        lead_services.lead_intake(
            phone=lead.phone, submitted_by="web form", sms_consent=True, consent_text="I agree"
        )
    assert Lead.objects.filter(phone=lead.phone).count() == 1
    assert len(outbound_after_greeting(lead)) == 1
    assert lead.messages.filter(kind="first_contact").count() == 1


def test_someone_who_never_filled_in_a_form_gets_the_assistants_one_closing_text_and_is_opted_out(
    client, run_tasks, greeted_lead
):
    lead = converse(client, run_tasks, greeted_lead, "I didn't fill out any form")
    assert lead.status == "opted_out"
    assert lead.events.get(type="opted_out").data["words"] == "I didn't fill out any form"
    assert outbound_after_greeting(lead) == [
        (
            "compliance",
            "sent",
            "Sorry to bother you, and thanks for letting us know! We won't text this number again.",
        )
    ]
    assert AgentTurn.objects.get(lead=lead).intent == "disqualified"
    converse(client, run_tasks, lead, "ok thanks")
    assert len(outbound_after_greeting(lead)) == 1


def test_it_answers_in_spanish_from_the_first_spanish_text(client, run_tasks, greeted_lead):
    lead = converse(client, run_tasks, greeted_lead, "hola, quiero comprar una casa")
    assert lead.language == "es"
    assert "¿Cuándo piensa avanzar" in last_reply(lead)
    converse(client, run_tasks, lead, "ok, 2 months")
    assert last_reply(lead) == "En 1-3 meses, entendido. ¿La propiedad está en Texas? Si no, ¿en qué estado?"


def test_it_answers_a_twilio_retry_once(client, run_tasks, greeted_lead):
    for _ in range(2):
        with run_tasks():
            text_in(client, greeted_lead.phone, "refinance", sid="SMretry00000000000000000000000001")
    assert len(agent_replies(greeted_lead)) == 2  # the first text and one reply
    assert AgentTurn.objects.count() == 1


def test_it_never_texts_twice_when_the_task_runs_twice(client, run_tasks, greeted_lead):
    text_in(client, greeted_lead.phone, "refinance")  # stored; its task not run yet
    message = Message.objects.get(direction="inbound")
    with run_tasks():
        tasks.handle_inbound(str(message.pk))
        tasks.handle_inbound(str(message.pk))
        services.conversation_continue(lead=greeted_lead, message=message)
    assert len(agent_replies(greeted_lead)) == 2


def test_it_stays_quiet_while_an_officer_has_paused_the_assistant(client, run_tasks, greeted_lead):
    lead_services.lead_set_ai_paused(lead=greeted_lead, paused=True, actor="officer")
    lead = converse(client, run_tasks, greeted_lead, "buying asap")
    assert len(agent_replies(lead)) == 1  # only the first text
    assert lead.status == "contacted"
    assert lead.loan_purpose is None
    assert not AgentTurn.objects.exists()


def test_it_greets_someone_who_texted_our_number_first(client, run_tasks):
    with run_tasks():
        text_in(client, "+15125550177", "hi, want to buy a house in dallas")
    message = Message.objects.get(direction="inbound")
    lead = message.lead
    assert lead.loan_purpose == "purchase"
    assert lead.property_state == "TX"
    assert last_reply(lead).startswith("Hi! This is the Acme Home Loans assistant")
    assert "When are you hoping to move forward" in last_reply(lead)


def test_it_takes_a_nurtured_borrower_back_into_qualification(client, run_tasks, greeted_lead):
    lead = converse(client, run_tasks, greeted_lead, "buying but not for like a year")
    assert lead.status == "nurturing"
    converse(client, run_tasks, lead, "hey we're ready now, found a house")
    assert lead.status == "qualifying"
    assert lead.property_found is True
    assert "When are you hoping to move forward" in last_reply(lead)
    converse(client, run_tasks, lead, "asap")
    assert lead.timeline == "0_30_days"
    assert (
        last_reply(lead)
        == "Within 30 days, got it, not 6+ months out. Is the property in Texas? If not, which state?"
    )


def test_it_redacts_an_ssn_before_storing_it_and_warns_the_borrower(client, run_tasks, greeted_lead):
    lead = converse(client, run_tasks, greeted_lead, "buying. my ssn is 123-45-6789")
    inbound = Message.objects.get(direction="inbound")
    assert "6789" not in inbound.body
    assert inbound.redacted
    assert last_reply(lead).startswith(
        "For your security, please never text your SSN or account numbers; I've hidden it."
    )
    assert not LeadEvent.objects.filter(description__contains="6789").exists()


def test_it_deflects_a_rate_question_and_offers_an_officer(client, run_tasks, greeted_lead, handoffs):
    lead = converse(client, run_tasks, greeted_lead, "what's your rate on a 30 year fixed?")
    assert "can't quote rates" in last_reply(lead)
    assert "%" not in last_reply(lead)
    converse(client, run_tasks, lead, "yes please")
    assert lead.events.filter(type="handoff").exists()
    assert len(handoffs) == 1


def test_it_answers_a_borrower_at_once_in_the_middle_of_the_night(client, run_tasks):
    with time_machine.travel(datetime(2025, 6, 3, 23, 30, tzinfo=ZoneInfo("America/Chicago")), tick=False):
        lead = LeadFactory(first_name="Ana", state="TX", phone="+15125550149")
        with run_tasks():
            services.first_contact_send(lead_id=lead.pk, inquiry_id=1)
        converse(client, run_tasks, lead, "refi")
    [reply] = lead.messages.filter(kind="reply")
    assert reply.status == "sent"
    assert "When are you hoping to move forward" in reply.body


def test_texts_sent_in_one_burst_are_answered_once_together(client, run_tasks, greeted_lead):
    with run_tasks():
        for body in ["hi", "this is ana", "we want to buy, 30 days, house in austin"]:
            text_in(client, greeted_lead.phone, body)
    greeted_lead.refresh_from_db()
    assert len(agent_replies(greeted_lead)) == 2  # the first text and one answer
    assert last_reply(greeted_lead).startswith("Hi Ana! Got it: buying, within 30 days, Texas.")
    outcomes = sorted(AgentTurn.objects.values_list("outcome", flat=True))
    assert outcomes == ["absorbed", "absorbed", "answered"]
    answer = AgentTurn.objects.get(outcome="answered")
    assert set(AgentTurn.objects.values_list("reply_message", flat=True)) == {answer.reply_message_id}


@pytest.fixture
def as_a_worker(settings, time_machine):
    """Tasks run inline, but the turn is scheduled as on a worker: for the end of the burst
    window (a one-off django-q2 schedule, run here by the test after moving the frozen clock)."""
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    time_machine.move_to(timezone.now(), tick=False)

    def scheduled_turns():
        runs = Schedule.objects.filter(func="conversations.tasks.take_agent_turn").order_by("next_run")
        return [(literal_eval(run.args)[0], run.next_run) for run in runs]

    return scheduled_turns


def test_no_worker_waits_out_the_burst_window_and_a_text_within_it_is_answered_with_the_first(
    client, run_tasks, greeted_lead, as_a_worker, time_machine
):
    with run_tasks():
        text_in(client, greeted_lead.phone, "hey")
    [(first, due)] = as_a_worker()
    assert due == timezone.now() + timedelta(seconds=3)  # scheduled; no worker holds it meanwhile
    assert Message.objects.get(pk=first).to_assistant and not AgentTurn.objects.exists()
    time_machine.shift(timedelta(seconds=1))
    with run_tasks():
        text_in(client, greeted_lead.phone, "refi")
    second, _ = as_a_worker()[1]
    assert tasks.take_agent_turn(second) == "quiet"  # an early run leaves it to the scheduled one
    time_machine.shift(timedelta(seconds=2))
    with run_tasks():
        assert tasks.take_agent_turn(first) == "quiet"  # "refi" came within its window: it answers
    assert len(agent_replies(greeted_lead)) == 1
    time_machine.shift(timedelta(seconds=1))
    with run_tasks():
        assert tasks.take_agent_turn(second) == "answered"
        assert tasks.take_agent_turn(second) == "answered"  # a second run sends nothing new
    greeted_lead.refresh_from_db()
    assert len(agent_replies(greeted_lead)) == 2
    assert greeted_lead.loan_purpose == "refinance"
    assert last_reply(greeted_lead).startswith("Hi Ana! A refinance, got it.")
    assert AgentTurn.objects.get(message_id=first).outcome == "absorbed"


def test_a_turn_whose_task_was_lost_is_answered_by_the_sweeper(
    client, run_tasks, greeted_lead, as_a_worker, time_machine
):
    with run_tasks():
        text_in(client, greeted_lead.phone, "buying in 2 months")
    # Its run was taken off the queue by a broker that then died.
    Schedule.objects.filter(func="conversations.tasks.take_agent_turn").delete()
    time_machine.shift(timedelta(seconds=10))
    assert tasks.sweep_outbox()["replies_requeued"] == 0  # its run may still come
    time_machine.shift(timedelta(minutes=1))
    with run_tasks():
        assert tasks.sweep_outbox()["replies_requeued"] == 1
    greeted_lead.refresh_from_db()
    assert (greeted_lead.loan_purpose, greeted_lead.timeline) == ("purchase", "1_3_months")
    assert "Is the property in Texas?" in last_reply(greeted_lead)
    assert tasks.sweep_outbox()["replies_requeued"] == 0


def test_a_tapback_gets_no_reply_and_the_question_stands(client, run_tasks, greeted_lead):
    lead = converse(client, run_tasks, greeted_lead, "Liked “Are you looking to buy a home or to refinance?”")
    assert len(agent_replies(lead)) == 1
    converse(client, run_tasks, lead, "buying")
    assert lead.loan_purpose == "purchase"
    assert "When are you hoping to move forward" in last_reply(lead)


def test_a_borrower_who_falls_silent_is_nudged_twice_then_marked_unresponsive(
    client, run_tasks, greeted_lead
):
    noon = datetime(2026, 1, 13, 12, 0, tzinfo=ZoneInfo("America/Chicago"))
    with time_machine.travel(noon, tick=False) as clock:
        lead = converse(client, run_tasks, greeted_lead, "buying")
        clock.shift(timedelta(hours=3))
        assert services.conversation_nudge_silent() == {"nudged": 0, "unresponsive": 0}
        clock.shift(timedelta(hours=2))
        with run_tasks():
            assert services.conversation_nudge_silent() == {"nudged": 1, "unresponsive": 0}
            assert services.conversation_nudge_silent() == {"nudged": 0, "unresponsive": 0}  # once
        nudge = lead.messages.get(dedupe_key__startswith="nudge:", dedupe_key__endswith=":0")
        assert nudge.body.startswith("Hi Ana, just checking in. When are you hoping to move forward")
        assert nudge.status == "sent"
        clock.shift(timedelta(hours=20))
        with run_tasks():
            assert services.conversation_nudge_silent() == {"nudged": 1, "unresponsive": 0}
        clock.shift(timedelta(hours=24))
        services.conversation_nudge_silent()
    lead.refresh_from_db()
    assert lead.status == "unresponsive"
    converse(client, run_tasks, lead, "sorry! in 2 months")
    assert lead.status == "qualifying"
    assert lead.timeline == "1_3_months"


def test_a_realtor_is_closed_politely_and_ops_are_told(client, run_tasks, greeted_lead, settings, mailoutbox):
    settings.ROUTING_OPS_EMAILS = ["ops@example.com"]
    lead = converse(client, run_tasks, greeted_lead, "I'm a realtor, my client filled this out for me")
    assert lead.status == "disqualified"
    assert last_reply(lead).startswith("Thanks for reaching out! I'll let our team know")
    assert lead.events.get(type="third_party").data["role"] == "realtor"
    [mail] = mailoutbox
    assert mail.subject == "A realtor texted about lead Ana " + lead.last_name
    assert "my client filled this out" in mail.body


def test_not_interested_rests_in_nurture_while_asked_whether_to_stop_and_a_later_text_resumes(
    client, run_tasks, greeted_lead
):
    lead = converse(client, run_tasks, greeted_lead, "not interested anymore")
    assert lead.status == "nurturing"  # not the no-reply follow-ups
    assert len(agent_replies(lead)) == 1  # the question whether to stop is the only answer
    assert lead.messages.filter(kind="compliance", body__contains="stop texting you").count() == 1
    converse(client, run_tasks, lead, "actually we do want to refi in 2 months")
    assert (lead.status, lead.loan_purpose, lead.timeline) == ("qualifying", "refinance", "1_3_months")
    assert "Is the property in Texas?" in last_reply(lead)


@pytest.mark.parametrize(
    "no_to_the_call", ["no thanks", "nah im good thx", "just texting is fine", "no, not yet"]
)
def test_a_no_to_the_officer_offer_declines_the_call_not_the_texts(
    client, run_tasks, greeted_lead, no_to_the_call
):
    lead = converse(client, run_tasks, greeted_lead, "what are your rates right now?")
    assert last_reply(lead).endswith("Want me to have one reach out?")
    lead = converse(client, run_tasks, lead, no_to_the_call)
    assert lead.status == "qualifying" and lead.opted_out_at is None
    assert not lead.messages.filter(body__contains="stop texting you").exists()
    assert not lead.events.filter(type="opt_out_asked").exists()
    reply = last_reply(lead)
    assert reply.startswith("No problem, we can keep it to text.")
    assert reply.endswith("is this to buy a home, or to refinance one you own?")  # the open question
    declined = lead.events.get(type="officer_offer_declined")
    assert declined.data["words"] == no_to_the_call
    # Asked about rates again, the borrower hears no second offer; asking for a person still works.
    lead = converse(client, run_tasks, lead, "refi. so what's the rate on a 30 year?")
    assert "reach out?" not in last_reply(lead)
    assert lead.status == "qualifying"
    lead = converse(client, run_tasks, lead, "actually can I talk to a loan officer?")
    assert lead.events.filter(type="handoff").exists()


def test_no_gracias_to_the_officer_offer_goes_on_in_spanish(client, run_tasks, greeted_lead):
    lead = converse(client, run_tasks, greeted_lead, "cuál es la tasa de interés?", "no gracias")
    assert not lead.messages.filter(body__contains="dejemos de escribirle").exists()
    assert last_reply(lead).startswith("Claro, seguimos por mensaje. Para pasarle con la persona indicada")


WORKDAY_MORNING = datetime(2026, 11, 25, 16, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in Chicago


@pytest.mark.parametrize(
    "answers",
    [
        ["refi", "in about 4 months", "yes", "fha", "good, around 700"],  # warm: routed once all is asked
        ["refi", "within 30 days", "yes"],  # hot: routed as soon as it is known
    ],
    ids=["warm", "hot"],
)
def test_a_borrower_who_declines_the_call_is_routed_and_the_officer_sees_they_prefer_text(
    client, run_tasks, time_machine, answers
):
    time_machine.move_to(WORKDAY_MORNING, tick=False)  # the officer is at work
    officer = LoanOfficerFactory(name="Ann Officer", licensed_states=["TX"])
    lead = LeadFactory(first_name="Ana", last_name="Lopez", state="TX", phone="+15125550142")
    with run_tasks():
        services.first_contact_send(lead_id=lead.pk, inquiry_id=1)
    lead = converse(client, run_tasks, lead, "what are your rates right now?", "no thanks", *answers)
    assert lead.status == "offered"  # qualified, then offered: not left qualifying with nobody
    assert lead.events.filter(type="status_changed", data__to="qualified").count() == 1
    assert "letting them know you'd rather text" in last_reply(lead)
    assert not any("reach out" in reply for reply in agent_replies(lead)[2:])  # no call promised again
    [alert] = Message.objects.filter(to_number=officer.mobile_phone, kind="system")
    assert "Ana L." in alert.body and "Prefers text: declined a call." in alert.body
    client.force_login(officer.user)
    page = client.get(f"/officer/leads/{lead.pk}/").content.decode()
    assert "Offered to you." in page and "Prefers text: declined our offer" in page


def test_a_spanish_decliner_is_told_in_spanish_that_the_officer_will_know(client, run_tasks, greeted_lead):
    lead = converse(
        client, run_tasks, greeted_lead, "cuál es la tasa de interés?", "no gracias", "refinanciar",
        "en unos 4 meses", "sí", "fha", "buen crédito",
    )  # fmt: skip
    assert lead.status in ("qualified", "offered", "routing")
    assert last_reply(lead).endswith("y le aviso que prefiere mensajes.")


@pytest.mark.parametrize("refusal", ["not interested", "no, not interested, thanks"])
def test_not_interested_in_answer_to_the_offer_is_still_asked_about(client, run_tasks, greeted_lead, refusal):
    lead = converse(client, run_tasks, greeted_lead, "what are your rates?", refusal)
    assert lead.messages.filter(kind="compliance", body__contains="stop texting you").count() == 1
    assert lead.status == "nurturing"
    assert not lead.events.filter(type="officer_offer_declined").exists()


def test_stop_in_answer_to_the_offer_opts_out(client, run_tasks, greeted_lead):
    lead = converse(client, run_tasks, greeted_lead, "what are your rates?", "no thanks, leave me alone")
    assert lead.status == "opted_out"


def test_a_spanish_opt_out_is_confirmed_in_spanish(client, run_tasks, greeted_lead):
    lead = converse(client, run_tasks, greeted_lead, "PARAR, no me escriba más")
    assert lead.status == "opted_out"
    confirmation = lead.messages.get(kind="compliance")
    assert "Se ha dado de baja" in confirmation.body


def test_a_burst_is_answered_once_even_when_the_clock_stands_still(
    client, run_tasks, greeted_lead, time_machine
):
    time_machine.move_to(datetime(2026, 1, 14, 16, 0, tzinfo=ZoneInfo("UTC")), tick=False)
    with run_tasks():
        for body in ["buying", "in 2 months", "sorry i meant 2 weeks"]:
            text_in(client, greeted_lead.phone, body)
    greeted_lead.refresh_from_db()
    assert len(agent_replies(greeted_lead)) == 2
    assert (greeted_lead.loan_purpose, greeted_lead.timeline) == ("purchase", "0_30_days")
