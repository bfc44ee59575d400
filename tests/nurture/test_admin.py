"""Ops edit cadences with previews, re-engage aged leads by action or CSV, stop enrollments."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from conversations.models import Message
from leads.models import Lead
from nurture.models import Cadence, CadenceStep, Enrollment
from tests.factories import EnrollmentFactory, LeadFactory, LoanOfficerFactory, UserFactory

pytestmark = pytest.mark.django_db

CENTRAL = ZoneInfo("America/Chicago")
CHANGELIST = "/admin/nurture/leadtoreengage/"
IMPORT = "/admin/nurture/leadtoreengage/import/"


def not_ready_yet():
    return Cadence.objects.get(slug="not_ready_yet")


def test_it_previews_each_step_and_the_schedule_for_a_sample_borrower(admin_client):
    cadence = Cadence.objects.get(slug="no_reply_yet")
    page = admin_client.get(f"/admin/nurture/cadence/{cadence.pk}/change/").content.decode()
    assert "Hi Maria, just making sure my text reached you." in page
    assert "Hola Maria, solo quería confirmar" in page
    assert "10 min" in page and "7 d" in page


def test_it_refuses_a_template_with_a_placeholder_it_does_not_know():
    step = CadenceStep(
        cadence=not_ready_yet(), position=99, delay_amount=1, body="Hi {first_name}, your SSN {ssn}?"
    )
    with pytest.raises(ValidationError, match=r"Unknown placeholder\(s\): \{ssn\}"):
        step.full_clean()


def test_it_refuses_a_template_that_reaches_into_objects():
    step = CadenceStep(cadence=not_ready_yet(), position=99, delay_amount=1, body="{first_name.__class__}")
    with pytest.raises(ValidationError, match="Unknown placeholder"):
        step.full_clean()


def test_it_refuses_a_text_longer_than_three_segments():
    step = CadenceStep(
        cadence=not_ready_yet(), position=99, delay_amount=1, body="Hi {first_name}. " + "x" * 430
    )
    with pytest.raises(ValidationError, match=r"4 SMS segment\(s\), GSM-7.*keep it to 3 at most"):
        step.full_clean()


def test_it_fills_in_the_assigned_officer(run_tasks):
    from nurture.rendering import render_template

    officer = LoanOfficerFactory(name="Dana Cruz", nmls_id="765432")
    lead = LeadFactory(first_name="", assigned_officer=officer)
    assert render_template("Hi {first_name}, {officer_name} (NMLS {officer_nmls}) here.", lead, officer) == (
        "Hi there, Dana Cruz (NMLS 765432) here."
    )


def reengage(admin_client, leads, cadence):
    return admin_client.post(
        CHANGELIST,
        {
            "action": "reengage",
            "_selected_action": [lead.pk for lead in leads],
            "cadence": cadence.pk,
            "start_now": "on",
        },
        follow=True,
    )


def test_it_reengages_selected_aged_leads_and_reports_the_ones_it_may_not_text(admin_client):
    aged = LeadFactory(status="unresponsive", state="TX", phone="+15125550101")
    no_consent = LeadFactory(status="unresponsive", sms_consent=False, phone="+15125550102")
    lost = LeadFactory(status="closed_lost", phone="+15125550103")
    with time_machine.travel(datetime(2026, 10, 6, 22, tzinfo=CENTRAL), tick=False):
        response = reengage(admin_client, [aged, no_consent, lost], not_ready_yet())
    page = response.content.decode()
    assert "1 lead(s) enrolled." in page
    assert "no SMS consent on file" in page and "status is closed_lost" in page
    aged.refresh_from_db()
    # At once means at the next opening: 09:00 (Texas) the next morning, not 22:00.
    assert (aged.nurture_cadence, aged.next_touch_at) == (
        "not_ready_yet",
        datetime(2026, 10, 7, 9, tzinfo=CENTRAL),
    )
    assert not Enrollment.objects.filter(lead__in=[no_consent, lost]).exists()


def test_it_asks_for_a_cadence_before_reengaging(admin_client):
    lead = LeadFactory(status="unresponsive")
    response = admin_client.post(
        CHANGELIST, {"action": "reengage", "_selected_action": [lead.pk], "cadence": ""}, follow=True
    )
    assert "Choose a cadence next to the action." in response.content.decode()
    assert not Enrollment.objects.exists()


CSV = (
    "Phone,First_Name,State,ZIP_Code,SMS_Consent,consent_text\n"
    "(512) 555-0111,Rosa,TX,78701,yes,Agreed on our 2024 web form\n"
    "(512) 555-0112,Sam,TX,78701,no,\n"
    "(512) 555-0113,Kim,TX,78701,,\n"
    "not a phone,Lee,TX,78701,yes,\n"
    "(512) 555-0114,Max,Texas,78701,yes,\n"
)


@pytest.fixture
def import_csv(admin_client, django_capture_on_commit_callbacks):
    """Upload as ops do, let the worker run the job, and open the job's page (where the upload
    leads)."""

    def upload(content: str, cadence=None):
        data = {
            "file": SimpleUploadedFile("aged.csv", content.encode(), content_type="text/csv"),
            "cadence": (cadence or not_ready_yet()).pk,
            "consent_text": "On file",
            "start_now": "on",
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(IMPORT, data)
        return admin_client.get(response["Location"]) if response.status_code == 302 else response

    return upload


def test_it_imports_a_csv_and_texts_only_rows_with_consent(import_csv):
    with time_machine.travel(datetime(2026, 10, 6, 23, tzinfo=CENTRAL), tick=False):
        page = import_csv(CSV).content.decode()
    assert "5 row(s): 1 enrolled, 2 not texted, 2 rejected" in page
    assert "no SMS consent in the file" in page
    assert "is not a phone number" in page and "not a two-letter US state code" in page
    rosa = Lead.objects.get(phone="+15125550111")
    assert (rosa.source, rosa.sms_consent, rosa.consent_text) == (
        "import",
        True,
        "Agreed on our 2024 web form",
    )
    assert rosa.next_touch_at == datetime(2026, 10, 7, 9, tzinfo=CENTRAL)  # Texas opens at nine
    assert not Lead.objects.filter(phone__in=["+15125550112", "+15125550113"]).exists()
    # No greeting at 23:00: aged leads get the cadence's texts, inside the window.
    assert not Message.objects.exists()


def test_it_enrolls_an_existing_lead_from_the_csv_without_a_new_inquiry(import_csv):
    lead = LeadFactory(phone="+15125550111", status="unresponsive")
    import_csv(CSV)
    lead.refresh_from_db()
    assert lead.nurture_cadence == "not_ready_yet"
    assert lead.inquiries.count() == 0


def test_importing_the_same_file_twice_enrolls_nobody_twice(import_csv):
    import_csv(CSV)
    page = import_csv(CSV).content.decode()
    assert "0 enrolled" in page and "already in the cadence" in page
    assert Enrollment.objects.count() == 1
    assert Lead.objects.get(phone="+15125550111").inquiries.count() == 1


def test_it_refuses_a_csv_without_a_consent_column_and_stores_nothing(import_csv):
    page = import_csv("phone,first_name\n5125550111,Rosa\n").content.decode()
    assert "The file needs the column(s) sms_consent" in page
    assert not Lead.objects.exists()


def test_it_lets_ops_stop_an_enrollment(admin_client):
    enrollment = EnrollmentFactory()
    admin_client.post(
        "/admin/nurture/enrollment/",
        {"action": "stop", "_selected_action": [enrollment.pk], "confirmed": "yes"},
        follow=True,
    )
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.stop_reason) == ("stopped", "stopped_by_staff")


def test_the_admin_pages_render(admin_client):
    EnrollmentFactory()
    for url in [
        "/admin/nurture/cadence/",
        "/admin/nurture/enrollment/",
        CHANGELIST,
        IMPORT,
        "/admin/nurture/cadence/add/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_staff_who_may_only_look_cannot_import(client):
    from django.contrib.auth.models import Permission

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_leadtoreengage"))
    client.force_login(viewer)
    assert client.get(CHANGELIST).status_code == 200
    assert client.get(IMPORT).status_code == 403
