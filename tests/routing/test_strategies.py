import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from routing import services
from routing.models import Offer, RoutingRequest, RoutingRule
from tests.factories import LeadFactory, PoolFactory, QualifiedLeadFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db

FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


def offered_to(lead) -> list[str]:
    return sorted(o.officer.name for o in Offer.objects.filter(lead=lead, status="pending"))


def test_round_robin_takes_turns(clock, make_officer, default_rule, qualify):
    for name in ("Ann", "Bob", "Cat"):
        make_officer(name=name)
    firsts = [offered_to(qualify(QualifiedLeadFactory())) for _ in range(4)]
    assert firsts == [["Ann"], ["Bob"], ["Cat"], ["Ann"]]


def test_round_robin_picks_up_where_it_left_off_after_a_restart(clock, make_officer, default_rule, qualify):
    for name in ("Ann", "Bob", "Cat"):
        make_officer(name=name)
    qualify(QualifiedLeadFactory())
    # A restart loses everything in memory: only the database remembers whose turn it is.
    RoutingRule.objects.filter(pk=default_rule.pk).update(name="Everyone, after a restart")
    assert offered_to(qualify(QualifiedLeadFactory())) == ["Bob"]


def test_round_robin_skips_whoever_cannot_take_the_lead(clock, make_officer, default_rule, qualify):
    make_officer(name="Ann")
    make_officer(name="Bob", out_of_office_until=FAR_FUTURE)
    make_officer(name="Cat")
    assert [offered_to(qualify(QualifiedLeadFactory())) for _ in range(3)] == [["Ann"], ["Cat"], ["Ann"]]


def test_least_loaded_offers_to_the_officer_with_fewest_open_leads(clock, make_officer, qualify):
    RoutingRuleFactory(strategy="least_loaded")
    busy, free = make_officer(name="Busy"), make_officer(name="Free")
    LeadFactory.create_batch(3, assigned_officer=busy, status="claimed")
    LeadFactory(assigned_officer=free, status="claimed")
    assert offered_to(qualify(QualifiedLeadFactory())) == ["Free"]


def test_least_loaded_counts_open_offers_so_a_burst_spreads_out(clock, make_officer, qualify):
    RoutingRuleFactory(strategy="least_loaded")
    make_officer(name="Ann")
    make_officer(name="Bob")
    assert [offered_to(qualify(QualifiedLeadFactory())) for _ in range(2)] == [["Ann"], ["Bob"]]


def test_broadcast_offers_to_everyone_eligible_in_the_pool(clock, make_officer, qualify):
    ann, bob = make_officer(name="Ann"), make_officer(name="Bob")
    make_officer(name="Outside the pool")
    make_officer(name="Not licensed", licensed_states=["CA"])
    RoutingRuleFactory(strategy="broadcast", pool=PoolFactory(members=[ann, bob]), overflow=False)
    assert offered_to(qualify(QualifiedLeadFactory())) == ["Ann", "Bob"]


def test_rules_apply_in_priority_order_and_match_on_the_lead(clock, make_officer, default_rule, qualify):
    va_expert, generalist = make_officer(name="VA expert"), make_officer(name="Generalist")
    RoutingRuleFactory(
        name="VA purchases in Texas",
        priority=1,
        property_states=["TX"],
        loan_purposes=["purchase"],
        loan_types=["va"],
        sources=["web"],
        temperatures=["hot"],
        pool=PoolFactory(members=[va_expert]),
    )
    RoutingRuleFactory(name="Everyone else first", priority=5, pool=PoolFactory(members=[generalist]))
    assert offered_to(qualify(QualifiedLeadFactory(loan_type="va"))) == ["VA expert"]
    assert offered_to(qualify(QualifiedLeadFactory(loan_type="fha"))) == ["Generalist"]
    assert offered_to(qualify(QualifiedLeadFactory(loan_type="va", temperature="cold"))) == ["Generalist"]


def test_a_rule_whose_pool_is_unavailable_overflows_to_the_next(clock, make_officer, default_rule, qualify):
    away = make_officer(name="Away", out_of_office_until=FAR_FUTURE)
    make_officer(name="Anyone")
    RoutingRuleFactory(priority=1, pool=PoolFactory(members=[away]))
    assert offered_to(qualify(QualifiedLeadFactory())) == ["Anyone"]


def test_a_rule_without_overflow_keeps_the_lead_for_its_pool(clock, make_officer, default_rule, qualify):
    away = make_officer(name="Away", out_of_office_until=FAR_FUTURE)
    make_officer(name="Anyone")
    RoutingRuleFactory(priority=1, pool=PoolFactory(members=[away]), overflow=False)
    lead = qualify(QualifiedLeadFactory())
    assert offered_to(lead) == []
    assert lead.routing_requests.get().status == "waiting"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("strategy", ["round_robin", "least_loaded"])
def test_two_leads_routed_at_the_same_moment_go_to_different_officers(make_officer, strategy):
    make_officer(name="Ann", after_hours=True)
    make_officer(name="Bob", after_hours=True)
    RoutingRuleFactory(strategy=strategy)
    leads = QualifiedLeadFactory.create_batch(2, status="qualified")
    requests = [RoutingRequest.objects.create(lead=lead, reason="test") for lead in leads]
    start = threading.Barrier(2)

    def route(request):
        try:
            start.wait()
            services.routing_offer_next(request_id=request.pk)
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=route, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.officer.name for o in Offer.objects.all()) == ["Ann", "Bob"]
