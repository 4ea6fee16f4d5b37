"""Bulk entry from Excel: download, fill offline, upload (reports/bulk.py, views/bulk.py)."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from huancui_vet.testing import assign
from huancui_vet.tests.xlsx_files import upload, with_macro, xlsx_bytes
from reports import services
from reports.models import (
    PeriodLock,
    ProgressStatus,
    Report,
    ReportEvent,
    ReportState,
    TargetValue,
)
from reports.tests.factories import milestone
from tasks.models import Target, Task, TaskAssignment

JUNE = datetime.date(2023, 6, 1)
MAY = datetime.date(2023, 5, 1)
ENTRY = reverse("reports:bulk_entry")
DOWNLOAD = reverse("reports:bulk_download")
UPLOAD = reverse("reports:bulk_upload")


@pytest.fixture(autouse=True)
def july_3rd():
    # The June 2023 period has ended: it is the current period to report on.
    with time_machine.travel(datetime.datetime(2023, 7, 3, 10, 0, tzinfo=datetime.UTC)):
        yield


def make_report(world, *, task, department, period=JUNE, role="lead", user=None, **fields):
    return Report.objects.create(
        task=task,
        department=department,
        period_start=period,
        role=role,
        created_by=user or world.reporter,
        **fields,
    )


def download(client, user, **params):
    client.force_login(user)
    response = client.get(DOWNLOAD, params)
    assert response.status_code == 200, response.content[:300]
    return response


def workbook_of(response):
    return load_workbook(io.BytesIO(response.content))


def fill(workbook, rows=None, targets=None):
    """Set cells by task number (main sheet) or target id (target sheet); return bytes."""
    sheet = workbook["填报"]
    header = [c.value for c in sheet[3]]
    for number, values in (rows or {}).items():
        row = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 1).value == number)
        for column, value in values.items():
            sheet.cell(row, header.index(column) + 1).value = value
    tsheet = workbook["目标实际值"]
    for target_id, value in (targets or {}).items():
        row = next(r for r in range(3, tsheet.max_row + 1) if tsheet.cell(r, 1).value == target_id)
        tsheet.cell(row, 8).value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def post(client, content, name="填报表.xlsx"):
    return client.post(UPLOAD, {"file": upload(content, name)})


# --- permissions ------------------------------------------------------------------------

PERSONAS_ALLOWED = ["reporter", "head", "hr_reporter"]
PERSONAS_FORBIDDEN = ["supervisor", "neutral_supervisor", "leader", "admin"]


@pytest.mark.parametrize("url", [ENTRY, DOWNLOAD, UPLOAD])
def test_anonymous_is_sent_to_login(client, world, url):
    response = client.get(url) if url != UPLOAD else client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", PERSONAS_FORBIDDEN)
@pytest.mark.parametrize("url", [ENTRY, DOWNLOAD, UPLOAD])
def test_supervisors_leaders_and_admins_get_403(client, world, persona, url):
    client.force_login(getattr(world, persona))
    response = client.get(url) if url != UPLOAD else client.post(url)
    assert response.status_code == 403


@pytest.mark.parametrize("persona", PERSONAS_ALLOWED)
def test_department_staff_open_the_page_and_download_their_sheet(client, world, persona):
    user = getattr(world, persona)
    client.force_login(user)
    response = client.get(ENTRY)
    assert response.status_code == 200
    assert "第一步：下载填报表" in response.text
    assert "2023年6月" in response.text
    sheet = workbook_of(download(client, user))["填报"]
    assert sheet["A1"].value.startswith(f"{user.department.name} 2023年6月任务进展填报表")


def test_reporter_of_a_department_without_tasks_has_nothing_to_fill(client, world):
    client.force_login(world.other_reporter)
    response = client.get(ENTRY)
    assert response.status_code == 200
    assert "本单位暂无承担的任务" in response.text
    assert client.get(DOWNLOAD).status_code == 404


def test_upload_page_refuses_get(client, world):
    client.force_login(world.reporter)
    assert client.get(UPLOAD).status_code == 405


def test_reporter_cannot_upload_another_departments_sheet(client, world):
    content = download(client, world.hr_reporter).content
    client.force_login(world.reporter)
    response = post(client, content)
    assert response.status_code == 400
    assert "这份填报表是其他单位的" in response.text
    assert not Report.objects.exists()


# --- download ---------------------------------------------------------------------------


def test_download_has_one_row_per_task_with_role_and_previous_figures(client, world):
    make_report(
        world,
        task=world.task1,
        department=world.edu,
        period=MAY,
        state=ReportState.ACCEPTED,
        progress_status=ProgressStatus.BEHIND,
        percent=40,
        work_done="五月完成实训室招标。",
    )
    response = download(client, world.reporter)
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    workbook = workbook_of(response)
    assert workbook.sheetnames == ["填报", "目标实际值", "_meta"]
    assert workbook["_meta"].sheet_state == "hidden"
    sheet = workbook["填报"]
    assert [c.value for c in sheet[3]] == [
        "序号",
        "任务内容",
        "分工",
        "本期报告状态",
        "上期推进状态",
        "上期完成百分比",
        "上期工作进展",
        "推进状态",
        "完成百分比",
        "本期工作进展",
        "存在问题",
        "下一步计划",
    ]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert len(rows) == 2
    assert rows[0][:7] == [
        1,
        world.task1.content,
        "牵头",
        "未填报",
        "进度滞后",
        40,
        "五月完成实训室招标。",
    ]
    assert rows[1][:4] == [2, world.task2.content, "责任", "未填报"]
    assert rows[1][4:] == [None] * 8
    validations = sheet.data_validations.dataValidation
    status_rule = next(v for v in validations if v.type == "list")
    assert status_rule.formula1 == '"未启动,正常推进,进度滞后,受阻,已完成"'
    assert "H4:H5" in str(status_rule.sqref)
    assert any(v.type == "whole" and v.formula2 == "100" for v in validations)
    targets = [[c.value for c in row] for row in workbook["目标实际值"].iter_rows(min_row=3)]
    assert targets == [[world.target1.pk, 1, "专业教师“双师型”比例", 2024, 50, "%", None, None]]


def test_download_prefills_the_current_draft_and_keeps_formulas_as_text(client, world):
    make_report(
        world,
        task=world.task1,
        department=world.edu,
        progress_status=ProgressStatus.ON_TRACK,
        percent=55,
        work_done='=HYPERLINK("http://evil.example","点我")',
        problems="-1+2",
        next_steps="@SUM(A1)",
    )
    sheet = workbook_of(download(client, world.reporter))["填报"]
    row = list(sheet[4])
    assert [c.value for c in row[7:9]] == ["正常推进", 55]
    for cell in row[9:12]:
        assert cell.data_type == "s"
        assert cell.quotePrefix
    assert row[9].value == '=HYPERLINK("http://evil.example","点我")'


def test_download_for_an_earlier_period(client, world):
    sheet = workbook_of(download(client, world.reporter, period="2023-03-01"))["填报"]
    assert sheet["A1"].value.endswith("2023年3月任务进展填报表（报送期限 2023年4月5日）")


@pytest.mark.parametrize("period", ["2023-08-01", "2023-06-15", "junk", "2030-01-01"])
def test_future_or_invalid_periods_are_404(client, world, period):
    client.force_login(world.reporter)
    assert client.get(DOWNLOAD, {"period": period}).status_code == 404
    assert client.get(ENTRY, {"period": period}).status_code == 404


def test_download_and_page_queries_do_not_grow_with_tasks(client, world):
    client.force_login(world.reporter)
    make_report(world, task=world.task1, department=world.edu, period=MAY)  # prefetch runs

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count(DOWNLOAD), count(ENTRY)
    for number in range(3, 23):
        task = Task.objects.create(plan=world.plan, number=number, content=f"任务{number}")
        assign(task, world.edu, TaskAssignment.Role.LEAD if number % 2 else "support")
        make_report(world, task=task, department=world.edu, period=MAY)
    assert (count(DOWNLOAD), count(ENTRY)) == before


# --- upload: happy path -----------------------------------------------------------------


def test_upload_creates_drafts_with_the_values(client, world):
    content = fill(
        workbook_of(download(client, world.reporter)),
        rows={
            1: {
                "推进状态": "正常推进",
                "完成百分比": 60,
                "本期工作进展": "完成实训基地一期建设。",
                "存在问题": "资金到位慢",
                "下一步计划": "启动二期",
            },
            2: {"本期工作进展": "配合人社局开展培训 3 期。"},
        },
        targets={world.target1.pk: 42.5},
    )
    response = post(client, content)
    assert response.status_code == 302
    assert response["Location"] == f"{ENTRY}?plan={world.plan.pk}&period=2023-06-01"
    lead = Report.objects.get(task=world.task1, department=world.edu, period_start=JUNE)
    assert lead.state == ReportState.DRAFT
    assert lead.role == "lead"
    assert (lead.progress_status, lead.percent) == (ProgressStatus.ON_TRACK, 60)
    assert (lead.work_done, lead.problems, lead.next_steps) == (
        "完成实训基地一期建设。",
        "资金到位慢",
        "启动二期",
    )
    assert lead.target_values.get().actual_value == Decimal("42.50")
    support = Report.objects.get(task=world.task2, department=world.edu, period_start=JUNE)
    assert support.role == "support"
    assert (support.progress_status, support.percent) == ("", None)
    assert support.work_done == "配合人社局开展培训 3 期。"
    assert hasattr(lead, "summary") and lead.summary.percent == 60
    page = client.get(response["Location"]).text
    assert "新建草稿 2 份，更新草稿 0 份" in page


def test_upload_updates_an_existing_draft_and_skips_unchanged_rows(client, world):
    draft = make_report(world, task=world.task1, department=world.edu, work_done="旧内容")
    make_report(
        world, task=world.task2, department=world.edu, role="support", work_done="不变的内容"
    )
    content = fill(
        workbook_of(download(client, world.reporter)), rows={1: {"本期工作进展": "新内容"}}
    )
    events = ReportEvent.objects.count()
    assert post(client, content).status_code == 302
    draft.refresh_from_db()
    assert draft.work_done == "新内容"
    assert draft.version == 1
    assert ReportEvent.objects.count() == events + 1  # only the changed row was saved
    # Uploading the same file again changes nothing.
    assert post(client, content).status_code == 302
    draft.refresh_from_db()
    assert draft.version == 1


def test_a_returned_report_can_be_revised_by_upload(client, world):
    returned = make_report(
        world, task=world.task1, department=world.edu, state=ReportState.RETURNED, work_done="初稿"
    )
    content = fill(
        workbook_of(download(client, world.reporter)), rows={1: {"本期工作进展": "修改稿"}}
    )
    assert post(client, content).status_code == 302
    returned.refresh_from_db()
    assert returned.work_done == "修改稿"


def test_blank_rows_never_clear_a_draft(client, world):
    draft = make_report(world, task=world.task1, department=world.edu, work_done="已写好的内容")
    content = fill(
        workbook_of(download(client, world.reporter)),
        rows={1: {"本期工作进展": None, "推进状态": None, "完成百分比": None}},
    )
    assert post(client, content).status_code == 302
    draft.refresh_from_db()
    assert draft.work_done == "已写好的内容"


# --- upload: each bad row, nothing written ------------------------------------------------


def assert_refused(client, content, *expected, status=400):
    before = list(Report.objects.values_list("pk", "version", "work_done").order_by("pk"))
    response = post(client, content)
    assert response.status_code == status
    body = response.text
    assert "未保存任何内容" in body
    assert '<th class="num">行号</th><th>列</th><th>原因</th>' in body
    for text in expected:
        assert text in body, body[body.find("bulk-errors") :][:2000]
    after = list(Report.objects.values_list("pk", "version", "work_done").order_by("pk"))
    assert after == before
    return body


GOOD_ROW = {"推进状态": "正常推进", "完成百分比": 50, "本期工作进展": "正常内容"}


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ({1: {**GOOD_ROW, "推进状态": "快完成了"}}, "推进状态“快完成了”无效"),
        ({1: {**GOOD_ROW, "完成百分比": 120}}, "完成百分比必须是0到100之间的整数。"),
        ({1: {**GOOD_ROW, "完成百分比": "一半"}}, "完成百分比必须是0到100之间的整数。"),
        ({1: {**GOOD_ROW, "完成百分比": 50.5}}, "完成百分比必须是0到100之间的整数。"),
        ({2: {"推进状态": "正常推进", "本期工作进展": "配合"}}, "不填推进状态"),
        ({2: {"完成百分比": 30, "本期工作进展": "配合"}}, "不填完成百分比"),
        ({1: {**GOOD_ROW, "本期工作进展": "长" * 5001}}, "内容过长"),
    ],
)
def test_a_bad_cell_is_reported_with_row_and_column(client, world, edit, expected):
    content = fill(workbook_of(download(client, world.reporter)), rows=edit)
    body = assert_refused(client, content, expected)
    assert '<td class="num">4</td>' in body or '<td class="num">5</td>' in body


def _append_row(workbook, values):
    sheet = workbook["填报"]
    sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_row_for_a_task_the_department_does_not_report_on_is_an_error(client, world):
    task3 = Task.objects.create(plan=world.plan, number=3, content="财政局的任务")
    assign(task3, world.finance, TaskAssignment.Role.LEAD)
    workbook = workbook_of(download(client, world.reporter))
    fill(workbook, rows={1: GOOD_ROW})
    content = _append_row(
        workbook, [3, "财政局的任务", "牵头", "", "", "", "", "正常推进", 10, "越权"]
    )
    assert_refused(client, content, "本单位不承担第 3 号任务")
    workbook = workbook_of(download(client, world.reporter))
    content = _append_row(workbook, [99, "不存在", "牵头", "", "", "", "", "", "", "内容"])
    assert_refused(client, content, "本单位不承担第 99 号任务")


def test_a_duplicated_task_row_is_an_error(client, world):
    workbook = workbook_of(download(client, world.reporter))
    content = _append_row(workbook, [1, "", "牵头", "", "", "", "", "正常推进", 10, "第二遍"])
    assert_refused(client, content, "第 1 号任务与第 4 行重复")


def test_a_submitted_or_accepted_report_cannot_be_changed_by_upload(client, world):
    make_report(world, task=world.task1, department=world.edu, state=ReportState.SUBMITTED)
    make_report(
        world, task=world.task2, department=world.edu, role="support", state=ReportState.ACCEPTED
    )
    content = fill(
        workbook_of(download(client, world.reporter)),
        rows={1: {"本期工作进展": "改一下"}, 2: {"本期工作进展": "也改"}},
    )
    # The services refuse (report_save); the upload puts their sentence on the row.
    assert_refused(client, content, "报告当前为“已报送待审核”", "报告当前为“审核通过”")


def test_a_closed_period_cannot_be_changed_by_upload(client, world):
    content = fill(workbook_of(download(client, world.reporter)), rows={1: GOOD_ROW})
    PeriodLock.objects.create(
        plan=world.plan,
        period_start=JUNE,
        is_closed=True,
        changed_by=world.supervisor,
        changed_at=timezone.now(),
    )
    assert_refused(client, content, "该填报期已关闭")


def test_bad_target_values_are_errors(client, world):
    content = fill(
        workbook_of(download(client, world.reporter)),
        rows={1: GOOD_ROW},
        targets={world.target1.pk: "很多"},
    )
    assert_refused(client, content, "实际值必须是不小于0的数字")


@pytest.mark.parametrize("value", [60, 2, 0.5])
def test_a_yes_no_target_other_than_0_or_1_is_an_error_on_its_row(client, world, value):
    target = milestone(world, "达到国家办学标准")
    content = fill(
        workbook_of(download(client, world.reporter)),
        rows={1: GOOD_ROW},
        targets={target.pk: value, world.target1.pk: 60},
    )
    assert_refused(
        client,
        content,
        "本期实际值（目标实际值表）",
        "“达到国家办学标准”是节点目标，只能填 1（完成）或 0（未完成）。",
    )
    assert not TargetValue.objects.exists()


def test_a_yes_no_target_of_1_is_written(client, world):
    target = milestone(world, "达到国家办学标准")
    content = fill(
        workbook_of(download(client, world.reporter)), rows={1: GOOD_ROW}, targets={target.pk: 1}
    )
    assert post(client, content).status_code == 302
    assert TargetValue.objects.get(target=target).actual_value == Decimal("1.00")


def test_a_value_stored_before_the_yes_no_rule_passes_when_left_as_it_was(client, world):
    """An old 60 on a milestone does not fail the unit's whole upload; changing it must
    follow the rule (reports.services.check_yes_no, as on the form)."""
    from reports.tests.factories import draft

    target = milestone(world, "达到国家办学标准")
    report = draft(world, period=JUNE)
    TargetValue.objects.create(report=report, target=target, actual_value=Decimal("60"))
    unchanged = fill(
        workbook_of(download(client, world.reporter)), rows={1: GOOD_ROW}, targets={target.pk: 60}
    )
    assert post(client, unchanged).status_code == 302
    changed = fill(
        workbook_of(download(client, world.reporter)), rows={1: GOOD_ROW}, targets={target.pk: 61}
    )
    assert_refused(
        client, changed, "“达到国家办学标准”是节点目标，只能填 1（完成）或 0（未完成）。"
    )
    assert TargetValue.objects.get(target=target).actual_value == Decimal("60")


def test_errors_in_several_rows_are_all_listed_and_nothing_is_written(client, world):
    content = fill(
        workbook_of(download(client, world.reporter)),
        rows={
            1: {**GOOD_ROW, "完成百分比": 101},
            2: {"推进状态": "受阻", "本期工作进展": "好内容"},
        },
    )
    body = assert_refused(client, content, "完成百分比必须是0到100之间的整数", "不填推进状态")
    assert "上传的表格有 2 处错误" in body


# --- hostile uploads ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("report.exe", b"MZ\x90\x00" + b"\x00" * 200, "只接受 .xlsx"),
        ("setup.xlsx", b"MZ\x90\x00" + b"\x00" * 200, "不是有效的 .xlsx"),
        ("notes.xlsx", b"just some text, not a zip", "不是有效的 .xlsx"),
        ("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "加密或为旧版"),
        ("other.xlsx", xlsx_bytes([("序号", "任务内容")]), "不是本平台下载的批量填报表"),
    ],
)
def test_hostile_or_foreign_files_are_refused(client, world, name, content, expected):
    client.force_login(world.reporter)
    response = post(client, content, name)
    assert response.status_code == 400
    assert expected in response.text
    assert not Report.objects.exists()


def test_a_workbook_with_macros_is_refused(client, world):
    content = with_macro(fill(workbook_of(download(client, world.reporter)), rows={1: GOOD_ROW}))
    response = post(client, content)
    assert response.status_code == 400
    assert "文件包含宏" in response.text
    assert not Report.objects.exists()


def test_an_oversized_file_is_refused(client, world, settings):
    content = fill(workbook_of(download(client, world.reporter)), rows={1: GOOD_ROW})
    settings.UPLOAD_XLSX_MAX_BYTES = len(content) - 1
    response = post(client, content)
    assert response.status_code == 400
    assert "文件过大" in response.text
    assert not Report.objects.exists()


def test_an_empty_upload_shows_the_form_error(client, world):
    client.force_login(world.reporter)
    response = client.post(UPLOAD, {})
    assert response.status_code == 400
    assert "这个字段是必填项" in response.text


def test_an_extra_sheet_is_refused(client, world):
    workbook = workbook_of(download(client, world.reporter))
    workbook.create_sheet("我的草稿")
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = post(client, buffer.getvalue())
    assert response.status_code == 400
    assert "多余的工作表：我的草稿" in response.text


def test_a_draft_edited_after_the_download_is_not_overwritten(client, world):
    draft = make_report(world, task=world.task1, department=world.edu, work_done="网页上的旧稿")
    content = fill(workbook_of(download(client, world.reporter)), rows={1: GOOD_ROW})
    # A colleague saves the draft on the web after the sheet was downloaded.
    Report.objects.filter(pk=draft.pk).update(version=1, work_done="同事刚保存的内容")
    assert_refused(client, content, "在下载填报表后已被修改")
    draft.refresh_from_db()
    assert draft.work_done == "同事刚保存的内容"


def test_a_report_started_by_a_colleague_after_the_download_is_not_overwritten(client, world):
    content = fill(workbook_of(download(client, world.reporter)), rows={1: GOOD_ROW})
    make_report(world, task=world.task1, department=world.edu, work_done="同事的草稿", version=2)
    assert_refused(client, content, "第 1 号任务的本期报告在下载填报表后已被修改")


def test_a_formula_is_refused_but_text_that_looks_like_one_round_trips(client, world):
    content = fill(
        workbook_of(download(client, world.reporter)),
        rows={1: {**GOOD_ROW, "本期工作进展": "=1+1"}},
    )
    assert_refused(client, content, "该单元格是公式")
    draft = make_report(world, task=world.task1, department=world.edu, work_done="=SUM(A1:A3)")
    content = fill(workbook_of(download(client, world.reporter)), rows={1: {"存在问题": "无"}})
    assert post(client, content).status_code == 302
    draft.refresh_from_db()
    assert (draft.work_done, draft.problems) == ("=SUM(A1:A3)", "无")


def test_deleting_the_target_sheet_leaves_target_values_alone(client, world):
    from reports.models import TargetValue

    draft = make_report(world, task=world.task1, department=world.edu, work_done="旧")
    TargetValue.objects.create(report=draft, target=world.target1, actual_value=Decimal("30"))
    workbook = workbook_of(download(client, world.reporter))
    del workbook["目标实际值"]
    sheet = workbook["填报"]
    sheet.cell(4, 10).value = "新"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert post(client, buffer.getvalue()).status_code == 302
    draft.refresh_from_db()
    assert draft.work_done == "新"
    assert draft.target_values.get().actual_value == Decimal("30")


def test_a_target_of_a_task_the_department_only_supports_is_an_error(client, world):

    other = Target.objects.create(
        task=world.task2, year=2023, indicator="培训人次", kind="count", source_sentence="…"
    )
    workbook = workbook_of(download(client, world.reporter))
    workbook["目标实际值"].append([other.pk, 2, "培训人次", 2023, None, "", None, 500])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert_refused(client, buffer.getvalue(), "该目标不属于本单位牵头的任务")


def test_target_values_alone_update_the_lead_draft(client, world):
    content = fill(workbook_of(download(client, world.reporter)), targets={world.target1.pk: 35})
    assert post(client, content).status_code == 302
    report = Report.objects.get(task=world.task1, department=world.edu)
    assert report.target_values.get().actual_value == Decimal("35.00")
    assert report.work_done == ""


def test_a_target_sheet_without_its_value_column_is_refused_not_a_crash(client, world):
    workbook = workbook_of(download(client, world.reporter))
    tsheet = workbook["目标实际值"]
    header_row = next(r for r in range(1, 6) if tsheet.cell(r, 1).value == "目标编号")
    for column in range(1, tsheet.max_column + 1):
        if tsheet.cell(header_row, column).value == "本期实际值":
            tsheet.cell(header_row, column).value = "随便写的列名"
    content = fill(workbook, rows={1: GOOD_ROW})
    assert_refused(client, content, "目标实际值表缺少该列。")


def test_the_upload_uses_the_services_text_limits_like_the_form(client, world):
    # 3001 characters of 存在问题: refused by report_save, so by the form and the upload alike
    # (the upload's own copy used to allow 5000).
    content = fill(
        workbook_of(download(client, world.reporter)),
        rows={1: {**GOOD_ROW, "存在问题": "问" * 3001}},
    )
    body = assert_refused(client, content, "内容过长：不能超过 3000 字。")
    assert "存在问题" in body
    report = services.report_start(user=world.reporter, task=world.task1, period_start=JUNE)
    with pytest.raises(services.ReportError) as refused:
        services.report_save(
            user=world.reporter,
            report=report,
            expected_version=0,
            fields={"problems": "问" * 3001},
        )
    assert refused.value.field_errors == {"problems": "内容过长：不能超过 3000 字。"}
