"""/admin/reports/: staff with the report permission only; tables export as CSV."""

import pytest
from django.contrib.auth.models import Permission

from tests.factories import UserFactory


@pytest.fixture
def ops(client, db):
    user = UserFactory(username="ops", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_reports"))
    client.force_login(user)
    return client


def test_it_shows_the_figures_for_the_range(week, ops):
    page = ops.get("/admin/reports/?since=2026-03-02&until=2026-03-08").content.decode()
    assert '<span class="figure" id="figure-leads">5</span>' in page
    assert '<span class="figure" id="figure-speed-p50">3.0 s</span>' in page
    assert "Days and hours are in America/Chicago time" in page
    assert page.count('<svg class="chart"') == 4


def test_sources_read_as_their_names_on_the_page(week, ops):
    page = ops.get("/admin/reports/?since=2026-03-02&until=2026-03-08").content.decode()
    table = page[page.index('id="table-funnel_by_source"') :]
    table = table[: table.index("</table>")]
    assert "<td>Web</td>" in table and "<td>Paid</td>" in table and "<td>web</td>" not in table


def test_a_filter_changes_the_figures(week, ops):
    page = ops.get("/admin/reports/?since=2026-03-02&until=2026-03-08&source=paid").content.decode()
    assert '<span class="figure" id="figure-leads">2</span>' in page


def test_a_table_downloads_as_csv(week, ops):
    response = ops.get("/admin/reports/?since=2026-03-02&until=2026-03-08&export=funnel_by_source")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="funnel_by_source_20260302-20260308.csv"' in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Source,Inquiries,Texted")
    assert lines[2].startswith("web,2,2,1,2,2,1.0,2,1.0,2,2,1,0.5")


def test_an_unknown_table_is_not_found(week, ops):
    assert ops.get("/admin/reports/?export=nope").status_code == 404


def test_a_bad_range_says_what_is_wrong(week, ops):
    page = ops.get("/admin/reports/?since=2026-03-09&until=2026-03-02").content.decode()
    assert "The range must start on or before its last day." in page


def test_staff_without_the_permission_are_refused(client, db):
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/reports/").status_code == 403


def test_a_visitor_is_sent_to_the_login(client, db):
    assert client.get("/admin/reports/").url.startswith("/admin/login/")


def test_the_admin_home_links_to_the_reports(ops):
    assert 'href="/admin/reports/"' in ops.get("/admin/").content.decode()
