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

from django.db import models

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


def period_statuses(
    plan, rows, as_of: datetime.date, *, periods: list[Period] | None = None
) -> list[PeriodStatus]:
    """Every period of the plan that has started by `as_of`, oldest first, with its state.

    A report counts as submitted on the day it first reached the education bureau; it is
    on time when that day is on or before the period's due date. A period whose due date
    has passed without a submission by `as_of` is missing. `periods` lets callers reuse
    `plan_periods(plan)` across many tasks.
    """
    by_start = {row.period_start: row for row in rows}
    cutoff = end_of_day(as_of)
    result = []
    for period in periods if periods is not None else plan_periods(plan):
        if period.start > as_of:
            break
        row = by_start.get(period.start)
        first = getattr(row, "first_submitted_at", None) if row is not None else None
        state = period_state(period, first, as_of, cutoff=cutoff)
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

    def __call__(self, plan):
        if plan.pk not in self._cache:
            self._cache[plan.pk] = plan_periods(plan)
        return self._cache[plan.pk]


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
