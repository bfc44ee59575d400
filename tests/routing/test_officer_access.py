"""Who may use the officer pages: an officer deactivated in the admin loses their leads at once."""

import pytest
from django.test import Client

from conversations.models import Message
from mortgage_sms.errors import ApplicationError
from routing import services
from routing.models import LoanOfficer
from tests.factories import PoolFactory, QualifiedLeadFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann(make_officer):
    return make_officer(name="Ann Avery")


@pytest.fixture
def claimed(clock, ann, qualify, run_tasks):
    RoutingRuleFactory(pool=PoolFactory(members=[ann]))
    lead = qualify(QualifiedLeadFactory(first_name="Maria"))
    with run_tasks():
        services.offer_claim(officer=ann, lead_id=lead.pk)
    return lead


def logged_in(officer) -> Client:
    client = Client()
    client.force_login(officer.user)
    return client


def deactivate(officer) -> LoanOfficer:
    LoanOfficer.objects.filter(pk=officer.pk).update(active=False)
    return LoanOfficer.objects.get(pk=officer.pk)


def test_a_deactivated_officer_no_longer_sees_their_leads(claimed, ann):
    client = logged_in(ann)
    assert "Maria" in client.get("/officer/").content.decode()

    deactivate(ann)

    for url in ("/officer/", f"/officer/leads/{claimed.pk}/"):
        response = client.get(url)
        assert response.status_code == 403 and "Maria" not in response.content.decode()
        assert "deactivated" in response.content.decode()


def test_a_deactivated_officer_cannot_text_the_borrower(claimed, ann, run_tasks):
    client = logged_in(ann)
    deactivate(ann)

    with run_tasks():
        response = client.post(f"/officer/leads/{claimed.pk}/reply/", {"body": "Still there?", "token": "t"})

    assert response.status_code == 403
    assert not Message.objects.filter(body="Still there?").exists()


def test_the_services_refuse_a_deactivated_officer_whoever_calls_them(claimed, ann):
    ann = deactivate(ann)

    with pytest.raises(ApplicationError, match="deactivated"):
        services.officer_reply(officer=ann, lead=claimed, body="Hello")
    with pytest.raises(ApplicationError, match="deactivated"):
        services.offer_claim(officer=ann, lead_id=claimed.pk)
    assert not Message.objects.filter(body="Hello").exists()


def test_a_deactivated_login_is_logged_out(claimed, ann):
    client = logged_in(ann)
    ann.user.is_active = False
    ann.user.save()

    assert client.get(f"/officer/leads/{claimed.pk}/").status_code == 302
