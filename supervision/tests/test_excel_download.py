"""导出Excel download: who may download, file name header, filters, refusals."""

import datetime
import html
import io
import re
from urllib.parse import quote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jobs.models import Job
from supervision.scoring import in_ranking_order
from supervision.selectors import scorecard_data
from supervision.tests.excel_fixtures import AS_OF, load_real_plan, seed_history, table_rows
from supervision.workbook import SHEET_NAMES, XLSX_CONTENT_TYPE
from supervision.workbook import job as workbook_job

URL = reverse("supervision:export_workbook")


def download(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def workbook_of(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["reporter", "head", "hr_reporter", "other_reporter"])
def test_department_staff_are_refused(client, world, persona):
    response = download(client, getattr(world, persona), plan=world.plan.pk)
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["supervisor", "neutral_supervisor", "leader", "admin"])
def test_supervisors_leaders_and_admins_download_the_workbook(client, world, persona):
    response = download(client, getattr(world, persona), plan=world.plan.pk, as_of="2023-06-30")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Cache-Control"] == "no-store"
    assert workbook_of(response).sheetnames == list(SHEET_NAMES)


def test_file_name_is_chinese_dated_and_utf8_encoded(client, world):
    response = download(client, world.leader, plan=world.plan.pk, as_of="2023-06-30")
    name = "测试推进情况_2023-06-30.xlsx"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote(name)}" in disposition


def test_real_plan_file_name(client, world):
    plan = load_real_plan()
    response = download(client, world.leader, plan=plan.pk, as_of="2023-06-30")
    expected = quote("环翠区职业教育创新发展高地建设推进情况_2023-06-30.xlsx")
    assert f"filename*=utf-8''{expected}" in response["Content-Disposition"]


def test_department_filter_names_the_unit_and_keeps_its_rows(client, world):
    response = download(
        client, world.supervisor, plan=world.plan.pk, as_of="2023-06-30", department=world.hr.pk
    )
    assert quote("区人力资源社会保障局") in response["Content-Disposition"]
    ws = workbook_of(response)["部门评分"]
    units = [r[2] for r in table_rows(ws)]
    assert units == [world.hr.name]


def test_filters_match_the_page_parameters(client, world):
    plan = load_real_plan()
    seed_history(plan, user=world.reporter, skip_last_for={3})
    response = download(client, world.leader, plan=plan.pk, year=2022, as_of=AS_OF.isoformat())
    ws = workbook_of(response)["汇总"]
    assert ws["C2"].value.date() == AS_OF
    assert ws["C3"].value == "2022年"


def test_invalid_page_filters_fall_back_to_the_pages_defaults(client, world):
    # The pages ignore invalid filters and show their defaults; the export does the same.
    response = download(client, world.leader, plan=999999, as_of="2023-13-45")
    assert response.status_code == 200
    assert workbook_of(response)["汇总"]["A1"].value == "测试实施方案推进情况汇总"


def test_unknown_department_is_refused_in_chinese(client, world):
    response = download(client, world.leader, plan=world.plan.pk, department=999999)
    assert response.status_code == 400
    assert "单位不存在" in response.content.decode()


def test_scorecard_page_window_is_used(client, world):
    plan = load_real_plan()
    seed_history(plan, user=world.reporter, skip_last_for={3})
    response = download(
        client,
        world.leader,
        plan=plan.pk,
        as_of=AS_OF.isoformat(),
        period_kind="year",
        period="2022-05-01",
    )
    ws = workbook_of(response)["部门评分"]
    assert "2022年" in ws["A2"].value
    scorecard = scorecard_data(
        plan=plan,
        period_kind="year",
        period_start=datetime.date(2022, 5, 1),
        as_of=AS_OF,
        user=world.leader,
    )
    scores = [r[3] for r in table_rows(ws)]
    assert scores == [float(r.score) for r in in_ranking_order(scorecard.rows)]


def test_detail_sheet_on_request_is_a_background_job(client, world):
    client.force_login(world.leader)
    response = client.post(f"{URL}?plan={world.plan.pk}&details=1")
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert workbook_of(download).sheetnames[-1] == "填报明细"


def test_detail_sheet_larger_than_a_sheet_fails_in_chinese(client, world, monkeypatch):
    plan = load_real_plan()
    seed_history(plan, user=world.reporter)
    monkeypatch.setattr(workbook_job, "DETAIL_ROW_LIMIT", 10)
    client.force_login(world.leader)
    client.post(f"{URL}?plan={plan.pk}&as_of=2023-06-30&details=1")
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert "超过 Excel 工作表上限" in job.message


def test_other_methods_are_not_allowed(client, world):
    client.force_login(world.leader)
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("supervision:dashboard", {"year": "2023", "as_of": "2023-06-30"}),
        ("supervision:scorecard", {"period_kind": "year", "as_of": "2023-06-30"}),
    ],
)
def test_pages_link_to_the_export_with_their_filters(client, world, page, query):
    client.force_login(world.leader)
    response = client.get(reverse(page), {"plan": world.plan.pk, **query})
    assert response.status_code == 200
    hrefs = re.findall(r'href="([^"]*export\.xlsx[^"]*)"', response.content.decode())
    assert hrefs, "the page has no 导出Excel link"
    href = html.unescape(hrefs[0])
    for key, value in query.items():
        assert f"{key}={value}" in href
    download = client.get(href)
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX_CONTENT_TYPE
    assert "2023-06-30" in download["Content-Disposition"]
