from datetime import UTC, datetime

import pytest

from conversations.models import Kind, Message
from leads.models import Lead
from routing import services
from routing.models import Offer, RoutingRule
from tests.factories import QualifiedLeadFactory

pytestmark = pytest.mark.django_db

FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


def test_ops_see_the_leads_nobody_could_be_offered(clock, make_officer, default_rule, qualify, admin_client):
    make_officer(licensed_states=["CA"])
    waiting = qualify(QualifiedLeadFactory(first_name="Waiting", property_state="TX"))
    html = admin_client.get("/admin/routing/opsqueue/").content.decode()
    assert "Waiting" in html and "not licensed" in html
    request = waiting.routing_requests.get()
    assert admin_client.get(f"/admin/routing/opsqueue/{request.pk}/change/").status_code == 200


def test_ops_reassign_a_waiting_lead_to_a_licensed_officer(
    clock, make_officer, default_rule, qualify, admin_client, run_tasks
):
    make_officer(licensed_states=["CA"], name="Carl")
    texan = make_officer(licensed_states=["TX"], name="Tex", out_of_office_until=FAR_FUTURE)
    lead = qualify(QualifiedLeadFactory(property_state="TX"))
    request = lead.routing_requests.get()
    form = {"action": "reassign", "_selected_action": [request.pk]}
    assert "Reassign 1 lead" in admin_client.post("/admin/routing/opsqueue/", form).content.decode()

    with run_tasks():
        admin_client.post("/admin/routing/opsqueue/", {**form, "apply": "1", "officer": texan.pk})
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_officer, lead.ai_paused) == ("claimed", texan, True)
    assert Message.objects.get(lead=lead, kind=Kind.INTRODUCTION).officer == texan
    assert admin_client.get("/admin/routing/opsqueue/").content.decode().count("/change/") == 0


def test_reassigning_to_an_officer_not_licensed_in_the_state_is_refused(
    clock, make_officer, default_rule, qualify, admin_client
):
    californian = make_officer(licensed_states=["CA"])
    lead = qualify(QualifiedLeadFactory(property_state="TX"))
    form = {"action": "reassign", "_selected_action": [lead.routing_requests.get().pk], "apply": "1"}
    response = admin_client.post(
        "/admin/routing/routingrequest/", {**form, "officer": californian.pk}, follow=True
    )
    assert "is not licensed in TX" in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).assigned_officer is None


def test_ops_reroute_a_claimed_lead(clock, make_officer, default_rule, qualify, admin_client, run_tasks):
    ann = make_officer(name="Ann")
    bob = make_officer(name="Bob")
    lead = qualify(QualifiedLeadFactory())
    with run_tasks():
        services.offer_claim(officer=ann, lead_id=lead.pk)
        claimed_round = lead.routing_requests.get()
        admin_client.post(
            "/admin/routing/routingrequest/", {"action": "reroute", "_selected_action": [claimed_round.pk]}
        )
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_officer, lead.ai_paused) == ("offered", None, False)
    assert Offer.objects.get(lead=lead, status="pending").officer == bob


def test_ops_see_offers_and_their_outcomes(clock, make_officer, default_rule, qualify, admin_client):
    make_officer(name="Ann Avery")
    qualify(QualifiedLeadFactory())
    html = admin_client.get("/admin/routing/offer/?status__exact=pending").content.decode()
    assert "Ann Avery" in html
    assert admin_client.get("/admin/routing/routingrequest/").status_code == 200


def test_rules_are_edited_with_ticks_not_json(admin_client):
    response = admin_client.post(
        "/admin/routing/routingrule/add/",
        {
            "name": "Texas VA",
            "priority": 5,
            "active": "on",
            "property_states": ["TX", "OK"],
            "loan_types": ["va"],
            "strategy": "least_loaded",
            "overflow": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = RoutingRule.objects.get(name="Texas VA")
    assert (sorted(rule.property_states), rule.loan_types, rule.loan_purposes) == (["OK", "TX"], ["va"], [])
    assert "Texas VA" in admin_client.get("/admin/routing/routingrule/").content.decode()


def test_an_officer_is_edited_in_the_admin(make_officer, admin_client):
    officer = make_officer()
    url = f"/admin/routing/loanofficer/{officer.pk}/change/"
    assert admin_client.get(url).status_code == 200
    form = {
        "user": officer.user.pk, "name": "Ann Avery", "nmls_id": "111111", "mobile_phone": "+15125550123",
        "email": "ann@lender.example.com", "active": "on", "licensed_states": ["TX", "NM"],
        "products": ["fha", "va"], "capacity": 10, "time_zone": "America/Denver", "work_start": "07:00",
        "work_end": "16:00", "work_days": ["0", "1", "2", "3"], "out_of_office_until_0": "",
        "out_of_office_until_1": "",
    }  # fmt: skip
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    officer.refresh_from_db()
    assert (officer.licensed_states, officer.products, officer.work_days) == (
        ["TX", "NM"],
        ["fha", "va"],
        [0, 1, 2, 3],
    )
    assert admin_client.post(url, {**form, "time_zone": "Mars/Olympus"}).status_code == 200  # refused
    assert "Open leads" in admin_client.get("/admin/routing/loanofficer/").content.decode()
