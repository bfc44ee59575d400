"""The re-engagement CSV is read as a stream: checked and counted whole before anything is
imported, never held in memory whole (bench_reengagement_import measures the memory)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leads.models import Lead
from nurture.imports import MAX_ROWS
from nurture.models import Cadence

pytestmark = pytest.mark.django_db

IMPORT = "/admin/nurture/leadtoreengage/import/"


@pytest.fixture
def post_file(admin_client, django_capture_on_commit_callbacks):
    """Upload, let the worker run the job, and read the page the upload leads to."""

    def post(content: bytes) -> str:
        cadence = Cadence.objects.get(slug="not_ready_yet")
        upload = SimpleUploadedFile("aged.csv", content, content_type="text/csv")
        data = {"file": upload, "cadence": cadence.pk, "consent_text": "On file", "start_now": "on"}
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(IMPORT, data)
        return (
            admin_client.get(response["Location"]) if response.status_code == 302 else response
        ).content.decode()

    return post


def test_a_file_over_the_row_limit_is_refused_before_any_row_is_imported(post_file):
    rows = [f"(512) 555-{n % 10000:04d},yes,Ana{n}" for n in range(MAX_ROWS + 1)]

    page = post_file(("phone,sms_consent,first_name\n" + "\n".join(rows)).encode())

    assert f"At most {MAX_ROWS} rows per file" in page
    assert not Lead.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_before_any_row_is_imported(post_file):
    content = "phone,sms_consent,first_name\n(512) 555-0111,yes,Rosa\n(512) 555-0112,yes,José\n"

    page = post_file(content.encode("latin-1"))

    assert "Save the file as CSV in UTF-8." in page
    assert not Lead.objects.exists()


def test_an_upload_kept_on_disk_is_imported_like_one_in_memory(post_file, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # every upload goes to a temporary file
    content = "\ufeffPhone,SMS_Consent,First_Name\n(512) 555-0111,yes,José\n(512) 555-0112,no,Sam\n"

    page = post_file(content.encode())

    assert "2 row(s): 1 enrolled, 1 not texted, 0 rejected" in page
    assert Lead.objects.get().first_name == "José"
