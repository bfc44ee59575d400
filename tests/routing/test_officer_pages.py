import re

import pytest
from django.test import Client

from conversations.models import Message
from leads.models import Lead
from leads.services import lead_update_qualification
from routing.models import Offer
from tests.factories import MessageFactory, PoolFactory, QualifiedLeadFactory, RoutingRuleFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def ann(make_officer):
    return make_officer(name="Ann Avery", nmls_id="111111")


@pytest.fixture
def bob(make_officer):
    return make_officer(name="Bob Banks", nmls_id="222222")


@pytest.fixture
def offered(clock, ann, qualify):
    """A lead offered to Ann alone."""
    RoutingRuleFactory(pool=PoolFactory(members=[ann]))
    lead = qualify(
        QualifiedLeadFactory(first_name="Maria", last_name="Lopez", source_detail="Spring open house")
    )
    MessageFactory(
        lead=lead, direction="inbound", sender="borrower", kind="inbound", body="I want to buy in May"
    )
    return lead


@pytest.fixture
def claimed(offered, ann, run_tasks, client_for):
    with run_tasks():
        client_for(ann).post(f"/officer/leads/{offered.pk}/claim/")
    offered.refresh_from_db()
    return offered


@pytest.fixture
def client_for():
    def logged_in(officer) -> Client:
        client = Client()
        client.force_login(officer.user)
        return client

    return logged_in


def page(response) -> str:
    return response.content.decode()


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login_page(client):
    response = client.get("/officer/")
    assert response.status_code == 302
    assert response["Location"].startswith("/officer/login/?next=/officer/")
    assert client.get("/").headers["Location"] == "/officer/"


def test_an_officer_logs_in_with_their_username_and_password(client, ann):
    response = client.post(
        "/officer/login/", {"username": ann.user.username, "password": PASSWORD, "next": "/officer/"}
    )
    assert response.status_code == 302 and response["Location"] == "/officer/"
    assert "Ann Avery" in page(client.get("/officer/"))


def test_a_wrong_password_is_refused_with_a_message(client, ann):
    response = client.post("/officer/login/", {"username": ann.user.username, "password": "nope"})
    assert response.status_code == 200
    assert "do not match" in page(response)


def test_a_login_without_an_officer_profile_is_told_so(client):
    client.force_login(UserFactory())
    response = client.get("/officer/")
    assert response.status_code == 403
    assert "no loan officer profile" in page(response)


def test_my_offers_show_the_lead_with_a_countdown(offered, ann, client_for):
    html = page(client_for(ann).get("/officer/"))
    assert "Maria Lopez" in html
    assert f'href="/officer/leads/{offered.pk}/"' in html
    assert re.search(r'data-seconds-left="300">5:00 left', html)


def test_the_lead_page_shows_the_whole_context_before_the_claim(offered, ann, client_for):
    html = page(client_for(ann).get(f"/officer/leads/{offered.pk}/"))
    for expected in ("Maria Lopez", "Claim this lead", "Within 30 days", "FHA", "Spring open house",
                     "I want to buy in May", "Offered to Ann Avery"):  # fmt: skip
        assert expected in html
    assert "Reply from the shared number" not in html  # claim first


def test_the_timeline_reads_in_words_not_stored_values(offered, ann, client_for):
    lead_update_qualification(
        lead=offered, changes={"timeline": "1_3_months", "property_found": False}, actor="agent"
    )

    html = page(client_for(ann).get(f"/officer/leads/{offered.pk}/"))

    assert "Timeline: 1-3 months" in html and "Property found: no" in html
    assert "1_3_months" not in html and "property_found" not in html


def test_the_inquiry_as_posted_reads_with_the_fields_names(offered, ann, client_for):
    payload = {
        "first_name": "Maria",
        "source": "web",
        "sms_consent": True,
        "consent_ip": "203.0.113.5",
        "loan_type": "fha",
    }
    offered.inquiries.all().delete()
    offered.inquiries.create(source="web", sms_consent=True, payload=payload)

    html = page(client_for(ann).get(f"/officer/leads/{offered.pk}/"))

    for label in ("<dt>SMS consent</dt>", "<dt>Consent IP address</dt>", "<dt>Loan type</dt>"):
        assert label in html
    assert "Sms consent" not in html and "Consent ip" not in html
    # The inquiry's source and consent are shown once, not again from the payload.
    assert html.count("<dt>SMS consent</dt>") == 1
    assert html.count("<dt>Source</dt>") == 1


def test_an_officer_cannot_open_a_lead_not_offered_or_assigned_to_them(offered, bob, client_for):
    assert client_for(bob).get(f"/officer/leads/{offered.pk}/").status_code == 404
    assert client_for(bob).post(f"/officer/leads/{offered.pk}/claim/").status_code == 404
    assert client_for(bob).post(f"/officer/leads/{offered.pk}/reply/", {"body": "hi"}).status_code == 404


def test_claiming_from_the_page_makes_the_lead_mine(claimed, ann, client_for):
    assert (claimed.status, claimed.assigned_officer) == ("claimed", ann)
    html = page(client_for(ann).get("/officer/"))
    assert "My leads" in html and "Maria Lopez" in html
    assert "No offers right now" in html


def test_the_timeline_names_who_did_it_not_their_login(claimed, ann, client_for):
    html = page(client_for(ann).get(f"/officer/leads/{claimed.pk}/"))
    assert "(Ann Avery)" in html and "(routing)" in html
    assert "(officer:" not in html


def test_the_loser_of_a_claim_is_told_who_won(clock, ann, bob, qualify, run_tasks, client_for):
    RoutingRuleFactory(strategy="broadcast", pool=PoolFactory(members=[ann, bob]))
    lead = qualify(QualifiedLeadFactory())
    with run_tasks():
        client_for(ann).post(f"/officer/leads/{lead.pk}/claim/")
    response = client_for(bob).post(f"/officer/leads/{lead.pk}/claim/", follow=True)
    assert "Ann Avery claimed this lead first." in page(response)
    assert client_for(bob).get(f"/officer/leads/{lead.pk}/").status_code == 404


def test_claiming_needs_a_csrf_token(offered, ann):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ann.user)
    assert client.post(f"/officer/leads/{offered.pk}/claim/").status_code == 403
    assert Lead.objects.get(pk=offered.pk).assigned_officer is None


def test_a_reply_goes_to_the_borrower_from_the_officer(claimed, ann, client_for, run_tasks):
    with run_tasks():
        response = client_for(ann).post(
            f"/officer/leads/{claimed.pk}/reply/",
            {"body": "Hi Maria, free at 3?", "token": "t1"},
            follow=True,
        )
    reply = Message.objects.get(lead=claimed, body="Hi Maria, free at 3?")
    assert (reply.sender, reply.kind, reply.officer, reply.to_number) == (
        "officer",
        "reply",
        ann,
        claimed.phone,
    )
    assert reply.status == "sent"
    assert "Hi Maria, free at 3?" in page(response)


def test_a_reply_sent_twice_goes_out_once(claimed, ann, client_for, run_tasks):
    with run_tasks():
        for _ in range(2):
            client_for(ann).post(f"/officer/leads/{claimed.pk}/reply/", {"body": "Hello!", "token": "same"})
    assert Message.objects.filter(lead=claimed, body="Hello!").count() == 1


def test_an_empty_reply_is_refused(claimed, ann, client_for):
    response = client_for(ann).post(f"/officer/leads/{claimed.pk}/reply/", {"body": "  "}, follow=True)
    assert "Write a message" in page(response)


def test_a_reply_to_a_borrower_who_opted_out_is_not_sent_and_says_why(claimed, ann, client_for):
    Lead.objects.filter(pk=claimed.pk).update(opted_out_at=claimed.updated_at)
    response = client_for(ann).post(
        f"/officer/leads/{claimed.pk}/reply/", {"body": "Still there?"}, follow=True
    )
    assert "Not sent: opted out." in page(response)
    assert not Message.objects.filter(body="Still there?").exists()


def test_marking_won_and_lost(claimed, ann, client_for):
    client_for(ann).post(f"/officer/leads/{claimed.pk}/close/", {"outcome": "won"})
    assert Lead.objects.get(pk=claimed.pk).status == "closed_won"
    client_for(ann).post(f"/officer/leads/{claimed.pk}/close/", {"outcome": "lost"})
    assert Lead.objects.get(pk=claimed.pk).status == "closed_won"  # a loss says why
    client_for(ann).post(
        f"/officer/leads/{claimed.pk}/close/", {"outcome": "lost", "loss_reason": "not_ready"}
    )
    assert Lead.objects.get(pk=claimed.pk).status == "closed_lost"
    html = page(client_for(ann).get("/officer/"))
    assert "Recently closed" in html


def test_resuming_and_pausing_the_assistant(claimed, ann, client_for):
    client_for(ann).post(f"/officer/leads/{claimed.pk}/assistant/", {"on": "1"})
    assert Lead.objects.get(pk=claimed.pk).ai_paused is False
    client_for(ann).post(f"/officer/leads/{claimed.pk}/assistant/", {"on": "0"})
    assert Lead.objects.get(pk=claimed.pk).ai_paused is True


def test_releasing_sends_the_lead_to_someone_else(claimed, ann, bob, client_for, run_tasks):
    RoutingRuleFactory(priority=999)  # everyone: Ann released it, so Bob
    with run_tasks():
        response = client_for(ann).post(f"/officer/leads/{claimed.pk}/release/")
    assert response["Location"] == "/officer/"
    lead = Lead.objects.get(pk=claimed.pk)
    assert (lead.status, lead.assigned_officer, lead.ai_paused) == ("offered", None, False)
    assert Offer.objects.get(lead=lead, status="pending").officer == bob
    assert client_for(ann).get(f"/officer/leads/{lead.pk}/").status_code == 404


def test_only_the_assigned_officer_can_act_on_an_offered_lead(offered, ann, client_for):
    response = client_for(ann).post(f"/officer/leads/{offered.pk}/close/", {"outcome": "won"}, follow=True)
    assert "not assigned to you" in page(response)
    assert Lead.objects.get(pk=offered.pk).status == "offered"


# --- An opt-out given on the phone, recorded by the officer ------------------------------------------


def test_an_officer_records_an_opt_out_given_by_phone(claimed, ann, client_for):
    client = client_for(ann)
    page = client.get(f"/officer/leads/{claimed.pk}/").content.decode()
    assert "Record opt-out" in page
    response = client.post(
        f"/officer/leads/{claimed.pk}/opt-out/",
        {"words": "Please don't text me anymore", "channel": "phone"},
        follow=True,
    )
    assert "nothing more will be texted" in response.content.decode()
    claimed.refresh_from_db()
    assert claimed.opted_out_at is not None
    event = claimed.events.get(type="opted_out")
    assert (event.data["words"], event.data["channel"]) == ("Please don't text me anymore", "phone")
    assert event.actor == f"officer:{ann.pk}"


def test_it_needs_the_borrowers_words(claimed, ann, client_for):
    response = client_for(ann).post(
        f"/officer/leads/{claimed.pk}/opt-out/", {"words": " ", "channel": "phone"}, follow=True
    )
    assert "Write the borrower" in response.content.decode()
    claimed.refresh_from_db()
    assert claimed.opted_out_at is None
