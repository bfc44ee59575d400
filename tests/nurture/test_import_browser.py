"""The CSV re-engagement import in Chromium: upload, watch the job's progress, read and download
what became of every line."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from mortgage_sms import jobs
from nurture import imports
from nurture.models import ReengagementImport
from tests.browser import DESKTOP, FITS, admin_log_in, chromium, screenshots  # noqa: F401
from tests.factories import CadenceFactory, CadenceStepFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "phone,first_name,last_name,state,zip_code,sms_consent\n"
    "(512) 555-0111,Rosa,Diaz,TX,78701,yes\n"
    "(512) 555-0112,Sam,Lee,TX,78701,no\n"
    "512-555-01,Kim,Park,TX,78701,yes\n"
    "(512) 555-0114,Max,Ruiz,Texas,78701,yes\n"
    "(512) 555-0115,Ana,Soto,TX,787,yes\n"
    "(214) 555-0116,Leo,Gray,TX,75201,yes\n"
    "(214) 555-0117,Ivy,Chen,TX,75201,yes\n"
    "(214) 555-0118,Tom,Hill,TX,75201,yes\n"
)


def test_ops_upload_a_csv_watch_it_import_and_download_the_results(
    live_server,
    chromium,  # noqa: F811
    screenshots,  # noqa: F811
    monkeypatch,
    tmp_path,
):
    # Its own cadence: an earlier transactional test may have flushed the ones the migrations ship.
    CadenceStepFactory(
        cadence=CadenceFactory(name="Aged leads"),
        position=1,
        body="Hi {first_name}, {company} (NMLS {company_nmls}) here. Still thinking about a home loan? Reply anytime.",
    )
    UserFactory(username="ops", is_staff=True, is_superuser=True)
    page = chromium.new_page(viewport=DESKTOP)
    admin_log_in(page, live_server.url, "ops")
    page.goto(f"{live_server.url}/admin/nurture/leadtoreengage/")
    page.get_by_role("link", name="Import a CSV of aged leads").click()
    (tmp_path / "aged-leads.csv").write_text(CSV)
    page.set_input_files("#id_file", tmp_path / "aged-leads.csv")
    page.select_option("#id_cadence", label="Aged leads")
    page.fill("#id_consent_text", "Agreed to texts on our 2024 web form")
    page.screenshot(path=screenshots / "admin-import-upload.png", full_page=True)

    # No worker has taken the job yet: the page answers at once and says so.
    monkeypatch.setattr(imports, "SLICE_ROWS", 4)
    monkeypatch.setattr(jobs, "enqueue", lambda *args, **kwargs: None)
    page.get_by_role("button", name="Import and enroll").click()
    expect(page.locator("h2")).to_contain_text("Waiting for a worker: 0 of 8 row(s) so far")
    job = ReengagementImport.objects.get()

    imports.reengagement_import_run(job_id=job.pk, budget_seconds=0)  # one slice of four rows
    page.reload()
    expect(page.locator("h2")).to_contain_text(
        "Importing: 4 of 8 row(s) so far: 1 enrolled, 1 not texted, 2 rejected"
    )
    page.screenshot(path=screenshots / "admin-import-progress.png", full_page=True)

    imports.reengagement_import_run(job_id=job.pk)
    # The page refreshes itself while the job runs.
    expect(page.locator("h2")).to_contain_text(
        "8 row(s): 4 enrolled, 1 not texted, 3 rejected", timeout=10_000
    )
    expect(page.locator("table")).to_contain_text("'787' is not a ZIP code.")
    assert page.evaluate(FITS), "the results are cut off at 1280 px"
    page.screenshot(path=screenshots / "admin-import-results.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the results (CSV, every line)").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "line,phone,outcome,detail" and len(lines) == 9
    assert lines[3].startswith("4,512-555-01,rejected,")

    page.goto(f"{live_server.url}/admin/nurture/reengagementimport/")
    expect(page.locator("#result_list")).to_contain_text("8 of 8")
    page.screenshot(path=screenshots / "admin-imports.png")
