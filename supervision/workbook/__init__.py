"""The leadership workbook (领导班子会议用 Excel): one builder for the download, the
`export_report` command and the weekly `send_report` mailing.

    data = collect_workbook_data(plan=plan, year=2023, as_of=date(2023, 6, 30), user=None)
    build_workbook(data, "out.xlsx", include_details=False)

Sheets: 汇总, 任务推进情况, 部门评分, 逾期与督办, and optionally 填报明细 (every submitted
report, streamed). The workbook is written in openpyxl's write-only mode, so memory stays
flat however many detail rows there are.
"""

import re

from openpyxl import Workbook

from departments.audit import security_event_record
from departments.models import SecurityEvent
from huancui_vet.xlsx import XLSX_CONTENT_TYPE
from supervision.workbook.cells import use_default_font
from supervision.workbook.data import WorkbookData, collect_workbook_data
from supervision.workbook.details import write_details
from supervision.workbook.sheets import write_overdue, write_scores, write_summary, write_tasks

SHEET_NAMES = ("汇总", "任务推进情况", "部门评分", "逾期与督办")
DETAIL_SHEET_NAME = "填报明细"

# Characters Windows and macOS refuse in file names.
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\s]+')
_PLAN_SUFFIX = re.compile(r"(的)?(实施|工作|行动)?方案$")


def build_workbook(data: WorkbookData, output, *, include_details=False, progress=None):
    """Write the workbook to `output` (a path or a binary file object).

    Returns the number of detail rows written (0 without the 填报明细 sheet); `progress(n)`
    hears the detail rows written so far (see `details.write_details`).
    """
    wb = Workbook(write_only=True)
    use_default_font(wb)
    wb.properties.title = data.title
    wb.properties.creator = "督查督导平台"
    write_summary(wb, data)
    write_tasks(wb, data)
    write_scores(wb, data)
    write_overdue(wb, data)
    detail_count = write_details(wb, data, progress=progress) if include_details else 0
    wb.save(output)
    return detail_count


def workbook_export(
    data: WorkbookData,
    output,
    *,
    include_details=False,
    request=None,
    user=None,
    channel="网页下载",
    progress=None,
) -> int:
    """Write the workbook and record the export in the audit trail, whoever asked for it:
    the dashboard's download (`request`), a background job (`user`, channel 后台任务), the
    export_report command or the weekly mail (`channel`). Returns the number of detail rows
    written."""
    rows = build_workbook(data, output, include_details=include_details, progress=progress)
    department = data.department
    security_event_record(
        kind=SecurityEvent.Kind.EXPORT,
        request=request,
        user=user,
        username="" if request is not None or user is not None else f"（{channel}）",
        detail=f"导出推进情况工作簿（{channel}）：方案{data.plan.pk}，截至{data.as_of.isoformat()}"
        + (f"，单位{department.pk}" if department else "")
        + ("，含填报明细" if include_details else ""),
    )
    return rows


def workbook_filename(plan, as_of, department=None):
    """'<plan title without 实施方案>推进情况[_<unit>]_<YYYY-MM-DD>.xlsx', e.g.
    环翠区职业教育创新发展高地建设推进情况_2023-06-30.xlsx."""
    parts = [f"{_PLAN_SUFFIX.sub('', plan.title) or plan.title}推进情况"]
    if department is not None:
        parts.append(department.name)
    parts.append(as_of.isoformat())
    name = _UNSAFE_FILENAME.sub("", "_".join(parts))
    return f"{name}.xlsx"


__all__ = [
    "workbook_export",
    "DETAIL_SHEET_NAME",
    "SHEET_NAMES",
    "XLSX_CONTENT_TYPE",
    "build_workbook",
    "collect_workbook_data",
    "workbook_filename",
]
