"""The leadership workbook, opened with openpyxl: sheets, layout, figures, print setup."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from reports.models import Report
from supervision.scoring import in_ranking_order
from supervision.selectors import dashboard_data, scorecard_data
from supervision.tests.excel_fixtures import (
    AS_OF,
    DANGEROUS_TEXT,
    load_real_plan,
    seed_history,
    table_rows,
)
from supervision.workbook import (
    DETAIL_SHEET_NAME,
    SHEET_NAMES,
    build_workbook,
    collect_workbook_data,
    workbook_filename,
)
from tasks.models import Task

TASK_HEADERS = ["序号", "任务内容", "牵头单位", "责任单位"]


@pytest.fixture
def huancui(world):
    plan = load_real_plan()
    seed_history(plan, user=world.reporter, skip_last_for={3, 9}, texts={5: DANGEROUS_TEXT})
    return plan


def build(plan, *, user=None, department=None, include_details=False, as_of=AS_OF):
    data = collect_workbook_data(
        plan=plan, year=as_of.year, as_of=as_of, user=user, department=department
    )
    buffer = io.BytesIO()
    build_workbook(data, buffer, include_details=include_details)
    buffer.seek(0)
    return load_workbook(buffer)


def rows_of(ws, first_row=4):
    return [list(r) for r in ws.iter_rows(min_row=first_row, values_only=True)]


def test_workbook_has_the_four_sheets_in_order(huancui):
    wb = build(huancui)
    assert wb.sheetnames == list(SHEET_NAMES)


def test_detail_sheet_is_optional_and_lists_submitted_reports(huancui):
    wb = build(huancui, include_details=True)
    assert wb.sheetnames == [*SHEET_NAMES, DETAIL_SHEET_NAME]
    ws = wb[DETAIL_SHEET_NAME]
    assert [c.value for c in ws[3]][:4] == ["任务序号", "单位", "分工", "填报期"]
    assert ws.max_row - 3 == Report.objects.filter(task__plan=huancui).count()
    first = [c.value for c in ws[4]]
    assert isinstance(first[9], datetime.datetime)  # 首次报送日期 is a real date
    assert ws.cell(row=4, column=10).number_format == 'yyyy"年"m"月"d"日"'
    assert 0 <= first[6] <= 1 and ws.cell(row=4, column=7).number_format == "0%"


def test_summary_has_merged_title_date_and_chart(huancui):
    ws = build(huancui)["汇总"]
    assert ws["A1"].value == f"{huancui.title}推进情况汇总"
    assert any(str(r).startswith("A1:") for r in ws.merged_cells.ranges)
    assert ws["A1"].font.name == "黑体"
    assert ws["C2"].value == datetime.datetime(2023, 6, 30)
    assert ws["C2"].number_format == 'yyyy"年"m"月"d"日"'
    assert len(ws._charts) == 1
    chart = ws._charts[0]
    assert chart.type == "bar"
    assert chart.x_axis.delete is False and chart.y_axis.delete is False


def test_task_sheet_has_attachment_columns_and_all_sixteen_tasks(huancui):
    ws = build(huancui)["任务推进情况"]
    assert [c.value for c in ws[3]][:4] == TASK_HEADERS
    rows = rows_of(ws)
    assert [r[0] for r in rows] == list(range(1, 17))
    tasks = Task.objects.filter(plan=huancui).with_units().order_by("number")
    for row, task in zip(rows, tasks, strict=True):
        assert row[1] == task.content
        assert row[2] == task.lead_units_text
        assert (row[3] or "") == task.supporting_units_text


def test_task_figures_equal_the_dashboard(huancui):
    ws = build(huancui)["任务推进情况"]
    dashboard = dashboard_data(plan=huancui, year=2023, as_of=AS_OF, user=None)
    headers = [c.value for c in ws[3]]
    percent_col = headers.index("完成率")
    # Same names, same meanings as the dashboard: 督查状态 is the light, 推进状态 the status
    # the lead unit reported.
    light_col = headers.index("督查状态")
    status_col = headers.index("推进状态")
    date_col = headers.index("最近报送日期")
    for row, task in zip(rows_of(ws), dashboard.tasks, strict=True):
        expected = task.percent / 100 if task.percent is not None else None
        assert row[percent_col] == pytest.approx(expected)
        assert row[light_col] == task.light_label
        assert row[status_col] == (task.progress_status_label or None)
        assert row[date_col].date() == task.last_report_date
    cell = ws.cell(row=4, column=percent_col + 1)
    assert cell.data_type == "n" and cell.number_format == "0%"


def test_summary_key_figures_equal_the_dashboard(huancui):
    ws = build(huancui)["汇总"]
    dashboard = dashboard_data(plan=huancui, year=2023, as_of=AS_OF, user=None)
    figures = {r[0]: r[2] for r in ws.iter_rows(min_row=4, max_col=3, values_only=True) if r[0]}
    assert figures["任务总数（项）"] == 16
    overall = next(v for k, v in figures.items() if k.startswith("总体完成率"))
    assert overall == pytest.approx(float(dashboard.overall_percent) / 100)
    # One decimal, as on the dashboard (78.3% stays 78.3%, not 78%).
    overall_cell = next(
        r[2]
        for r in ws.iter_rows(min_row=4, max_col=3)
        if r[0].value and str(r[0].value).startswith("总体完成率")
    )
    assert overall_cell.number_format == "0.0%"
    assert figures["滞后或逾期（红灯，项）"] == dashboard.light_counts["red"]
    assert figures["累计逾期未报送（份）"] == len(dashboard.overdue)
    label = dashboard.current_period.label
    assert figures[f"{label}未报送（份）"] == dashboard.compliance_total.missing


def test_score_sheet_equals_the_scorecard(huancui):
    ws = build(huancui)["部门评分"]
    scorecard = scorecard_data(plan=huancui, period_kind="plan", as_of=AS_OF, user=None)
    rows = table_rows(ws)
    assert len(rows) == len(scorecard.rows)
    for row, score in zip(rows, in_ranking_order(scorecard.rows), strict=True):
        assert row[0] == score.ranking.group_label
        assert row[1] == (score.ranking.rank or "样本不足")
        assert row[2] == score.full_name
        assert row[3] == pytest.approx(float(score.score))
        assert row[4] == score.grade
        assert row[5 : 5 + len(score.components)] == [
            pytest.approx(float(c.score)) for c in score.components
        ]


def test_overdue_sheet_lists_missing_reports_with_days(huancui):
    wb = build(huancui)
    ws = wb["逾期与督办"]
    dashboard = dashboard_data(plan=huancui, year=2023, as_of=AS_OF, user=None)
    rows = [r for r in rows_of(ws) if isinstance(r[0], int)]
    assert len(rows) == len(dashboard.overdue) > 0
    assert {r[1].split(".")[0] for r in rows} == {"3", "9"}
    assert rows[0][6] == dashboard.overdue[0].days_overdue
    notes = [r[0] for r in rows_of(ws) if isinstance(r[0], str)]
    assert any("督办" in n for n in notes)


def test_department_filter_keeps_only_that_units_rows(huancui):
    task = Task.objects.filter(plan=huancui, number=3).with_units().get()
    unit = task.supporting_departments[0]
    wb = build(huancui, department=unit)
    task_rows = rows_of(wb["任务推进情况"])
    assert all(unit.name in (r[2] or "") + (r[3] or "") for r in task_rows)
    assert 3 in [r[0] for r in task_rows]
    scores = table_rows(wb["部门评分"])
    assert [r[2] for r in scores] == [unit.name]
    overdue = [r for r in rows_of(wb["逾期与督办"]) if isinstance(r[0], int)]
    assert overdue and {r[2] for r in overdue} == {unit.name}
    # The key figures are the unit's: its tasks and its row of the compliance table.
    dashboard = dashboard_data(plan=huancui, year=2023, as_of=AS_OF, user=None)
    mine = next(c for c in dashboard.compliance if c.department_id == unit.pk)
    figures = {r[0]: r[2] for r in wb["汇总"].iter_rows(min_row=4, max_col=3, values_only=True)}
    assert figures["任务总数（项）"] == len(task_rows)
    label = dashboard.current_period.label
    assert figures[f"{label}未报送（份）"] == mine.missing > 0
    assert figures[f"{label}应报送（份）"] == mine.expected
    assert wb["汇总"]["C4"].value == unit.name


def test_print_setup_on_every_sheet(huancui):
    wb = build(huancui, include_details=True)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        if ws.title != "汇总":
            assert ws.print_title_rows == "$3:$3"
            assert ws.freeze_panes == "A4"
            assert ws["A3"].font.name == "黑体"
            assert ws["A4"].font.name == "宋体"  # the detail sheet's via the default font
            if ws.title != DETAIL_SHEET_NAME:
                assert ws["B4"].alignment.wrap_text is True


def test_status_cells_carry_traffic_light_fills(huancui):
    ws = build(huancui)["任务推进情况"]
    headers = [c.value for c in ws[3]]
    col = headers.index("督查状态") + 1
    colours = {ws.cell(row=r, column=col).fill.start_color.rgb for r in range(4, 20)}
    assert colours <= {"00C6EFCE", "00FFEB9C", "00FFC7CE", "00EDEDED"}
    assert "00FFC7CE" in colours  # tasks 3 and 9 are overdue


def test_column_widths_fit_chinese_text(huancui):
    ws = build(huancui)["任务推进情况"]
    # 牵头单位 holds e.g. "区教育体育局、区人力资源社会保障局": CJK counts double.
    assert ws.column_dimensions["C"].width >= 14
    assert ws.column_dimensions["B"].width >= 24


def test_filename_is_chinese_and_dated(huancui):
    assert workbook_filename(huancui, AS_OF) == (
        "环翠区职业教育创新发展高地建设推进情况_2023-06-30.xlsx"
    )


def _queries_to_build(plan, *, include_details):
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    caches["figures"].clear()  # the cold path: figures computed, not kept from the last build
    with CaptureQueriesContext(connection) as queries:
        build(plan, include_details=include_details)
    return len(queries)


@pytest.mark.parametrize("include_details", [False, True])
def test_query_count_does_not_grow_with_the_data(world, include_details):
    plan = load_real_plan()
    seed_history(plan, user=world.reporter, as_of=datetime.date(2020, 10, 1))
    build(plan)  # first use creates the plan's scoring settings row
    few = _queries_to_build(plan, include_details=include_details)
    Report.objects.filter(task__plan=plan).delete()
    seed_history(plan, user=world.reporter, as_of=AS_OF)  # ~12× the reports
    assert _queries_to_build(plan, include_details=include_details) == few
