"""403, 404 and 500 pages say what happened and what to do next."""

import uuid

import pytest
from django.template.loader import render_to_string
from django.test import override_settings

from tests.factories import LoanOfficerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_officer_following_an_alert_for_a_lead_they_cannot_see_gets_a_way_back(client):
    officer = LoanOfficerFactory()
    client.force_login(officer.user)
    response = client.get(f"/officer/leads/{uuid.uuid4()}/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "another officer may have claimed it" in page and 'href="/officer/">My offers and leads' in page
    assert "No such lead for you." in page


@override_settings(DEBUG=False)
def test_a_missing_page_is_the_products_own(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and 'href="/admin/">Admin home' in response.content.decode()


def test_staff_without_a_permission_are_told_whom_to_ask(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/admin/reports/")
    assert response.status_code == 403
    assert "Ask an administrator" in response.content.decode()


def test_the_500_page_stands_alone():
    page = render_to_string("500.html")
    assert "Something went wrong on our side" in page and "{%" not in page


def test_view_site_leads_staff_to_a_page_of_where_to_work(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/").content.decode()
    assert 'href="/admin/reports/">Reports' in page and 'href="/simulator/">Simulator' in page


def test_view_site_offers_only_the_places_a_person_may_open(client):
    client.force_login(UserFactory(is_staff=True))
    page = client.get("/").content.decode()
    assert 'href="/admin/">Admin' in page
    assert "/admin/reports/" not in page and "/simulator/" not in page  # each answers 403 to this login


def test_an_officer_at_the_root_goes_to_their_offers(client):
    client.force_login(LoanOfficerFactory().user)
    assert client.get("/").url == "/officer/"
