"""Bulk entry from Excel, part 1: a department's reports for one period as a workbook.

`bulk_rows` loads one row per task the department leads or supports (with this and the
previous period's reports); `build_workbook` writes them to the sheet "填报" plus a sheet of
the lead tasks' targets and a hidden "_meta" sheet naming plan, period and department.
Reading the filled workbook back is in reports/bulk_upload.py.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from huancui_vet.dates import chinese_date
from huancui_vet.xlsx import column_width, display_width, set_text
from reports.models import ProgressStatus, Report
from tasks.models import Target, TaskAssignment
from tasks.periods import make_period, plan_periods

MAIN_SHEET = "填报"
TARGET_SHEET = "目标实际值"
META_SHEET = "_meta"
FORMAT_VERSION = "bulk-v1"
MAX_ROWS = 500
SHORT_CONTENT = 60

MAIN_COLUMNS = [
    # (header, width, editable)
    ("序号", 6, False),
    ("任务内容", 40, False),
    ("分工", 6, False),
    ("本期报告状态", 14, False),
    ("上期推进状态", 12, False),
    ("上期完成百分比", 10, False),
    ("上期工作进展", 36, False),
    ("推进状态", 12, True),
    ("完成百分比", 10, True),
    ("本期工作进展", 40, True),
    ("存在问题", 30, True),
    ("下一步计划", 30, True),
]
TEXT_FIELDS = {"本期工作进展": "work_done", "存在问题": "problems", "下一步计划": "next_steps"}
TARGET_COLUMNS = [
    ("目标编号", 8),
    ("任务序号", 8),
    ("指标", 40),
    ("年度", 8),
    ("目标值", 10),
    ("单位", 8),
    ("上期实际值", 12),
    ("本期实际值", 12),
]
STATUS_BY_LABEL = {label: value for value, label in ProgressStatus.choices}

READONLY_FILL = PatternFill(start_color="EEF1F5", end_color="EEF1F5", fill_type="solid")
HEADER_FILL = PatternFill(start_color="DCE6F2", end_color="DCE6F2", fill_type="solid")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass
class BulkRow:
    """One task the department reports on, with this and the previous period's reports."""

    task: object
    role: str
    report: Report | None
    previous: Report | None
    targets: list = field(default_factory=list)

    @property
    def is_lead(self):
        return self.role == TaskAssignment.Role.LEAD

    @property
    def role_label(self):
        return TaskAssignment.Role(self.role).label

    @property
    def state_label(self):
        return self.report.get_state_display() if self.report else "未填报"


def previous_period_start(plan, period_start):
    starts = [p.start for p in plan_periods(plan)]
    index = starts.index(period_start) if period_start in starts else 0
    return starts[index - 1] if index > 0 else None


def bulk_rows(*, department, plan, period_start):
    """The department's tasks in the plan with their reports. Runs four queries in all."""
    previous_start = previous_period_start(plan, period_start)
    assignments = list(
        TaskAssignment.objects.filter(department=department, task__plan=plan)
        .select_related("task__plan")
        .order_by("task__number")
    )
    reports = {
        (r.task_id, r.period_start): r
        for r in Report.objects.filter(
            department=department,
            task__plan=plan,
            period_start__in=[s for s in (period_start, previous_start) if s],
        ).prefetch_related("target_values")
    }
    lead_task_ids = [a.task_id for a in assignments if a.role == TaskAssignment.Role.LEAD]
    targets: dict = {}
    for target in Target.objects.filter(task_id__in=lead_task_ids).order_by(
        "year", "sort_order", "id"
    ):
        targets.setdefault(target.task_id, []).append(target)
    return [
        BulkRow(
            task=a.task,
            role=a.role,
            report=reports.get((a.task_id, period_start)),
            previous=reports.get((a.task_id, previous_start)),
            targets=targets.get(a.task_id, []),
        )
        for a in assignments
    ]


# --- download ------------------------------------------------------------------------------


def _short(text):
    text = " ".join(text.split())
    return text if len(text) <= SHORT_CONTENT else text[: SHORT_CONTENT - 1] + "…"


def target_value(report, target):
    if report is None:
        return None
    for tv in report.target_values.all():
        if tv.target_id == target.pk:
            return tv.actual_value
    return None


def _excel_number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _write_row(sheet, row_number, values, *, editable, widths):
    lines = 1
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row_number, column=column)
        set_text(cell, value)
        cell.alignment = WRAP
        if not editable[column - 1]:
            cell.fill = READONLY_FILL
        if isinstance(value, str):
            # openpyxl cannot auto-fit: estimate the wrapped lines so nothing is cut off.
            lines = max(lines, -(-(display_width(value) + 2) // widths[column - 1]))
    sheet.row_dimensions[row_number].height = 15 * min(lines, 12)


def _header(sheet, row_number, columns):
    for column, (title, width, *_) in enumerate(columns, start=1):
        cell = sheet.cell(row=row_number, column=column, value=title)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[cell.column_letter].width = max(
            width, column_width([title], maximum=60)
        )


def _print_setup(sheet, title_rows):
    """A4 landscape, one page wide, header row repeated on every page."""
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = title_rows
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0


def build_workbook(*, department, plan, period_start, rows):
    """The xlsx a department fills offline, as bytes."""
    period = make_period(plan, period_start)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = MAIN_SHEET
    last_column = sheet.cell(row=1, column=len(MAIN_COLUMNS)).column_letter
    sheet.merge_cells(f"A1:{last_column}1")
    set_text(
        sheet["A1"],
        f"{department.name} {period.label}任务进展填报表（报送期限 {chinese_date(period.due)}）",
    )
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(f"A2:{last_column}2")
    sheet["A2"] = (
        "灰色列只读，只填白色列；推进状态从下拉列表选择；责任单位不填推进状态和完成百分比；"
        "整行留空不处理；目标实际值填在“目标实际值”表；上传后为草稿，仍需在网页上报送。"
    )
    _header(sheet, 3, MAIN_COLUMNS)
    editable = [c[2] for c in MAIN_COLUMNS]
    widths = [c[1] for c in MAIN_COLUMNS]
    for offset, row in enumerate(rows):
        current, previous = row.report, row.previous
        values = [
            row.task.number,
            _short(row.task.content),
            row.role_label,
            row.state_label,
            previous.get_progress_status_display() if previous and row.is_lead else None,
            previous.percent if previous and row.is_lead else None,
            previous.work_done if previous else None,
            current.get_progress_status_display() if current and current.progress_status else None,
            current.percent if current else None,
            current.work_done if current else None,
            current.problems if current else None,
            current.next_steps if current else None,
        ]
        _write_row(sheet, 4 + offset, values, editable=editable, widths=widths)
        if not row.is_lead:  # status and percent belong to the lead department
            for column in (8, 9):
                sheet.cell(row=4 + offset, column=column).fill = READONLY_FILL
    last_row = max(4, 3 + len(rows))
    status_list = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUS_BY_LABEL) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="推进状态",
        error="请从下拉列表中选择推进状态。",
    )
    status_list.add(f"H4:H{last_row}")
    percent_rule = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="完成百分比",
        error="完成百分比必须是0到100之间的整数。",
    )
    percent_rule.add(f"I4:I{last_row}")
    sheet.add_data_validation(status_list)
    sheet.add_data_validation(percent_rule)
    sheet.freeze_panes = "D4"
    _print_setup(sheet, "3:3")

    _target_sheet(workbook, plan, period_start, rows)
    meta = workbook.create_sheet(META_SHEET)
    for key, value in (
        ("format", FORMAT_VERSION),
        ("plan", plan.pk),
        ("period", period_start.isoformat()),
        ("department", department.pk),
        # Each report's version at download: an upload never overwrites a later edit.
        (
            "versions",
            ";".join(f"{r.task.number}:{r.report.version if r.report else 0}" for r in rows),
        ),
    ):
        meta.append([key, value])
    meta.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _target_sheet(workbook, plan, period_start, rows):
    sheet = workbook.create_sheet(TARGET_SHEET)
    sheet.merge_cells("A1:H1")
    sheet["A1"] = (
        "本单位牵头任务的量化目标：只填写“本期实际值”列"
        "（数字；没有目标值的指标完成填 1、未完成填 0）。"
    )
    sheet["A1"].alignment = WRAP
    sheet.row_dimensions[1].height = 30
    _header(sheet, 2, TARGET_COLUMNS)
    sheet.column_dimensions["A"].hidden = True  # the key; users match rows by 指标
    editable = [False] * 7 + [True]
    row_number = 3
    for row in rows:
        for target in row.targets:
            values = [
                target.pk,
                row.task.number,
                target.indicator,
                target.year,
                _excel_number(target.target_value),
                target.unit,
                _excel_number(target_value(row.previous, target)),
                _excel_number(target_value(row.report, target)),
            ]
            _write_row(
                sheet, row_number, values, editable=editable, widths=[c[1] for c in TARGET_COLUMNS]
            )
            row_number += 1
    sheet.freeze_panes = "C3"
    _print_setup(sheet, "2:2")
