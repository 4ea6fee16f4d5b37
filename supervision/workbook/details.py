"""填报明细: every submitted report of the plan up to the as-of date, streamed from the database.

This is the workbook's only sheet whose size grows with the data (a province-wide plan can
hold hundreds of thousands of reports), so it is optional and never materialises a list:
`values_list(...).iterator()` feeds rows straight into the write-only sheet.
"""

from django.utils import timezone
from openpyxl.utils.datetime import to_excel

from huancui_vet.dates import chinese_date
from reports.models import ProgressStatus, Report, ReportState
from supervision.workbook.layout import Column, TableSheet
from tasks.models import TaskAssignment
from tasks.periods import end_of_day, normalize_start, period_label

DETAIL_STATES = (ReportState.SUBMITTED, ReportState.ACCEPTED, ReportState.RETURNED)

DETAIL_COLUMNS = [
    Column("任务序号", "center", width=8),
    Column("单位", width=18),
    Column("分工", "center", width=6),
    Column("填报期", "center", width=14),
    Column("流转状态", "center", width=12),
    Column("推进状态", "center", width=10),
    Column("完成率", "percent", width=8),
    Column("本期工作进展", width=48),
    Column("存在问题", width=30),
    Column("首次报送日期", "date", width=15),
    Column("审核日期", "date", width=15),
]

FREE_TEXT = (1, 7, 8)  # unit name, 本期工作进展, 存在问题
PERCENT = 6
DATES = (9, 10)

_FIELDS = (
    "task__number",
    "department__name",
    "role",
    "period_start",
    "state",
    "progress_status",
    "percent",
    "work_done",
    "problems",
    "first_submitted_at",
    "reviewed_at",
)


def detail_rows_queryset(*, plan, as_of, department=None):
    """Reports submitted by the end of the as-of day, for periods up to it (one query)."""
    reports = Report.objects.filter(
        task__plan=plan,
        period_start__lte=as_of,
        state__in=DETAIL_STATES,
        first_submitted_at__lt=end_of_day(as_of),
    )
    if department is not None:
        reports = reports.filter(department=department)
    return reports.order_by(
        "task__number", "period_start", "department__sort_order", "department__name"
    ).values_list(*_FIELDS)


def detail_rows(*, plan, as_of, department=None, chunk_size=2000):
    """Yield one list of display values per report, streamed in chunks."""
    cycle = plan.reporting_cycle
    zone = timezone.get_current_timezone()
    roles = dict(TaskAssignment.Role.choices)
    states = dict(ReportState.choices)
    statuses = dict(ProgressStatus.choices)
    labels: dict = {}
    queryset = detail_rows_queryset(plan=plan, as_of=as_of, department=department)
    for (
        number,
        department_name,
        role,
        period_start,
        state,
        progress_status,
        percent,
        work_done,
        problems,
        submitted_at,
        reviewed_at,
    ) in queryset.iterator(chunk_size=chunk_size):
        label = labels.get(period_start)
        if label is None:
            label = labels[period_start] = period_label(cycle, normalize_start(cycle, period_start))
        yield [
            number,
            department_name,
            roles.get(role, role),
            label,
            states.get(state, state),
            statuses.get(progress_status, ""),
            percent / 100 if percent is not None else None,
            work_done,
            problems,
            submitted_at.astimezone(zone).date() if submitted_at else None,
            reviewed_at.astimezone(zone).date()
            if reviewed_at and state == ReportState.ACCEPTED
            else None,
        ]


PROGRESS_EVERY = 500


def write_details(wb, data, *, progress=None):
    """Append the 填报明细 sheet; returns the number of report rows written. `progress(n)`,
    when given, hears the running count every PROGRESS_EVERY rows (a background job's bar)."""
    sheet = TableSheet(
        wb,
        name="填报明细",
        title=f"{data.plan.title}进展填报明细",
        subtitle=f"统计截至：{chinese_date(data.as_of)}（已报送的进展报告）",
        columns=DETAIL_COLUMNS,
        widths=[c.width for c in DETAIL_COLUMNS],
        page_title=data.plan.title,
    )
    # The bulk rows skip borders and per-cell fonts (the workbook's default font is 宋体):
    # unstyled values are what openpyxl writes fastest. Free text still goes through the
    # formula check (`cells.value`); the other text columns are our own labels.
    # Write-only rows are serialised inside append(), so one styled cell per column can carry
    # a new value on every row instead of building 100,000s of cells.
    cells = sheet.cells
    ws = sheet.ws
    percent_cell = cells.cell(0.0, "bare_percent")
    date_cells = [cells.cell(0, "bare_date") for _ in DATES]
    epoch = ws.parent.epoch
    count = 0
    for row in detail_rows(plan=data.plan, as_of=data.as_of, department=data.department):
        for index in FREE_TEXT:
            row[index] = cells.value(row[index])
        if row[PERCENT] is not None:
            percent_cell.value = row[PERCENT]
            row[PERCENT] = percent_cell
        for index, cell in zip(DATES, date_cells, strict=True):
            if row[index] is not None:
                # An Excel serial day number: the same cell, without openpyxl's date handling.
                cell.value = to_excel(row[index], epoch)
                row[index] = cell
        ws.append(row)
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    if progress is not None:
        progress(count)
    return count
