"""原始数据 (raw report data) as CSV and xlsx: every field, scoping per role, formula safety,
streaming, the BOM, bounded queries, and a LibreOffice round trip with Chinese intact."""

import codecs
import csv
import datetime
import io
import subprocess
import tracemalloc
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from departments.models import SecurityEvent
from jobs.models import Job
from reports import raw_export, services
from reports.models import Report
from reports.tests.factories import JUNE, MAY, draft, pdf, submitted
from tasks.models import Plan


def csv_url(world, **params):
    return reverse("reports:raw_csv", kwargs={"plan_pk": world.plan.pk}), params


def export(client, url, params=None, *, expect_job=True):
    """Start the export job (the page's button posts to its link) and return the download
    of its file (the job runs inline in tests); or the refusal when `expect_job` is False."""
    query = "&".join(f"{key}={value}" for key, value in (params or {}).items())
    response = client.post(f"{url}?{query}" if query else url)
    if not expect_job:
        return response
    assert response.status_code == 302, response.status_code
    job = Job.objects.get(pk=response["Location"].split("/")[-2])
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.DONE, job.message
    return client.get(reverse("jobs:download", args=[job.pk]))


def read_csv(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def reports(world, frozen):
    """教育局's May report (returned once with a comment, then accepted) with target value and
    evidence; 人社局's supporting June draft; 人社局's lead report on task 2."""
    may = draft(
        world,
        period=MAY,
        fields={
            "progress_status": "on_track",
            "percent": 60,
            "work_done": '=HYPERLINK("http://x")完成选址',
            "problems": "资金不足",
            "next_steps": "下月完成设计招标",
        },
        target_values={world.target1: Decimal("32.5")},
    )
    services.evidence_add(user=world.reporter, report=may, uploaded_file=pdf("验收报告.pdf"))
    may = services.report_submit(user=world.reporter, report=may)
    services.report_return(user=world.neutral_supervisor, report=may, comment="请补充照片")
    may = services.report_submit(user=world.reporter, report=Report.objects.get(pk=may.pk))
    services.report_accept(user=world.neutral_supervisor, report=may, comment="同意")
    draft(world, user=world.hr_reporter, period=JUNE)
    submitted(world, user=world.hr_reporter, task=world.task2, period=MAY)
    return may


def test_supervisor_csv_has_every_field_with_bom_and_chinese(client, world, reports):
    client.force_login(world.neutral_supervisor)
    url, params = csv_url(world)
    response = export(client, url, params)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert len(rows) == 3
    may = rows[0]
    assert may["任务序号"] == "1" and may["单位"] == "区教育体育局" and may["分工"] == "牵头"
    assert may["填报期"] == "2023年5月" and may["流转状态"] == "审核通过"
    assert may["完成率(%)"] == "60" and may["下一步计划"] == "下月完成设计招标"
    assert may["本期工作进展"].startswith("'=HYPERLINK")  # never evaluated by Excel
    assert may["指标实际值"] == "2024年专业教师“双师型”比例：32.5%"
    assert may["佐证材料"] == "验收报告.pdf"
    assert "退回修改：请补充照片" in may["审核与退回意见"]
    assert "审核通过：同意" in may["审核与退回意见"]
    assert may["填报人"] == "张填报" and may["审核人"] == "周督查"
    assert may["审核时间"] == "2023-07-10 10:00" and may["退回次数"] == "1"
    [(username, detail)] = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.EXPORT).values_list(
        "username", "detail"
    )
    assert username == world.neutral_supervisor.username
    assert detail == f"导出填报原始数据（CSV，后台任务）：方案{world.plan.pk}"
    job = Job.objects.get()
    assert (job.progress_done, job.progress_total, job.message) == (3, 3, "已导出 3 份报告。")


def test_reporter_gets_only_own_units_reports(client, world, reports):
    client.force_login(world.hr_reporter)
    url, params = csv_url(world)
    rows = read_csv(export(client, url, params))
    assert {r["单位"] for r in rows} == {"区人力资源社会保障局"} and len(rows) == 2
    # Asking for another unit changes nothing: staff are held to their own.
    url, params = csv_url(world, department=world.edu.pk)
    assert {r["单位"] for r in read_csv(export(client, url, params))} == {"区人力资源社会保障局"}


def test_lead_unit_does_not_get_supporting_units_raw_rows(client, world, reports):
    client.force_login(world.reporter)
    url, params = csv_url(world)
    assert {r["单位"] for r in read_csv(export(client, url, params))} == {"区教育体育局"}


def test_leader_filters_by_unit_and_as_of(client, world, reports):
    client.force_login(world.leader)
    url, params = csv_url(world, department=world.hr.pk, as_of="2023-05-31")
    rows = read_csv(export(client, url, params))
    assert [(r["单位"], r["填报期"]) for r in rows] == [("区人力资源社会保障局", "2023年5月")]


def test_outsider_gets_404_and_bad_filters_400(client, world, reports):
    other_plan = Plan.objects.create(title="另一方案", start_year=2023, end_year=2024)
    client.force_login(world.other_reporter)  # 财政局 has no task in the plan
    assert client.get(csv_url(world)[0]).status_code == 404
    assert export(client, csv_url(world)[0], expect_job=False).status_code == 404
    client.force_login(world.reporter)
    url = reverse("reports:raw_xlsx", kwargs={"plan_pk": other_plan.pk})
    assert client.get(url).status_code == 404
    assert export(client, url, expect_job=False).status_code == 404
    bad = client.get(csv_url(world)[0], {"as_of": "2023-13-01"})
    assert bad.status_code == 400 and "导出参数有误" in bad.text
    bad = export(client, csv_url(world)[0], {"as_of": "2023-13-01"}, expect_job=False)
    assert bad.status_code == 400 and "导出参数有误" in bad.text
    assert not Job.objects.exists()


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(csv_url(world)[0])
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = client.post(csv_url(world)[0])
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_get_shows_the_button_and_starts_nothing(client, world, reports):
    client.force_login(world.hr_reporter)
    response = client.get(csv_url(world)[0], {"year": 2023})
    text = response.content.decode()
    assert response.status_code == 200 and "在后台导出" in text and "本单位" in text
    assert 'method="post"' in text and "year=2023" in text
    assert not Job.objects.exists()


def test_the_job_file_is_exactly_the_stream(client, world, reports):
    """The stored CSV equals, byte for byte, what the streaming writer produces."""
    client.force_login(world.leader)
    body = b"".join(export(client, csv_url(world)[0]).streaming_content)
    expected = b"".join(raw_export.csv_stream(world.leader, raw_export.RawFilters(plan=world.plan)))
    assert body == expected
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(raw_export.COLUMNS) and len(lines) == 4


def test_a_unit_member_who_moved_unit_cannot_download_the_old_file(client, world, reports):
    client.force_login(world.hr_reporter)
    export(client, csv_url(world)[0])
    job = Job.objects.get()
    world.hr_reporter.department = world.finance  # 财政局 has no task in the plan
    world.hr_reporter.save()
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 403
    client.force_login(world.reporter)  # another unit's staff
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_a_unit_member_moved_to_another_unit_of_the_plan_cannot_download_the_old_file(
    client, world, reports
):
    client.force_login(world.hr_reporter)
    export(client, csv_url(world)[0])
    job = Job.objects.get()
    assert job.params["scope"] == world.hr.pk
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 200
    world.hr_reporter.department = world.edu  # 教体局 leads tasks of the same plan
    world.hr_reporter.save()
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 403


def test_a_supervisor_keeps_the_all_units_scope(client, world, reports):
    client.force_login(world.supervisor)
    export(client, csv_url(world)[0])
    job = Job.objects.get()
    assert job.params["scope"] == "all"
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 200


def test_xlsx_has_the_same_rows_and_formula_text_stays_text(client, world, reports):
    client.force_login(world.supervisor)
    response = export(client, reverse("reports:raw_xlsx", kwargs={"plan_pk": world.plan.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(raw_export.COLUMNS)
    assert len(rows) == 4
    cell = sheet.cell(row=2, column=raw_export.COLUMNS.index("本期工作进展") + 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert cell.quotePrefix
    assert rows[1][raw_export.COLUMNS.index("下一步计划")] == "下月完成设计招标"


def _many_reports(world, count, start=0):
    """`count` extra reports (bulk, skipping the services), on old months so none collide."""
    rows = []
    for n in range(start, start + count):
        month = n // 2
        rows.append(
            Report(
                task=world.task1 if n % 2 else world.task2,
                department=world.edu if n % 2 else world.hr,
                period_start=datetime.date(1800 + month // 12, month % 12 + 1, 1),
                role="lead",
                state="draft",
                work_done="进展" * 40,
                created_by=world.reporter,
            )
        )
    Report.objects.bulk_create(rows, batch_size=500)


def test_query_count_does_not_grow_with_the_rows(world, reports):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            for _ in raw_export.csv_stream(world.leader, raw_export.RawFilters(plan=world.plan)):
                pass
        return len(captured)

    queries()  # warm the user's role and permission caches
    small = queries()
    _many_reports(world, 300)  # still one chunk
    assert queries() == small


def test_csv_memory_stays_flat_as_rows_grow(world, reports, settings):
    """Peak Python memory for 2,000 vs 200 rows (chunks of 100): streaming keeps it flat."""
    raw_export.RAW_CHUNK, saved = 100, raw_export.RAW_CHUNK
    try:

        def peak():
            tracemalloc.start()
            for _ in raw_export.csv_stream(world.leader, raw_export.RawFilters(plan=world.plan)):
                pass
            size = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            return size

        _many_reports(world, 200)
        small = peak()
        _many_reports(world, 1800, start=200)
        large = peak()
    finally:
        raw_export.RAW_CHUNK = saved
    assert large < small * 2, (small, large)


@pytest.mark.render
def test_csv_round_trips_through_libreoffice_with_chinese_intact(
    client, world, reports, soffice, tmp_path
):
    client.force_login(world.neutral_supervisor)
    body = b"".join(export(client, *csv_url(world)).streaming_content)
    source = tmp_path / "raw.csv"
    source.write_bytes(body)
    # LibreOffice opens the CSV (UTF-8, comma; as Excel would with the BOM) and saves xlsx.
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--infilter=CSV:44,34,76",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    rows = list(load_workbook(tmp_path / "raw.xlsx").active.iter_rows(values_only=True))
    assert rows[0][:3] == ("任务序号", "任务内容", "单位")
    assert rows[1][2] == "区教育体育局"
    assert rows[1][raw_export.COLUMNS.index("下一步计划")] == "下月完成设计招标"
    assert rows[1][raw_export.COLUMNS.index("佐证材料")] == "验收报告.pdf"
