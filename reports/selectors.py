"""Reads for reporting periods: which periods are due, submitted, late or missing.

`period_statuses` is pure (no queries): it takes the plan and the rows already loaded for
one task and one department — Report or ReportSummary, anything with `period_start` and
`first_submitted_at` — and a date, and works out each period's state as of that date.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tasks.periods import Period, end_of_day, plan_periods, submission_deadline


class PeriodState(models.TextChoices):
    IN_PROGRESS = "in_progress", "本期进行中"
    DUE = "due", "待报送"
    SUBMITTED = "submitted", "已按时报送"
    LATE = "late", "逾期报送"
    MISSING = "missing", "逾期未报"


PERIOD_STATE_BADGE = {
    PeriodState.IN_PROGRESS: "",
    PeriodState.DUE: "badge--blue",
    PeriodState.SUBMITTED: "badge--green",
    PeriodState.LATE: "badge--amber",
    PeriodState.MISSING: "badge--red",
}


@dataclass(frozen=True)
class PeriodStatus:
    period: Period
    state: PeriodState
    report: Any = None  # the Report/ReportSummary row for the period, if one exists

    @property
    def badge(self):
        return PERIOD_STATE_BADGE[self.state]

    @property
    def needs_action(self):
        return self.state in (PeriodState.DUE, PeriodState.MISSING, PeriodState.IN_PROGRESS)


def is_past_due(period: Period, as_of: datetime.date) -> bool:
    """period_state's MISSING condition for a report not submitted: the period and its due
    date are both over on `as_of` (for aggregate counts that never load the rows)."""
    return period.end < as_of and period.due < as_of


def period_state(
    period: Period,
    first_submitted_at,
    as_of: datetime.date,
    *,
    cutoff: datetime.datetime | None = None,
    deadline: datetime.datetime | None = None,
) -> PeriodState:
    """How one expected report stands on `as_of`: the one period classification rule.

    Submitted means it first reached the education bureau by the end of the as-of day; it
    is on time when that was before the period's deadline (tasks.periods.
    submission_deadline). Otherwise it is in progress until the period ends, due until its
    due date has passed, then missing. My tasks, the task page, the dashboard's compliance
    counts, its overdue list and the compliance drill-down all classify through here.

    Callers classifying thousands of reports pass `cutoff` (= end_of_day(as_of)) and
    `deadline` (= submission_deadline(period)) precomputed: each costs a time-zone lookup,
    and recomputing them per report was a third of the dashboard's time on a large plan.
    """
    if first_submitted_at is not None and first_submitted_at < (cutoff or end_of_day(as_of)):
        late = first_submitted_at >= (deadline or submission_deadline(period))
        return PeriodState.LATE if late else PeriodState.SUBMITTED
    if period.end >= as_of:
        return PeriodState.IN_PROGRESS
    if period.due >= as_of:
        return PeriodState.DUE
    return PeriodState.MISSING


# --- period_state in SQL -------------------------------------------------------------------
# The dashboard family classifies every expected report of a plan (≈100,000 on a province's
# largest plan); loading them into Python took seconds. `submissions` asks the database for
# the facts period_state needs, as one row of bitmasks per task × unit, and
# `Submissions.state` applies period_state to them. reports/tests/test_period_state_sql.py
# compares both with `period_state` on randomised data, so they cannot drift.

MASK_BITS = 62  # periods per SQL bigint: a SUM of distinct powers of two stays below 2**63


@dataclass(frozen=True)
class Submissions:
    """One task × unit's reports over a list of periods, as bitmasks (bit i: periods[i]).

    Reports are unique per task × unit × period, so each mask is exact.
    """

    submitted: int = 0  # first submitted before the cutoff: period_state SUBMITTED or LATE
    late: int = 0  # of those, first submitted at or after the period's deadline: LATE
    returned_ever: int = 0  # returned for changes at least once (times_returned > 0)
    accepted: int = 0  # accepted before the cutoff
    returned: int = 0  # its workflow state is 退回 now
    latest: datetime.datetime | None = None  # latest submission by the cutoff, any period

    def state(self, bit: int, period: Period, as_of: datetime.date) -> PeriodState:
        """period_state of the expected report periods[bit] (the same rule, from the masks)."""
        if self.submitted >> bit & 1:
            return PeriodState.LATE if self.late >> bit & 1 else PeriodState.SUBMITTED
        return period_state(period, None, as_of)


NO_SUBMISSIONS = Submissions()


def _latest_only(summaries: models.QuerySet, cutoff: datetime.datetime) -> dict:
    """submissions() when no period has ended: no masks, only each task × unit's latest
    submission by the cutoff (the same CASE as the full query)."""
    latest = models.Max(
        models.Case(
            models.When(submitted_at__lt=cutoff, then=models.F("submitted_at")),
            models.When(first_submitted_at__lt=cutoff, then=models.F("first_submitted_at")),
        )
    )
    rows = (
        summaries.order_by()
        .values_list("task_id", "department_id")
        .annotate(latest=latest)
        .filter(latest__isnull=False)
    )
    return {(task_id, dept_id): Submissions(latest=moment) for task_id, dept_id, moment in rows}


def submissions(
    summaries: models.QuerySet, periods: list[Period], *, cutoff: datetime.datetime
) -> dict[tuple[int, int], Submissions]:
    """{(task_id, department_id): Submissions} of the rows of `summaries` (ReportSummary
    rows of one plan) over `periods`, in one aggregate query (portable SQL: a VALUES list
    maps each period's start to its bit and its `submission_deadline`; a plan has at most
    ~50 periods, more than MASK_BITS get more mask columns). A task × unit with no report
    submitted or accepted by the cutoff may be absent (NO_SUBMISSIONS)."""
    if not periods:
        # Inside a plan's first period nothing has ended, but early reports still count for
        # the latest submission (the dashboard's 最近报送).
        return _latest_only(summaries, cutoff)
    ops = connection.ops
    chunks = -(-len(periods) // MASK_BITS)
    values, params = [], []
    for i, period in enumerate(periods):
        values.append("(%s, %s, %s, %s)")
        params += [
            ops.adapt_datefield_value(period.start),
            i // MASK_BITS,
            1 << (i % MASK_BITS),
            ops.adapt_datetimefield_value(submission_deadline(period)),
        ]
    cut = ops.adapt_datetimefield_value(cutoff)
    conditions: dict[str, tuple[str, list[Any]]] = {
        "submitted": ("s.first_submitted_at < %s", [cut]),
        "late": ("s.first_submitted_at < %s AND s.first_submitted_at >= p.column4", [cut]),
        "returned_ever": ("s.times_returned > 0", []),
        "accepted": ("s.accepted_at < %s", [cut]),
        "returned": ("s.state = %s", ["returned"]),
    }
    columns, column_params = [], []
    for condition, condition_params in conditions.values():
        if chunks == 1:  # the common case: one comparison less per row and mask
            columns.append(f"SUM(CASE WHEN {condition} THEN p.column3 ELSE 0 END)")
            column_params += condition_params
            continue
        for chunk in range(chunks):
            columns.append(
                f"SUM(CASE WHEN p.column2 = %s AND {condition} THEN p.column3 ELSE 0 END)"
            )
            column_params += [chunk, *condition_params]
    columns.append(
        "MAX(CASE WHEN s.submitted_at < %s THEN s.submitted_at "
        "WHEN s.first_submitted_at < %s THEN s.first_submitted_at END)"
    )
    column_params += [cut, cut]
    inner, inner_params = (
        summaries.order_by()
        .values_list(
            "task_id",
            "department_id",
            "period_start",
            "first_submitted_at",
            "submitted_at",
            "accepted_at",
            "times_returned",
            "state",
        )
        .query.sql_with_params()
    )
    # Only placeholders and the ORM's own SQL are interpolated; every value is a parameter.
    select = ", ".join(columns)
    periods_sql = ", ".join(values)
    sql = (
        f"SELECT s.task_id, s.department_id, {select} "  # noqa: S608
        f"FROM ({inner}) s LEFT JOIN (VALUES {periods_sql}) p ON p.column1 = s.period_start "
        "GROUP BY s.task_id, s.department_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*column_params, *inner_params, *params])
        rows = cursor.fetchall()
    to_datetime = _datetime_converter()
    result = {}
    for task_id, department_id, *sums in rows:
        masks: list[int] = []
        for k in range(len(conditions)):
            mask = 0
            for chunk in range(chunks):
                mask |= int(sums[k * chunks + chunk] or 0) << (chunk * MASK_BITS)
            masks.append(mask)
        submitted, late, returned_ever, accepted, returned = masks
        result[(task_id, department_id)] = Submissions(
            submitted=submitted,
            late=late,
            returned_ever=returned_ever,
            accepted=accepted,
            returned=returned,
            latest=to_datetime(sums[-1]),
        )
    return result


def _datetime_converter():
    """Raw SQL returns SQLite datetimes as text (naive UTC); the ORM would convert them."""
    if connection.vendor != "sqlite":
        return lambda value: value

    def convert(value):
        if value is None or isinstance(value, datetime.datetime):
            return value
        parsed = parse_datetime(value)
        return timezone.make_aware(parsed, datetime.UTC) if parsed is not None else None

    return convert


def period_statuses(
    plan,
    rows,
    as_of: datetime.date,
    *,
    periods: list[Period] | None = None,
    deadlines: dict | None = None,
) -> list[PeriodStatus]:
    """Every period of the plan that has started by `as_of`, oldest first, with its state.

    A report counts as submitted on the day it first reached the education bureau; it is
    on time when that day is on or before the period's due date. A period whose due date
    has passed without a submission by `as_of` is missing. `periods` and `deadlines`
    ({period start: submission_deadline}) let callers reuse them across many tasks
    (PlanPeriodCache).
    """
    by_start = {row.period_start: row for row in rows}
    cutoff = end_of_day(as_of)
    result = []
    for period in periods if periods is not None else plan_periods(plan):
        if period.start > as_of:
            break
        row = by_start.get(period.start)
        first = getattr(row, "first_submitted_at", None) if row is not None else None
        deadline = deadlines.get(period.start) if deadlines is not None else None
        state = period_state(period, first, as_of, cutoff=cutoff, deadline=deadline)
        result.append(PeriodStatus(period=period, state=state, report=row))
    return result


def next_due(statuses):
    """The oldest period still waiting for a submission (missing, due, or the current one)."""
    for status in statuses:
        if status.needs_action:
            return status
    return None


def count_states(statuses):
    counts: defaultdict[str, int] = defaultdict(int)
    for status in statuses:
        counts[status.state] += 1
    return counts


class PlanPeriodCache:
    """`plan_periods` computed once per plan for pages that list many tasks."""

    def __init__(self):
        self._cache = {}
        self._deadlines = {}

    def __call__(self, plan):
        if plan.pk not in self._cache:
            self._cache[plan.pk] = plan_periods(plan)
        return self._cache[plan.pk]

    def deadlines(self, plan):
        """{period start: submission_deadline} of the plan's periods (each costs a time-zone
        lookup; a page of 30 tasks over 48 periods asked for 1,440)."""
        if plan.pk not in self._deadlines:
            self._deadlines[plan.pk] = {p.start: submission_deadline(p) for p in self(plan)}
        return self._deadlines[plan.pk]


def responsible_period_statuses(task, summaries, as_of: datetime.date) -> list[tuple]:
    """{assignment: [PeriodStatus]} for every department on the task (no queries).

    `task` must come from `Task.objects.with_units()`; `summaries` are the task's
    ReportSummary rows (timeliness only, no report content).
    """
    rows = defaultdict(list)
    for summary in summaries:
        rows[summary.department_id].append(summary)
    periods = plan_periods(task.plan)
    return [
        (a, period_statuses(task.plan, rows[a.department_id], as_of, periods=periods))
        for a in task.assignments.all()
    ]
