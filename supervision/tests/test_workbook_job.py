"""The workbook with its 填报明细 sheet is built by a background job (我的导出)."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.urls import reverse
from openpyxl import load_workbook

from departments.models import Role, SecurityEvent
from jobs.models import Job
from notifications.models import Notice
from reports.models import Report
from supervision.tests.excel_fixtures import AS_OF, load_real_plan, seed_history
from supervision.workbook import (
    DETAIL_SHEET_NAME,
    SHEET_NAMES,
    XLSX_CONTENT_TYPE,
    build_workbook,
    collect_workbook_data,
)
from supervision.workbook import job as workbook_job

URL = reverse("supervision:export_workbook")


def values(ws):
    return [list(row) for row in ws.iter_rows(values_only=True)]


@pytest.fixture
def huancui(world):
    plan = load_real_plan()
    seed_history(plan, user=world.reporter)
    return plan


def start(client, user, **params):
    client.force_login(user)
    query = "&".join(f"{k}={v}" for k, v in {**params, "details": "1"}.items())
    return client.post(f"{URL}?{query}")


def test_the_button_starts_a_job_whose_file_is_the_workbook_with_details(client, world, huancui):
    response = start(client, world.leader, plan=huancui.pk, as_of="2023-06-30")
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.created_by, job.status) == (
        workbook_job.WORKBOOK_JOB,
        world.leader,
        Job.Status.DONE,
    )
    reports = Report.objects.filter(task__plan=huancui).count()
    assert (job.progress_done, job.progress_total) == (reports, reports)
    assert job.message == f"工作簿已生成，填报明细 {reports} 条。"
    assert job.result_name == "环翠区职业教育创新发展高地建设推进情况_2023-06-30.xlsx"
    assert job.content_type == XLSX_CONTENT_TYPE

    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    made = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert made.sheetnames == [*SHEET_NAMES, DETAIL_SHEET_NAME]
    # Exactly the workbook the direct builder writes for the same user and filters.
    expected_file = io.BytesIO()
    data = collect_workbook_data(
        plan=huancui, year=2023, as_of=AS_OF, user=world.leader, score_period="plan"
    )
    build_workbook(data, expected_file, include_details=True)
    expected = load_workbook(expected_file)
    for name in made.sheetnames:
        assert values(made[name]) == values(expected[name]), name
    details = made[DETAIL_SHEET_NAME]
    assert details.max_row - 3 == reports
    first = [c.value for c in details[4]]
    assert first[:6] == [1, "区教育体育局", "牵头", "2020年7月", "审核通过", "正常推进"]


def test_the_job_export_is_audited_with_the_user(client, world, huancui):
    start(client, world.supervisor, plan=huancui.pk, as_of="2023-06-30")
    [(username, detail)] = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.EXPORT).values_list(
        "username", "detail"
    )
    assert username == world.supervisor.username
    assert "后台任务" in detail and "含填报明细" in detail and f"方案{huancui.pk}" in detail


def test_the_creator_is_notified_with_a_link(client, world, huancui):
    start(client, world.leader, plan=huancui.pk, as_of="2023-06-30")
    job = Job.objects.get()
    [notice] = Notice.objects.filter(recipient=world.leader)
    assert notice.title == "后台任务已完成：推进情况工作簿（含填报明细）"
    assert notice.url == reverse("jobs:detail", args=[job.pk])


def test_get_with_details_shows_the_button_and_starts_nothing(client, world):
    client.force_login(world.leader)
    response = client.get(URL, {"plan": world.plan.pk, "details": "1"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "在后台生成工作簿" in text and 'method="post"' in text
    assert not Job.objects.exists()


@pytest.mark.parametrize("persona", ["reporter", "head", "other_reporter"])
def test_department_staff_cannot_start_it(client, world, persona):
    response = start(client, getattr(world, persona), plan=world.plan.pk)
    assert response.status_code == 403
    assert not Job.objects.exists()


@pytest.mark.parametrize("persona", ["supervisor", "leader", "admin"])
def test_each_reading_role_gets_its_own_job_page_and_file(client, world, persona):
    user = getattr(world, persona)
    start(client, user, plan=world.plan.pk)
    job = Job.objects.get(created_by=user)
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 200
    # Another reading role and another unit's staff never see it.
    for other in ("neutral_supervisor", "other_reporter"):
        client.force_login(getattr(world, other))
        assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_a_leader_who_lost_the_role_gets_403_at_download(client, world):
    start(client, world.leader, plan=world.plan.pk)
    job = Job.objects.get()
    world.leader.groups.set([Group.objects.get(name=Role.REPORTER.label)])
    client.force_login(world.leader)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 403


def test_more_rows_than_a_sheet_holds_fail_in_chinese(client, world, huancui, monkeypatch):
    monkeypatch.setattr(workbook_job, "DETAIL_ROW_LIMIT", 10)
    start(client, world.leader, plan=huancui.pk, as_of="2023-06-30")
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert "超过 Excel 工作表上限" in job.message
    assert not job.result.name
    [notice] = Notice.objects.filter(recipient=world.leader)
    assert notice.title == "后台任务失败：推进情况工作簿（含填报明细）"


def test_a_rerun_writes_its_own_file_and_removes_the_earlier_one(client, world):
    from jobs.services import job_run

    start(client, world.leader, plan=world.plan.pk)
    job = Job.objects.get()
    name = job.result.name
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING,
        heartbeat_at=job.finished_at - datetime.timedelta(hours=2),
    )
    job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)
    assert (name, job.result.name) == (f"jobs/{job.pk}-a1.xlsx", f"jobs/{job.pk}-a2.xlsx")
    assert default_storage.exists(job.result.name)
    assert not default_storage.exists(name)
