"""Reads for reporting periods: which periods are due, submitted, late or missing.

`period_statuses` is pure (no queries): it takes the plan and the rows already loaded for
one task and one department — Report or ReportSummary, anything with `period_start` and
`first_submitted_at` — and a date, and works out each period's state as of that date.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Case, CharField, Count, DateTimeField, Max, Q, Sum, Value, When

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


# --- period_state in SQL -------------------------------------------------------------------
# The dashboard family classifies every expected report of a plan (≈100,000 on a province's
# largest plan); loading them into Python took seconds. These twins of `period_state` let the
# database count and list them. tests/test_period_state_sql.py compares them with
# `period_state` on randomised data, so the two cannot drift.


def submitted_state_sql(periods: list[Period], *, deadline: Callable[[Period], Any] | None = None):
    """`period_state` of a report row submitted by the cutoff, as SQL: LATE when it first
    reached the bureau at or after its period's deadline, else SUBMITTED (a CASE mapping
    each period's start to `submission_deadline`; a plan has at most ~50 periods).

    Only valid on rows already filtered to `first_submitted_at < cutoff` and to `periods`.
    """
    deadline = deadline or submission_deadline
    deadline_of = Case(
        *(When(period_start=p.start, then=Value(deadline(p))) for p in periods),
        output_field=DateTimeField(),
    )
    return Case(
        When(first_submitted_at__gte=deadline_of, then=Value(PeriodState.LATE.value)),
        default=Value(PeriodState.SUBMITTED.value),
        output_field=CharField(),
    )


def period_state_counts(
    summaries: models.QuerySet,
    periods: list[Period],
    as_of: datetime.date,
    *,
    keys: Iterable[tuple],
    by: tuple[str, ...] = ("task_id", "department_id"),
    extra: dict[str, Any] | None = None,
    cutoff: datetime.datetime | None = None,
    deadline: Callable[[Period], Any] | None = None,
) -> dict[tuple, Counter]:
    """{key: Counter({(PeriodState, *extra values): n})}: how the expected reports of every
    key in `keys` (one per period in `periods`, e.g. an assignment's (task_id, department_id))
    stand on `as_of`, counted by the database in one query.

    The same classification as `period_state` for each (key, period): a report first
    submitted before the cutoff is SUBMITTED or LATE; every other expected report (no row,
    or a row not submitted by then) takes the state `period_state` gives a period without a
    submission. `extra` ({name: expression}) splits submitted reports further (e.g. by
    whether they were returned); the unsubmitted ones carry None there.
    """
    cutoff = cutoff or end_of_day(as_of)
    extra = extra or {}
    blank = (None,) * len(extra)
    unsent = {p.start: period_state(p, None, as_of, cutoff=cutoff) for p in periods}
    per_state = Counter(unsent.values())
    result = {key: Counter({(state, *blank): n for state, n in per_state.items()}) for key in keys}
    if not periods or not result:
        return result
    classes = Case(
        *(
            When(period_start__in=[s for s, st in unsent.items() if st == state], then=Value(state))
            for state in per_state
        ),
        output_field=CharField(),
    )
    names = [f"x_{name}" for name in extra]
    rows = (
        summaries.filter(period_start__in=list(unsent), first_submitted_at__lt=cutoff)
        .annotate(
            sql_state=submitted_state_sql(periods, deadline=deadline),
            sql_unsent=classes,
            **{f"x_{name}": expression for name, expression in extra.items()},
        )
        .order_by()
        .values_list(*by, "sql_state", "sql_unsent", *names)
        .annotate(n=Count("pk"))
    )
    width = len(by)
    for row in rows:
        counter = result.get(row[:width])
        if counter is None:  # a report of a unit no longer expected: not counted
            continue
        state, unsent_state, *values, n = row[width:]
        counter[(unsent_state, *blank)] -= n
        counter[(state, *(None if v is None else bool(v) for v in values))] += n
    for counter in result.values():
        for key in [k for k, n in counter.items() if n <= 0]:
            del counter[key]
    return result


MASK_BITS = 62  # bits per SQL bigint mask: SUM of distinct powers of two stays below 2**63


def submission_masks(
    summaries: models.QuerySet,
    periods: list[Period],
    *,
    cutoff: datetime.datetime,
) -> dict[tuple[int, int], tuple[int, datetime.datetime | None]]:
    """{(task_id, department_id): (mask, latest)} from one aggregate query over `summaries`.

    `mask` has bit i set when the report for `periods[i]` was first submitted before
    `cutoff` (period_state SUBMITTED or LATE; any other expected report of those periods is
    not submitted: DUE, IN_PROGRESS or MISSING by its period alone). Reports are unique per
    task × unit × period, so the SUM of their distinct powers of two is that set of bits; a
    plan of more than MASK_BITS periods gets one mask per MASK_BITS periods, still one query.
    `latest`: the latest submission moment by the cutoff (its latest resubmission if made by
    then, else its first submission), across every period of `summaries`.
    """
    bit_of = {p.start: i for i, p in enumerate(periods)}
    masks = {}
    for chunk in range(max(1, -(-len(periods) // MASK_BITS))):
        whens = [
            When(period_start=start, then=Value(1 << (i - chunk * MASK_BITS)))
            for start, i in bit_of.items()
            if chunk * MASK_BITS <= i < (chunk + 1) * MASK_BITS
        ]
        masks[f"mask{chunk}"] = Sum(
            Case(
                When(first_submitted_at__lt=cutoff, then=Case(*whens, default=Value(0))),
                default=Value(0),
                output_field=models.BigIntegerField(),
            )
            if whens
            else Value(0, output_field=models.BigIntegerField())
        )
    latest = Max(
        Case(
            When(submitted_at__lt=cutoff, then="submitted_at"),
            When(first_submitted_at__lt=cutoff, then="first_submitted_at"),
        )
    )
    rows = (
        summaries.filter(Q(submitted_at__lt=cutoff) | Q(first_submitted_at__lt=cutoff))
        .order_by()
        .values_list("task_id", "department_id")
        .annotate(latest=latest, **masks)
    )
    result = {}
    for task_id, department_id, moment, *chunks in rows:
        mask = 0
        for chunk, value in enumerate(chunks):
            mask |= int(value or 0) << (chunk * MASK_BITS)
        result[(task_id, department_id)] = (mask, moment)
    return result


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
