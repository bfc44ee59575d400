import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from conversations import tasks as conversation_tasks
from conversations.models import Kind, Message
from leads import services as lead_services
from leads.models import Lead
from routing import services
from routing.models import Offer
from tests.factories import PoolFactory, QualifiedLeadFactory, RoutingRuleFactory


@pytest.fixture
def broadcast(make_officer):
    """Two officers offered every lead at once: the first to claim wins."""
    ann, bob = (
        make_officer(name="Ann Avery", nmls_id="111111"),
        make_officer(name="Bob Banks", nmls_id="222222"),
    )
    RoutingRuleFactory(strategy="broadcast", pool=PoolFactory(members=[ann, bob]), overflow=False)
    return ann, bob


def introductions(lead) -> list[Message]:
    return list(Message.objects.filter(lead=lead, kind=Kind.INTRODUCTION))


@pytest.mark.django_db
def test_claiming_hands_the_lead_to_the_officer(clock, broadcast, qualify, run_tasks):
    ann, bob = broadcast
    lead = qualify(QualifiedLeadFactory(first_name="Maria"))
    with run_tasks():
        result = services.offer_claim(officer=ann, lead_id=lead.pk)

    assert result.won
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_officer, lead.ai_paused) == ("claimed", ann, True)
    [intro] = introductions(lead)
    assert "Maria" in intro.body and "Ann Avery" in intro.body and "NMLS #111111" in intro.body
    assert (intro.sender, intro.officer, intro.status) == ("officer", ann, "sent")
    assert {o.officer: o.status for o in Offer.objects.filter(lead=lead)} == {ann: "claimed", bob: "taken"}


@pytest.mark.django_db
def test_the_introduction_claimed_at_night_waits_for_the_borrowers_morning(
    clock, broadcast, qualify, run_tasks
):
    ann, _ = broadcast
    ann.after_hours = True
    ann.save()
    clock.shift(timedelta(hours=13))  # 23:00 in Texas, outside the contact window
    lead = qualify(QualifiedLeadFactory())  # the borrower is not texting right now
    with run_tasks():
        result = services.offer_claim(officer=ann, lead_id=lead.pk)

    assert result.won
    [intro] = introductions(lead)
    # The next opening is the 27th: the 26th is Thanksgiving, a federal holiday.
    morning = datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("America/Chicago"))  # Texas opens at nine
    assert (intro.status, intro.retry_at) == ("queued", morning)
    assert datetime.fromisoformat(lead.events.get(type="sms_deferred").data["until"]) == morning
    clock.move_to(morning)
    with run_tasks():
        conversation_tasks.sweep_outbox()
    intro.refresh_from_db()
    assert intro.status == "sent"


@pytest.mark.django_db
def test_the_introduction_goes_out_at_night_while_the_borrower_is_texting(
    clock, broadcast, qualify, run_tasks
):
    ann, _ = broadcast
    ann.after_hours = True
    ann.save()
    clock.shift(timedelta(hours=13))  # 23:00 in Texas
    lead = qualify(QualifiedLeadFactory())
    lead_services.lead_record_inbound(lead_id=lead.pk, at=timezone.now() - timedelta(minutes=5))
    with run_tasks():
        services.offer_claim(officer=ann, lead_id=lead.pk)
    assert introductions(lead)[0].status == "sent"


@pytest.mark.django_db
def test_the_second_officer_sees_who_won(clock, broadcast, qualify, run_tasks):
    ann, bob = broadcast
    lead = qualify(QualifiedLeadFactory())
    with run_tasks():
        services.offer_claim(officer=ann, lead_id=lead.pk)
        late = services.offer_claim(officer=bob, lead_id=lead.pk)
    assert not late.won
    assert late.winner == ann
    assert "Ann Avery claimed this lead first" in late.message
    assert len(introductions(lead)) == 1


@pytest.mark.django_db
def test_claiming_twice_is_harmless(clock, broadcast, qualify, run_tasks):
    ann, _ = broadcast
    lead = qualify(QualifiedLeadFactory())
    with run_tasks():
        services.offer_claim(officer=ann, lead_id=lead.pk)
        again = services.offer_claim(officer=ann, lead_id=lead.pk)
    assert again.won
    assert len(introductions(lead)) == 1


@pytest.mark.django_db
def test_an_expired_offer_cannot_be_claimed(clock, broadcast, qualify):
    ann, _ = broadcast
    lead = qualify(QualifiedLeadFactory())
    clock.shift(timedelta(minutes=5))
    result = services.offer_claim(officer=ann, lead_id=lead.pk)
    assert not result.won
    assert "expired" in result.message
    assert Lead.objects.get(pk=lead.pk).assigned_officer is None


@pytest.mark.django_db
def test_a_claim_is_refused_if_the_property_moved_out_of_the_officers_states(clock, broadcast, qualify):
    ann, _ = broadcast
    lead = qualify(QualifiedLeadFactory(property_state="TX"))
    Lead.objects.filter(pk=lead.pk).update(property_state="NM")  # the borrower corrected it meanwhile
    result = services.offer_claim(officer=ann, lead_id=lead.pk)
    assert not result.won
    assert "not licensed in NM" in result.message
    assert Lead.objects.get(pk=lead.pk).assigned_officer is None


@pytest.mark.django_db(transaction=True)
def test_of_two_officers_claiming_at_the_same_moment_exactly_one_wins(broadcast):
    ann, bob = broadcast
    ann.after_hours = bob.after_hours = True
    ann.save()
    bob.save()
    lead = QualifiedLeadFactory()
    lead_services.lead_set_status(lead=lead, status="qualified", actor="assistant")  # tasks run at commit
    assert Offer.objects.filter(lead=lead, status="pending").count() == 2

    start = threading.Barrier(2)
    results = {}

    def claim(officer):
        try:
            start.wait()
            results[officer.name] = services.offer_claim(officer=officer, lead_id=lead.pk)
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=claim, args=(o,)) for o in (ann, bob)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [name for name, result in results.items() if result.won]
    assert len(winners) == 1
    winner = ann if winners == ["Ann Avery"] else bob
    loser = results["Bob Banks" if winner == ann else "Ann Avery"]
    assert loser.winner == winner and f"{winner.name} claimed this lead first" in loser.message
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_officer) == ("claimed", winner)
    assert len(introductions(lead)) == 1
