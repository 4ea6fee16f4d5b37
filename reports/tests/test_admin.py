"""The reports changelist in the back office: read-only, for roles that read every unit,
bounded queries whatever the number of reports, and no exact count of a huge table."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huancui_vet import admin_lists
from reports.models import Report
from supervision.tests.factories import make_report

pytestmark = pytest.mark.django_db
URL = "admin:reports_report_changelist"


def _reports(world, months):
    for month in months:
        start = datetime.date(2023 + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        make_report(world.task1, world.edu, start, author=world.reporter)
        make_report(world.task1, world.hr, start, author=world.hr_reporter)


def _queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_the_administrator_reads_every_report_newest_first(client, world):
    _reports(world, range(1, 4))
    client.force_login(world.admin)
    response = client.get(reverse(URL))
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert [r.pk for r in rows] == sorted((r.pk for r in Report.objects.all()), reverse=True)
    html = response.content.decode()
    assert "区教育体育局" in html or "教育" in html
    assert "显示全部" in html  # show_full_result_count = False: no second COUNT(*)


def test_search_finds_a_report_by_its_number_only(client, world):
    _reports(world, range(1, 3))
    wanted = Report.objects.order_by("pk").first()
    client.force_login(world.admin)
    found = client.get(reverse(URL), {"q": f" {wanted.pk} "})
    assert [r.pk for r in found.context["cl"].result_list] == [wanted.pk]
    # Text (a unit name) is not searched: it would read the whole table at province size.
    assert list(client.get(reverse(URL), {"q": "教育"}).context["cl"].result_list) == []
    assert "输入报告编号" in found.content.decode()


@pytest.mark.parametrize("who", ["reporter", "head", "supervisor", "leader"])
def test_other_roles_have_no_reports_changelist(client, world, who):
    _reports(world, [1])
    client.force_login(getattr(world, who))
    response = client.get(reverse(URL))
    assert response.status_code in (302, 403)


def test_the_changelist_is_read_only(client, world):
    _reports(world, [1])
    client.force_login(world.admin)
    report = Report.objects.first()
    assert client.get(reverse("admin:reports_report_add")).status_code == 403
    assert client.get(reverse("admin:reports_report_delete", args=[report.pk])).status_code == 403
    page = client.get(reverse("admin:reports_report_change", args=[report.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


@pytest.mark.parametrize("query", ["", "?state__exact=draft", "?department__id__exact=1"])
def test_query_count_is_flat_with_more_reports(client, world, query):
    client.force_login(world.admin)
    url = reverse(URL) + query
    _reports(world, range(1, 3))
    small, _ = _queries(client, url)
    _reports(world, range(3, 25))
    large, response = _queries(client, url)
    assert large == small
    assert len(response.context["cl"].result_list) <= 100


def test_a_large_list_is_counted_by_estimate(client, world, monkeypatch):
    """Past ESTIMATE_ABOVE rows a list takes the planner's estimate (the table's for the
    unfiltered list, EXPLAIN's for a filtered one); a list the planner overrates but that
    really holds no more than ESTIMATE_ABOVE rows is counted exactly (no empty pages)."""
    _reports(world, range(1, 4))  # 6 drafts
    monkeypatch.setattr(admin_lists, "ESTIMATE_ABOVE", 4)
    monkeypatch.setattr(admin_lists, "estimated_rows", lambda queryset: 1_234_567)
    client.force_login(world.admin)
    response = client.get(reverse(URL))
    assert response.context["cl"].result_count == 1_234_567
    assert len(response.context["cl"].result_list) == 6
    monkeypatch.setattr(admin_lists, "planned_rows", lambda queryset: 20_000)
    filtered = client.get(reverse(URL) + "?state__exact=draft")
    assert filtered.context["cl"].result_count == 20_000
    # The planner's guess is far too high for a filter that matches nothing: exact 0.
    overrated = client.get(reverse(URL) + "?state__exact=accepted")
    assert overrated.context["cl"].result_count == 0
    monkeypatch.setattr(admin_lists, "planned_rows", lambda queryset: 3)
    assert client.get(reverse(URL) + "?state__exact=draft").context["cl"].result_count == 6
    monkeypatch.setattr(admin_lists, "estimated_rows", lambda queryset: 3)
    assert client.get(reverse(URL)).context["cl"].result_count == 6


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_class estimate")
def test_the_estimate_comes_from_pg_class(world):
    _reports(world, range(1, 4))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_report")
    assert admin_lists.estimated_rows(Report.objects.all()) == 6
    assert admin_lists.planned_rows(Report.objects.filter(department=world.edu)) >= 1
    assert admin_lists.planned_rows(Report.objects.none()) == 0  # nothing to plan, no error
