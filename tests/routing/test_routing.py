import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.utils import timezone
from django_q.models import Schedule

from conversations.models import Direction, Kind, Message, MessageStatus, Sender
from conversations.signals import handoff_requested
from leads import services as lead_services
from routing import services, tasks
from routing.models import Offer, RoutingRequest
from tests.factories import MessageFactory, PoolFactory, QualifiedLeadFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db


def alerts_to(officer) -> list[Message]:
    return list(Message.objects.filter(to_number=officer.mobile_phone, kind=Kind.SYSTEM))


def test_it_offers_a_qualified_lead_and_alerts_the_officer_by_text_and_email(
    clock, make_officer, default_rule, qualify
):
    officer = make_officer(name="Ann Officer", email="ann@lender.example.com")
    lead = qualify(QualifiedLeadFactory(first_name="Maria", last_name="Lopez"))

    assert lead.status == "offered"
    offer = Offer.objects.get(lead=lead)
    assert (offer.officer, offer.status) == (officer, "pending")
    assert offer.expires_at - offer.created_at == timedelta(minutes=5)
    link = f"https://sms.example.com/officer/leads/{lead.pk}/"
    [text] = alerts_to(officer)
    assert text.lead is None and text.status == "sent"
    assert "Maria L." in text.body and link in text.body and "5 min" in text.body
    [email] = mail.outbox
    assert email.to == ["ann@lender.example.com"] and link in email.body
    assert "Maria Lopez" in email.body


def test_an_offer_for_a_borrower_who_asked_for_a_call_says_so(clock, make_officer, default_rule, qualify):
    officer = make_officer(name="Ann Officer")
    lead = QualifiedLeadFactory(first_name="Maria", last_name="Lopez")
    MessageFactory(
        lead=lead, direction=Direction.INBOUND, sender=Sender.BORROWER, kind=Kind.INBOUND,
        body="Can you call me? I'm free after 5", status=MessageStatus.RECEIVED,
    )  # fmt: skip
    qualify(lead)
    [text] = alerts_to(officer)
    assert "Maria L." in text.body and "Asks for a call: claim and call from the page." in text.body


def _declined_a_call(lead):
    lead_services.lead_event_record(
        lead=lead, type="officer_offer_declined", actor="borrower", description="Prefers text", data={}
    )


def test_an_offer_for_a_borrower_who_declined_a_call_says_they_prefer_text(
    clock, make_officer, default_rule, qualify
):
    officer = make_officer(name="Ann Officer", email="ann@lender.example.com")
    lead = QualifiedLeadFactory(first_name="Maria", last_name="Lopez")
    _declined_a_call(lead)
    qualify(lead)
    [text] = alerts_to(officer)
    assert "Prefers text: declined a call." in text.body
    [email] = mail.outbox
    assert "Prefers text: declined a call." in email.body


def test_asking_for_a_person_after_declining_a_call_drops_the_note(
    clock, make_officer, default_rule, qualify
):
    officer = make_officer(name="Ann Officer")
    lead = QualifiedLeadFactory()
    _declined_a_call(lead)
    clock.shift(timedelta(minutes=1))
    lead_services.lead_event_record(lead=lead, type="handoff", actor="agent", description="asked", data={})
    qualify(lead)
    [text] = alerts_to(officer)
    assert "Prefers text" not in text.body


def test_it_takes_the_offer_time_from_the_setting_or_the_rule(clock, make_officer, qualify, settings):
    settings.ROUTING_OFFER_SECONDS = 120
    make_officer()
    rule = RoutingRuleFactory()
    offer = Offer.objects.get(lead=qualify(QualifiedLeadFactory()))
    assert offer.expires_at - offer.created_at == timedelta(minutes=2)
    rule.offer_seconds = 45
    rule.save()
    offer = Offer.objects.get(lead=qualify(QualifiedLeadFactory()))
    assert offer.expires_at - offer.created_at == timedelta(seconds=45)


def test_it_routes_when_the_assistant_hands_the_borrower_off(clock, make_officer, default_rule, run_tasks):
    officer = make_officer()
    lead = QualifiedLeadFactory(status="qualifying")
    with run_tasks():
        handoff_requested.send(sender=None, lead=lead, reason="asked for a person")
    lead.refresh_from_db()
    assert lead.status == "offered"
    assert Offer.objects.get(lead=lead).officer == officer


def test_it_routes_once_when_qualified_and_handoff_arrive_together(
    clock, make_officer, default_rule, run_tasks
):
    make_officer()
    make_officer()
    lead = QualifiedLeadFactory()
    with run_tasks():
        lead_services.lead_set_status(lead=lead, status="qualified", actor="assistant")
        handoff_requested.send(sender=None, lead=lead, reason="asked for a person")
    assert RoutingRequest.objects.filter(lead=lead).count() == 1
    assert Offer.objects.filter(lead=lead).count() == 1


def test_running_the_routing_task_twice_makes_one_offer(
    clock, make_officer, default_rule, qualify, run_tasks
):
    make_officer()
    make_officer()
    lead = qualify(QualifiedLeadFactory())
    with run_tasks():
        tasks.route_lead(lead.routing_requests.get().pk)
    assert Offer.objects.filter(lead=lead).count() == 1


def test_it_alerts_an_officer_once_however_often_the_alert_task_runs(
    clock, make_officer, default_rule, qualify
):
    officer = make_officer()
    lead = qualify(QualifiedLeadFactory())
    tasks.alert_officer(Offer.objects.get(lead=lead).pk)
    assert len(alerts_to(officer)) == 1
    assert len(mail.outbox) == 1


def test_an_expired_offer_moves_on_to_the_next_officer(clock, make_officer, default_rule, qualify, run_tasks):
    make_officer(name="Ann")
    bob = make_officer(name="Bob")
    lead = qualify(QualifiedLeadFactory())
    clock.shift(timedelta(minutes=4))
    with run_tasks():
        tasks.sweep_offers()
    assert Offer.objects.get(lead=lead).status == "pending"  # not yet

    clock.shift(timedelta(minutes=1))
    with run_tasks():
        tasks.sweep_offers()
    assert {o.officer.name: o.status for o in Offer.objects.filter(lead=lead)} == {
        "Ann": "expired",
        "Bob": "pending",
    }
    assert len(alerts_to(bob)) == 1
    assert lead.events.filter(type="offer_expired").count() == 1


def test_when_everyone_lets_the_offer_expire_the_lead_waits_for_ops(
    clock, make_officer, default_rule, qualify, run_tasks, settings
):
    settings.ROUTING_OPS_EMAILS = ["ops@lender.example.com"]
    make_officer()
    lead = qualify(QualifiedLeadFactory())
    clock.shift(timedelta(minutes=6))
    with run_tasks():
        tasks.sweep_offers()
    lead.refresh_from_db()
    request = lead.routing_requests.get()
    assert request.status == "waiting"
    assert "no officers left to try" in request.note
    assert lead.status == "qualified"
    assert [m.to for m in mail.outbox][-1] == ["ops@lender.example.com"]


def test_with_nobody_eligible_the_lead_goes_to_the_ops_queue_and_ops_hear_once(
    clock, make_officer, default_rule, qualify, run_tasks, settings
):
    settings.ROUTING_OPS_EMAILS = ["ops@lender.example.com"]
    settings.ROUTING_OPS_PHONES = ["+15125550999"]
    make_officer(licensed_states=["CA"])
    lead = qualify(QualifiedLeadFactory(property_state="TX"))

    request = lead.routing_requests.get()
    assert request.status == "waiting"
    assert "1 not licensed in the property's state" in request.note
    assert lead.status == "qualified"
    assert not Offer.objects.exists()
    [email] = mail.outbox
    assert email.to == ["ops@lender.example.com"]
    assert f"/admin/routing/opsqueue/{request.pk}/change/" in email.body
    assert Message.objects.filter(to_number="+15125550999", kind=Kind.SYSTEM).count() == 1

    clock.shift(timedelta(minutes=1))
    with run_tasks():
        tasks.sweep_offers()  # tries again, still nobody: no second alert
    assert len(mail.outbox) == 1


def test_a_waiting_lead_is_offered_when_an_officer_becomes_available(
    clock, make_officer, default_rule, qualify, run_tasks
):
    officer = make_officer(out_of_office_until=timezone.now() + timedelta(minutes=30))
    lead = qualify(QualifiedLeadFactory())
    assert lead.routing_requests.get().status == "waiting"

    clock.shift(timedelta(minutes=31))
    with run_tasks():
        tasks.sweep_offers()
    lead.refresh_from_db()
    assert lead.status == "offered"
    assert Offer.objects.get(lead=lead).officer == officer


def test_closing_the_lead_withdraws_its_offers(clock, make_officer, default_rule, qualify, run_tasks):
    make_officer()
    lead = qualify(QualifiedLeadFactory())
    with run_tasks():
        lead_services.lead_opt_out(lead=lead, words="STOP")
    assert Offer.objects.get(lead=lead).status == "withdrawn"
    assert lead.routing_requests.get().status == "cancelled"


@pytest.mark.django_db(transaction=True)
def test_status_changes_made_outside_a_transaction_stop_the_search(make_officer, default_rule):
    make_officer(after_hours=True)
    lead = QualifiedLeadFactory()
    lead_services.lead_set_status(lead=lead, status="qualified", actor="assistant")  # a task: autocommit
    lead_services.lead_set_status(lead=lead, status="nurturing", actor="crm")
    assert lead.routing_requests.get().status == "cancelled"
    assert Offer.objects.get(lead=lead).status == "withdrawn"


def test_a_search_goes_on_while_the_borrower_keeps_talking_to_the_assistant(
    clock, make_officer, default_rule, qualify
):
    make_officer()
    lead = qualify(QualifiedLeadFactory())
    lead_services.lead_set_status(lead=lead, status="qualifying", actor="borrower")
    assert lead.routing_requests.get().status == "offering"
    assert Offer.objects.get(lead=lead).status == "pending"


def test_it_does_not_route_a_lead_that_is_already_with_an_officer(clock, make_officer, default_rule):
    officer = make_officer()
    lead = QualifiedLeadFactory(status="claimed", assigned_officer=officer)
    assert services.routing_start(lead=lead, reason="asked for a person") is None


def test_pools_limit_who_is_offered(clock, make_officer, qualify):
    inside, _outside = make_officer(name="Inside"), make_officer(name="Outside")
    RoutingRuleFactory(pool=PoolFactory(members=[inside]), overflow=False)
    for _ in range(3):
        assert Offer.objects.get(lead=qualify(QualifiedLeadFactory())).officer == inside


def test_the_expiry_sweep_is_registered_to_run_every_minute():
    Schedule.objects.filter(func="routing.tasks.sweep_offers").delete()
    migration = importlib.import_module("routing.migrations.0003_default_rule_and_offer_sweeper")
    migration.seed(apps, None)
    schedule = Schedule.objects.get(func="routing.tasks.sweep_offers")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == ("I", 1, -1)
