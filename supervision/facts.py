"""The facts the dashboard and the scorecard are computed from, in a fixed few queries.

Reads the plan's tasks, assignments and targets, accepted target values, and from the
narrow `ReportSummary` rows of the plan only what a page needs, computed by the database:
per task × unit bitmasks of which expected reports were submitted, late, returned or
accepted (`reports.selectors.submissions`), each task's standing candidates
(`reports.standing.standing_candidates`), and the rows of the few periods a page lists one
by one; the summaries of a plan are never all loaded into Python. Each read runs
one query the first time a page asks for it, so a page's query count stays constant.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from reports.models import ProgressStatus, ReportState, ReportSummary, TargetValue
from reports.selectors import NO_SUBMISSIONS, Submissions, period_state, submissions
from reports.standing import standing_candidates, standing_report
from tasks.models import Plan, Target, Task
from tasks.periods import Period, end_of_day, plan_periods, submission_deadline


def local_date(moment):
    return timezone.localtime(moment).date() if moment else None


FACT_FIELDS = (
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
)


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


def is_done(fact) -> bool:
    """Whether an accepted lead report says the task is done (the scorecard's completion)."""
    return fact.progress_status == ProgressStatus.DONE or fact.percent == 100


# is_done in SQL (tested against is_done in supervision/tests/test_facts_sql.py).
DONE_SQL = Q(progress_status=ProgressStatus.DONE) | Q(percent=100)


@dataclass
class PlanFacts:
    plan: Plan
    as_of: datetime.date
    tasks: list  # Task with prefetched assignments, ordered by number
    assignments: list  # TaskAssignment (department selected), in the plan's order
    departments: dict  # department_id -> Department, in sort order
    targets: list  # Target, ordered by year
    periods: list  # every Period of the plan
    summaries: QuerySet  # the plan's ReportSummary rows up to as-of, scoped (never evaluated whole)
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
        self._assignments_by_task = None
        self._due_periods = self._ended_periods = self._period_index = None
        self._rows = {}
        self._bit = None
        self._unsubmitted = {}
        self._standing_rows = None
        self._submissions = None

    def assignments_of(self, task_id):
        """The task's assignments (in the plan's order), indexed once per request: looping
        over every assignment of the plan for each task made the dashboard quadratic."""
        if self._assignments_by_task is None:
            self._assignments_by_task = defaultdict(list)
            for a in self.assignments:
                self._assignments_by_task[a.task_id].append(a)
        return self._assignments_by_task.get(task_id, [])

    # --- reads computed by the database (one query each, the first time) ---------------

    def rows(self, periods, *, department_id=None) -> dict:
        """(task_id, department_id, period_start) -> Fact for the reports of `periods` (the
        few periods a page lists one by one: the current one, those due soon), of one
        department only when `department_id` is given (a unit's score drill-down)."""
        starts = tuple(sorted({p.start for p in periods}))
        key = (starts, department_id)
        if key not in self._rows:
            facts = {}
            if starts and self.tasks:
                query = self.summaries.filter(period_start__in=starts)
                if department_id is not None:
                    query = query.filter(department_id=department_id)
                for row in query.values_list(*FACT_FIELDS):
                    fact = Fact._make(row)
                    if fact.task_id in self._task_index:
                        facts[(fact.task_id, fact.department_id, fact.period_start)] = fact
            self._rows[key] = facts
        return self._rows[key]

    def submissions(self) -> dict:
        """{(task_id, department_id): reports.selectors.Submissions} over every ended period
        (bit i = ended_periods()[i]): one aggregate query, the first time. Everything the
        dashboard family counts (compliance, overdue, due soon, timeliness, review, the last
        report date) is read from these masks."""
        if self._submissions is None:
            self._submissions = (
                submissions(self.summaries, self.ended_periods(), cutoff=self.cutoff)
                if self.tasks
                else {}
            )
        return self._submissions

    def submissions_of(self, assignment) -> Submissions:
        key = (assignment.task_id, assignment.department_id)
        return self.submissions().get(key, NO_SUBMISSIONS)

    def bit(self, period) -> int:
        """The bit of an ended period in `submissions`."""
        if self._bit is None:
            self._bit = {p.start: i for i, p in enumerate(self.ended_periods())}
        return self._bit[period.start]

    def bits(self, periods) -> int:
        mask = 0
        for p in periods:
            mask |= 1 << self.bit(p)
        return mask

    def unsubmitted(self, periods) -> set:
        """{(task_id, department_id, period_start)} of the expected reports of `periods`
        (ended ones) not submitted by the as-of day: period_state DUE once the period has
        ended, MISSING once it is due."""
        key = tuple(p.start for p in periods)
        if key not in self._unsubmitted:
            wanted = self.bits(periods)
            found: set[tuple] = set()
            for a in self.assignments if wanted else ():
                sent = self.submissions_of(a).submitted
                if wanted & ~sent:
                    found.update(
                        (a.task_id, a.department_id, p.start)
                        for p in periods
                        if not sent >> self.bit(p) & 1
                    )
            self._unsubmitted[key] = found
        return self._unsubmitted[key]

    def standing(self, task):
        """The fact that stands for `task` on the as-of date (reports.standing's one rule:
        the database narrows each task to its newest accepted lead period, standing_report
        breaks the tie)."""
        if self._standing_rows is None:
            self._standing_rows = defaultdict(list)
            if self.tasks:
                query = standing_candidates(self.summaries, cutoff=self.cutoff)
                for row in query.values_list(*FACT_FIELDS):
                    self._standing_rows[row[0]].append(Fact._make(row))
        lead = task.principal_lead
        return standing_report(
            self._standing_rows.get(task.pk, []),
            principal_lead_id=lead.pk if lead else None,
            cutoff=self.cutoff,
        )

    def last_report_dates(self) -> dict:
        """task_id -> local date of the latest submission by any unit by the as-of day (its
        latest resubmission if made by then, else its first submission)."""
        latest: dict = {}
        for (task_id, _department_id), found in self.submissions().items():
            moment = found.latest
            if moment is not None and (task_id not in latest or moment > latest[task_id]):
                latest[task_id] = moment
        return {task_id: local_date(moment) for task_id, moment in latest.items()}

    def first_done_periods(self) -> dict:
        """task_id -> the first period whose accepted (by the as-of day) lead report says
        the task is done (is_done): one query."""
        if not self.tasks:
            return {}
        rows = (
            self.summaries.filter(DONE_SQL, is_lead=True, accepted_at__lt=self.cutoff)
            .order_by()
            .values_list("task_id")
            .annotate(first=Min("period_start"))
        )
        return dict(rows)

    # --- pure date arithmetic --------------------------------------------------------------

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

    def due_periods(self) -> list[Period]:
        """Periods whose report was due before the as-of date (missing ones are overdue)."""
        if self._due_periods is None:
            self._due_periods = [p for p in self.periods if p.due < self.as_of]
        return self._due_periods

    def ended_periods(self) -> list[Period]:
        if self._ended_periods is None:
            self._ended_periods = [p for p in self.periods if p.end < self.as_of]
        return self._ended_periods

    def due_soon_periods(self, days) -> list[Period]:
        """Ended periods whose reports are due within `days` days of the as-of date."""
        return [p for p in self.ended_periods() if 0 <= (p.due - self.as_of).days <= days]

    def period(self, start):
        if self._period_index is None:
            self._period_index = {p.start: p for p in self.periods}
        return self._period_index.get(start)

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


def _summaries(plan, as_of, scope):
    # Drafts count for nothing here, and leaving them out makes that true by construction:
    # a draft save renews no figures token (supervision.figure_triggers).
    summaries = ReportSummary.objects.filter(plan=plan, period_start__lte=as_of).exclude(
        state=ReportState.DRAFT
    )
    if scope is not None:
        summaries = summaries.filter(department_id=scope)
    return summaries


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
    """The plan's facts up to `as_of`: 3 queries now (4 with target values); the reads of
    report summaries run one query each when a page first asks for them (PlanFacts).

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
        summaries=_summaries(plan, as_of, scope),
        target_actuals=dict(target_actuals),
        scoped_department_id=scope,
    )
