"""The CSV re-engagement import as a background job: the upload answers at once, ops watch the
job's progress in the admin and download what became of every line; the job can run twice."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from leads.models import Inquiry, Lead
from mortgage_sms.errors import ApplicationError
from nurture import imports
from nurture.models import Cadence, Enrollment, ReengagementImport
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

IMPORT = "/admin/nurture/leadtoreengage/import/"
CSV = (
    "phone,first_name,state,sms_consent\n"
    "(512) 555-0111,Rosa,TX,yes\n"
    "(512) 555-0112,Sam,TX,no\n"
    "not a phone,Lee,TX,yes\n"
    "(512) 555-0114,Max,Texas,yes\n"
    "(512) 555-0115,Ana,TX,yes\n"
)


def upload(admin_client, content: str = CSV):
    data = {
        "file": SimpleUploadedFile("aged leads.csv", content.encode(), content_type="text/csv"),
        "cadence": Cadence.objects.get(slug="not_ready_yet").pk,
        "consent_text": "On file",
        "start_now": "on",
    }
    return admin_client.post(IMPORT, data)


def test_the_upload_answers_at_once_and_leads_to_the_jobs_page(admin_client):
    response = upload(admin_client)  # the job is queued on commit; no worker runs it here

    job = ReengagementImport.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/admin/nurture/reengagementimport/{job.pk}/change/"
    )
    page = admin_client.get(response["Location"]).content.decode()
    assert "Waiting for a worker: 0 of 5 row(s) so far" in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert not Lead.objects.exists()


def test_ops_see_the_rows_done_so_far_while_the_job_runs(admin_client, monkeypatch):
    monkeypatch.setattr(imports, "SLICE_ROWS", 2)
    upload(admin_client)
    job = ReengagementImport.objects.get()

    assert imports.reengagement_import_run(job_id=job.pk, budget_seconds=0) == "continues in another task"

    page = admin_client.get(f"/admin/nurture/reengagementimport/{job.pk}/change/").content.decode()
    assert "Importing: 2 of 5 row(s) so far: 1 enrolled, 1 not texted, 0 rejected" in page
    listed = admin_client.get("/admin/nurture/reengagementimport/").content.decode()
    assert "2 of 5" in listed


def test_a_finished_job_lists_the_lines_not_enrolled_with_their_reasons(admin_client, run_tasks):
    with run_tasks():
        response = upload(admin_client)

    page = admin_client.get(response["Location"]).content.decode()
    assert "5 row(s): 2 enrolled, 1 not texted, 2 rejected" in page
    assert (
        "<td>3</td><td>(512) 555-0112</td><td><b>not texted</b></td><td>no SMS consent in the file</td>"
        in page
    )
    assert "<td>4</td><td>not a phone</td><td><b>rejected</b></td>" in page
    assert "not a two-letter US state code" in page
    assert "http-equiv" not in page
    assert Enrollment.objects.count() == 2


def test_the_results_download_holds_every_line(admin_client, run_tasks):
    with run_tasks():
        upload(admin_client, CSV + '=HYPERLINK("http://x"),Eve,TX,yes\n')
    job = ReengagementImport.objects.get()

    response = admin_client.get(f"/admin/nurture/reengagementimport/{job.pk}/results.csv")

    assert response["Content-Disposition"] == f'attachment; filename="import-{job.pk}-results.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["line", "phone", "outcome", "detail"]
    assert [(row[0], row[2]) for row in rows[1:]] == [
        ("2", "enrolled"),
        ("3", "not texted"),
        ("4", "rejected"),
        ("5", "rejected"),
        ("6", "enrolled"),
        ("7", "rejected"),
    ]
    assert (rows[1][1], rows[3][1]) == ("+15125550111", "not a phone")
    assert rows[-1][1].startswith("'=")  # a spreadsheet shows it, never runs it


def test_a_job_run_twice_imports_each_line_once(admin_client, run_tasks):
    with run_tasks():
        upload(admin_client)
    job = ReengagementImport.objects.get()
    # The broker delivers the task again (at least once), even while it is running.
    ReengagementImport.objects.filter(pk=job.pk).update(status="running")

    with run_tasks():
        imports.reengagement_import_run(job_id=job.pk)
        imports.reengagement_import_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.enrolled, job.rows.count()) == ("done", 5, 2, 5)
    assert Inquiry.objects.count() == 2 and Enrollment.objects.count() == 2


def test_a_job_whose_worker_was_lost_is_queued_again(admin_client, monkeypatch, run_tasks, time_machine):
    monkeypatch.setattr(imports, "SLICE_ROWS", 2)
    time_machine.move_to(timezone.now(), tick=False)
    upload(admin_client)
    job = ReengagementImport.objects.get()
    imports.reengagement_import_run(job_id=job.pk, budget_seconds=0)  # its next task is lost

    assert imports.reengagement_import_resume_lost() == 0  # heard from just now
    time_machine.shift(timedelta(minutes=2))
    with run_tasks():
        assert imports.reengagement_import_resume_lost() == 1

    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.enrolled) == ("done", 5, 2)


def test_a_job_that_breaks_says_so_on_its_page(admin_client, run_tasks):
    upload(admin_client)
    job = ReengagementImport.objects.get()
    ReengagementImport.objects.filter(pk=job.pk).update(content=b"\xff\xfe not csv")

    with pytest.raises(ApplicationError):
        imports.reengagement_import_run(job_id=job.pk)

    page = admin_client.get(f"/admin/nurture/reengagementimport/{job.pk}/change/").content.decode()
    assert "The import stopped: Save the file as CSV in UTF-8." in page


def test_staff_who_may_import_see_their_imports_and_others_do_not(client, run_tasks, admin_client):
    from django.contrib.auth.models import Permission

    upload(admin_client)
    job = ReengagementImport.objects.get()
    importer = UserFactory(is_staff=True)
    importer.user_permissions.add(Permission.objects.get(codename="change_enrollment"))
    onlooker = UserFactory(is_staff=True)

    client.force_login(importer)
    assert client.get(f"/admin/nurture/reengagementimport/{job.pk}/change/").status_code == 200
    client.force_login(onlooker)
    assert client.get(f"/admin/nurture/reengagementimport/{job.pk}/change/").status_code == 403
    assert client.get(f"/admin/nurture/reengagementimport/{job.pk}/results.csv").status_code == 403


def test_a_phone_twice_in_the_file_is_enrolled_once_and_crms_hear_of_each_new_lead(admin_client, run_tasks):
    from integrations.models import OutboundEvent
    from tests.factories import WebhookSubscriptionFactory

    WebhookSubscriptionFactory(events=["lead.created"])
    with run_tasks():
        upload(admin_client, CSV + "512.555.0111,Rosa,TX,yes\n")
    job = ReengagementImport.objects.get()

    assert [(row.line, row.outcome, row.detail) for row in job.rows.filter(phone="+15125550111")] == [
        (2, "enrolled", "Rosa (+15125550111)"),
        (7, "not texted", "already in the cadence 'Not ready yet'"),
    ]
    assert Lead.objects.filter(phone="+15125550111").get().inquiries.count() == 1
    assert OutboundEvent.objects.filter(type="lead.created").count() == 2
