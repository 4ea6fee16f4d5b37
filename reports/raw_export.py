"""原始数据: every report of a plan with every field, as CSV (UTF-8 with BOM) or xlsx, streamed.

Who gets which rows (one rule): supervisors, leaders and administrators every unit's reports
(optionally one unit's); department staff only their own unit's. Filters match the dashboard's
GET parameters (plan, year, as_of) plus department.

Memory stays flat however many reports there are: reports are read with `.iterator()` in
chunks of RAW_CHUNK, each chunk's target values, evidence names and comments are prefetched
(three queries a chunk), and user names are read once. CSV lines are yielded as they are
made; the xlsx is written in openpyxl's write-only mode to a temporary file.
"""

import codecs
import csv
import datetime
from collections import defaultdict
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from departments.audit import security_event_record
from departments.models import SecurityEvent, User
from huancui_vet.xlsx import column_width, csv_text, write_only_text
from reports.models import Evidence, ProgressStatus, Report, ReportEvent, ReportState, TargetValue
from tasks.models import Task, TaskAssignment
from tasks.periods import normalize_start, period_label

RAW_CHUNK = 2000
PROGRESS_EVERY = 500

COLUMNS = [
    "任务序号",
    "任务内容",
    "单位",
    "分工",
    "填报期",
    "流转状态",
    "推进状态",
    "完成率(%)",
    "本期工作进展",
    "存在问题",
    "下一步计划",
    "指标实际值",
    "佐证材料",
    "审核与退回意见",
    "填报人",
    "报送人",
    "签批人",
    "审核人",
    "创建时间",
    "首次报送时间",
    "最近报送时间",
    "审核时间",
    "退回次数",
    "最后修改时间",
]
WIDTHS = [8, 40, 22, 6, 12, 12, 10, 9, 48, 30, 30, 30, 30, 40, 10, 10, 10, 10] + [18] * 4 + [8, 18]


@dataclass(frozen=True)
class RawFilters:
    plan: Any  # a Plan
    department: Any = None  # a Department, or None for every visible one
    year: int | None = None
    as_of: datetime.date | None = None


ALL_UNITS = "all"


def raw_scope(user):
    """Whose rows `raw_reports` gives `user`: every unit's (ALL_UNITS) or one unit's (its pk;
    None for staff without a unit). Recorded with a raw export job and checked at download."""
    return ALL_UNITS if user.sees_all_departments else user.department_id


def may_read_plan_raw(user, plan_id) -> bool:
    """A plan's raw data is for those with a part in it (the one visibility rule)."""
    return Task.objects.visible_to(user).filter(plan_id=plan_id).exists()


def raw_reports(user, filters):
    """The reports `user` may take as raw data under `filters` (one rule, see module doc)."""
    # Built on the one visibility rule; department staff are narrowed further to their own
    # unit (not the supporting units' contributions a lead unit reads on screen).
    reports = Report.objects.visible_to(user).filter(task__plan=filters.plan)
    scope = raw_scope(user)
    if scope != ALL_UNITS:
        if scope is None:
            return Report.objects.none()
        reports = reports.filter(department_id=scope)
    elif filters.department is not None:
        reports = reports.filter(department=filters.department)
    if filters.year is not None:
        reports = reports.filter(period_start__year=filters.year)
    if filters.as_of is not None:
        reports = reports.filter(period_start__lte=filters.as_of)
    return reports


_REPORT_FIELDS = (
    "pk",
    "task__number",
    "task__content",
    "department__name",
    "role",
    "period_start",
    "state",
    "progress_status",
    "percent",
    "work_done",
    "problems",
    "next_steps",
    "created_by_id",
    "submitted_by_id",
    "signed_off_by_id",
    "reviewed_by_id",
    "created_at",
    "first_submitted_at",
    "submitted_at",
    "reviewed_at",
    "times_returned",
    "updated_at",
)
_ORDER = ("task__number", "period_start", "department__sort_order", "department__name", "pk")


def _local(moment, zone):
    """A naive local datetime (minutes), which Excel and LibreOffice show as written."""
    if moment is None:
        return None
    return moment.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)


def _number(value):
    """32.50 → "32.5", 100.00 → "100" (no exponent)."""
    return format(value.normalize(), "f")


def _chunks(reports):
    """Lists of report value tuples, RAW_CHUNK at a time, from one streamed query.

    Plain tuples rather than model instances with prefetches: instances with prefetch caches
    form reference cycles that stay in memory until the cyclic GC runs."""
    rows = reports.order_by(*_ORDER).values_list(*_REPORT_FIELDS).iterator(chunk_size=RAW_CHUNK)
    while chunk := list(islice(rows, RAW_CHUNK)):
        yield chunk


def _details(ids, zone):
    """Target values, evidence names and comments of reports `ids` as joined text (3 queries)."""
    actions = dict(ReportEvent.Action.choices)
    targets, evidence, comments = defaultdict(list), defaultdict(list), defaultdict(list)
    for report_id, year, indicator, value, unit in (
        TargetValue.objects.filter(report_id__in=ids)
        .order_by("target__year", "target_id")
        .values_list(
            "report_id", "target__year", "target__indicator", "actual_value", "target__unit"
        )
    ):
        targets[report_id].append(f"{year}年{indicator}：{_number(value)}{unit}")
    for report_id, name in (
        Evidence.objects.filter(report_id__in=ids)
        .order_by("pk")
        .values_list("report_id", "original_name")
    ):
        evidence[report_id].append(name)
    for report_id, action, at, comment in (
        ReportEvent.objects.filter(report_id__in=ids)
        .exclude(comment="")
        .order_by("at", "pk")
        .values_list("report_id", "action", "at", "comment")
    ):
        comments[report_id].append(
            f"{_local(at, zone):%Y-%m-%d %H:%M} {actions[action]}：{comment}"
        )
    return targets, evidence, comments


def raw_rows(user, filters):
    """Yield one list of values per report (datetimes naive local). Queries: five for the
    user names, then per chunk of RAW_CHUNK reports one for the reports and three details."""
    zone = timezone.get_current_timezone()
    cycle = filters.plan.reporting_cycle
    roles = dict(TaskAssignment.Role.choices)
    states = dict(ReportState.choices)
    statuses = dict(ProgressStatus.choices)
    reports = raw_reports(user, filters)
    names = {
        pk: full_name or username
        for pk, full_name, username in User.objects.filter(pk__in=_people_ids(reports)).values_list(
            "pk", "full_name", "username"
        )
    }
    labels: dict = {}
    for chunk in _chunks(reports):
        targets, evidence, comments = _details([row[0] for row in chunk], zone)
        for (
            pk,
            number,
            content,
            department,
            role,
            period_start,
            state,
            status,
            percent,
            work_done,
            problems,
            next_steps,
            *people,
            created_at,
            first_submitted_at,
            submitted_at,
            reviewed_at,
            times_returned,
            updated_at,
        ) in chunk:
            label = labels.get(period_start)
            if label is None:
                label = labels[period_start] = period_label(
                    cycle, normalize_start(cycle, period_start)
                )
            yield [
                number,
                content,
                department,
                roles.get(role, role),
                label,
                states.get(state, state),
                statuses.get(status, ""),
                percent,
                work_done,
                problems,
                next_steps,
                "；".join(targets.get(pk, ())),
                "；".join(evidence.get(pk, ())),
                "；".join(comments.get(pk, ())),
                *(names.get(person, "") for person in people),
                _local(created_at, zone),
                _local(first_submitted_at, zone),
                _local(submitted_at, zone),
                _local(reviewed_at, zone),
                times_returned,
                _local(updated_at, zone),
            ]


def _people_ids(reports):
    """Every user who created, submitted, signed or reviewed one of `reports` (a subquery)."""
    ids = set()
    for field in ("created_by_id", "submitted_by_id", "signed_off_by_id", "reviewed_by_id"):
        ids.update(reports.exclude(**{field: None}).values_list(field, flat=True).distinct())
    return ids


class _Echo:
    """csv.writer's file: hands each written line back instead of storing it."""

    def write(self, value):
        return value


def csv_stream(user, filters):
    """Yield the CSV as UTF-8 bytes: BOM, header, one line per report (Excel opens it in
    Chinese); text that Excel would evaluate carries a leading apostrophe."""
    writer = csv.writer(_Echo())
    yield codecs.BOM_UTF8 + writer.writerow(COLUMNS).encode("utf-8")
    for row in raw_rows(user, filters):
        line = writer.writerow(
            [
                v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime.datetime) else csv_text(v)
                for v in row
            ]
        )
        yield line.encode("utf-8")


def write_csv(user, filters, output, *, progress=None):
    """Write the CSV to the binary file `output`; returns the number of report rows.
    `progress(n)` hears the running count every PROGRESS_EVERY rows and at the end."""
    count = -1  # the first piece is the header
    for piece in csv_stream(user, filters):
        output.write(piece)
        count += 1
        if progress is not None and count and count % PROGRESS_EVERY == 0:
            progress(count)
    if progress is not None:
        progress(count)
    return count


def write_xlsx(user, filters, output, *, progress=None):
    """Write the raw data as one write-only sheet to the binary file `output`; returns rows.
    `progress(n)` as for `write_csv`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("填报原始数据")
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(
            width, column_width([COLUMNS[index - 1]])
        )
    sheet.freeze_panes = "C2"
    sheet.append(COLUMNS)
    count = 0
    for row in raw_rows(user, filters):
        sheet.append([write_only_text(sheet, v) for v in row])
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    workbook.save(output)
    if progress is not None:
        progress(count)
    return count


def raw_filename(filters, extension):
    stamp = timezone.localdate().strftime("%Y%m%d")
    unit = filters.department.name if filters.department else ""
    return f"{filters.plan.title}{unit}填报原始数据{stamp}.{extension}"


def raw_export_audit(*, user, filters, kind, channel="后台任务"):
    """Record the export in the audit trail (one home for every raw data export)."""
    security_event_record(
        kind=SecurityEvent.Kind.EXPORT,
        user=user,
        detail=f"导出填报原始数据（{kind}，{channel}）：方案{filters.plan.pk}"
        + (f"，单位{filters.department.pk}" if filters.department else ""),
    )
