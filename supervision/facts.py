"""The facts the dashboard and the scorecard are computed from, loaded in a fixed few queries.

Reads only the plan's tasks, assignments and targets, the narrow `ReportSummary` rows of the
plan up to the as-of date (index `summary_plan_period`), and accepted target values. Never
touches report text, so the cost depends on one plan's size, not on the province's.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from django.utils import timezone

from reports.models import ReportSummary, TargetValue
from reports.selectors import period_state
from reports.standing import standing_report
from tasks.models import Plan, Target, Task
from tasks.periods import end_of_day, plan_periods, submission_deadline


def local_date(moment):
    return timezone.localtime(moment).date() if moment else None


class Fact(NamedTuple):
    """One report as the dashboards need it (a ReportSummary row, as seen on the as-of date).

    A NamedTuple rather than a dataclass: thousands are built per request, and tuples are
    several times cheaper to create.
    """

    task_id: int
    department_id: int
    period_start: datetime.date
    is_lead: bool
    state: str
    progress_status: str
    percent: int | None
    first_submitted_at: datetime.datetime | None
    submitted_at: datetime.datetime | None
    accepted_at: datetime.datetime | None
    times_returned: int

    def submitted_by(self, cutoff):
        """Whether the report had been submitted before `cutoff` (an aware datetime)."""
        return self.first_submitted_at is not None and self.first_submitted_at < cutoff

    def accepted_by(self, cutoff):
        return self.accepted_at is not None and self.accepted_at < cutoff


@dataclass
class PlanFacts:
    plan: Plan
    as_of: datetime.date
    tasks: list  # Task with prefetched assignments, ordered by number
    assignments: list  # TaskAssignment (department selected), in the plan's order
    departments: dict  # department_id -> Department, in sort order
    targets: list  # Target, ordered by year
    periods: list  # every Period of the plan
    facts: dict  # (task_id, department_id, period_start) -> Fact
    target_actuals: dict = field(default_factory=dict)  # target_id -> [(period_start, Decimal)]
    scoped_department_id: int | None = None  # set when the user sees only their department

    @cached_property
    def cutoff(self):
        """Events up to the end of the as-of day count; later ones are ignored (computed
        once: it is read for every report of the plan)."""
        return end_of_day(self.as_of)

    def task(self, task_id):
        return self._task_index[task_id]

    def __post_init__(self):
        self._task_index = {t.pk: t for t in self.tasks}
        self._deadlines = {}
        self._by_task = None
        self._assignments_by_task = None
        self._due_periods = self._ended_periods = self._period_index = None

    def facts_of_task(self, task_id):
        """The task's facts (every unit, every period), indexed once per request."""
        if self._by_task is None:
            self._by_task = defaultdict(list)
            for fact in self.facts.values():
                self._by_task[fact.task_id].append(fact)
        return self._by_task.get(task_id, [])

    def assignments_of(self, task_id):
        """The task's assignments (in the plan's order), indexed once per request: looping
        over every assignment of the plan for each task made the dashboard quadratic."""
        if self._assignments_by_task is None:
            self._assignments_by_task = defaultdict(list)
            for a in self.assignments:
                self._assignments_by_task[a.task_id].append(a)
        return self._assignments_by_task.get(task_id, [])

    def standing(self, task):
        """The fact that stands for `task` on the as-of date (reports.standing's one rule)."""
        lead = task.principal_lead
        return standing_report(
            self.facts_of_task(task.pk),
            principal_lead_id=lead.pk if lead else None,
            cutoff=self.cutoff,
        )

    def deadline(self, period):
        """The end of the period's due day (memoised: called once per expected report)."""
        moment = self._deadlines.get(period.start)
        if moment is None:
            moment = self._deadlines[period.start] = submission_deadline(period)
        return moment

    def period_state(self, period, fact):
        """reports.selectors.period_state of `fact` (None: no report) on the as-of date, with
        the as-of cutoff and the period's deadline computed once per request."""
        return period_state(
            period,
            fact.first_submitted_at if fact is not None else None,
            self.as_of,
            cutoff=self.cutoff,
            deadline=self.deadline(period),
        )

    def due_periods(self):
        """Periods whose report was due before the as-of date (missing ones are overdue)."""
        if self._due_periods is None:
            self._due_periods = [p for p in self.periods if p.due < self.as_of]
        return self._due_periods

    def ended_periods(self):
        if self._ended_periods is None:
            self._ended_periods = [p for p in self.periods if p.end < self.as_of]
        return self._ended_periods

    def period(self, start):
        if self._period_index is None:
            self._period_index = {p.start: p for p in self.periods}
        return self._period_index.get(start)

    def lead_facts_by_task(self):
        """task_id -> lead facts accepted by the as-of date, newest period first."""
        cutoff = self.cutoff
        by_task = defaultdict(list)
        for fact in self.facts.values():
            if fact.is_lead and fact.accepted_by(cutoff):
                by_task[fact.task_id].append(fact)
        for rows in by_task.values():
            rows.sort(key=lambda f: f.period_start, reverse=True)
        return by_task

    def actual_for(self, target, *, by=None):
        """The latest accepted actual value of a target reported for a period ending by `by`."""
        rows = self.target_actuals.get(target.pk, [])
        best = None
        for period_start, value in rows:
            if by is not None and period_start > by:
                continue
            if best is None or period_start >= best[0]:
                best = (period_start, value)
        return best


def visible_department_id(user) -> int | None:
    """None when the user sees every department; the user's department id otherwise.

    Returns -1 (sees nothing) for a user with neither a department nor a broad role.
    """
    if user is None or getattr(user, "sees_all_departments", False):
        return None
    return user.department_id or -1


def load_plan_facts(
    *, plan: Plan, as_of: datetime.date, user, with_target_values: bool = True
) -> PlanFacts:
    """Load everything for one plan up to `as_of`. Runs 3 queries (4 with target values).

    Department users only get their own department's assignments and reports, so anything
    computed from the result (pages, exports) shows only what they may see.
    """
    scope = visible_department_id(user)
    tasks = list(Task.objects.filter(plan=plan).with_units().order_by("number"))
    if scope is not None:
        tasks = [t for t in tasks if any(a.department_id == scope for a in t.assignments.all())]
    assignments = []
    departments = {}
    for task in tasks:
        for a in task.assignments.all():
            if scope is not None and a.department_id != scope:
                continue
            assignments.append(a)
            departments[a.department_id] = a.department
    departments = dict(
        sorted(departments.items(), key=lambda item: (item[1].sort_order, item[1].name))
    )
    task_ids = {t.pk for t in tasks}
    targets = [
        t
        for t in Target.objects.filter(task__plan=plan).order_by(
            "year", "task__number", "sort_order", "id"
        )
        if t.task_id in task_ids
    ]

    periods = plan_periods(plan)
    summaries = ReportSummary.objects.filter(plan=plan, period_start__lte=as_of)
    if scope is not None:
        summaries = summaries.filter(department_id=scope)
    facts = {}
    for row in summaries.values_list(
        "task_id",
        "department_id",
        "period_start",
        "is_lead",
        "state",
        "progress_status",
        "percent",
        "first_submitted_at",
        "submitted_at",
        "accepted_at",
        "times_returned",
    ):
        fact = Fact._make(row)
        if fact.task_id in task_ids:
            facts[(fact.task_id, fact.department_id, fact.period_start)] = fact

    target_actuals = defaultdict(list)
    if with_target_values and targets:
        values = TargetValue.objects.filter(
            target__task__plan=plan,
            report__summary__accepted_at__lt=end_of_day(as_of),
        )
        if scope is not None:
            values = values.filter(report__department_id=scope)
        for target_id, period_start, value in values.values_list(
            "target_id", "report__period_start", "actual_value"
        ):
            target_actuals[target_id].append((period_start, Decimal(value)))

    return PlanFacts(
        plan=plan,
        as_of=as_of,
        tasks=tasks,
        assignments=assignments,
        departments=departments,
        targets=targets,
        periods=periods,
        facts=facts,
        target_actuals=dict(target_actuals),
        scoped_department_id=scope,
    )
