"""Read-side computations for the supervision pages and the leadership workbook.

`dashboard_data` and `scorecard_data` return plain dataclasses so the pages, the Excel
export and tests all see the same figures. Both run a small constant number of queries
(see supervision/facts.py) whatever the number of reports.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from reports.models import ProgressStatus, ReportState
from reports.selectors import PeriodState
from supervision.choices import ComplianceKind, Light, TargetStatus
from supervision.facts import Fact, PlanFacts, load_plan_facts, visible_department_id
from supervision.figure_cache import cached_figures
from supervision.scoring import (  # noqa: F401 - re-exported: one import place for callers
    ComponentScore,
    DepartmentScore,
    ScorecardData,
    ScoreItem,
    scorecard_data,
)
from tasks.models import Plan, TaskAssignment, is_yes_no
from tasks.periods import Period, current_period

DUE_SOON_DAYS = 3

# Derived from supervision.choices (the one home of each vocabulary).
LIGHT_LABELS = dict(Light.choices)
LIGHT_ORDER = tuple(Light.values)

# Where an expected report stands on the as-of date (see compliance_kind), in table order.
COMPLIANCE_LABELS = dict(ComplianceKind.choices)


@dataclass
class TargetRow:
    target_id: int
    task_id: int
    task_number: int
    year: int
    indicator: str
    unit: str
    kind: str
    target_value: Decimal | None
    actual: Decimal | None
    actual_period_start: datetime.date | None
    due_date: datetime.date
    status: str  # "met" | "missed" | "pending" (not due yet and not met)
    status_label: str

    @property
    def is_milestone(self):
        """Done or not rather than a number (tasks.models.is_yes_no)."""
        return is_yes_no(self.target_value)


TARGET_STATUS_LABELS = dict(TargetStatus.choices)


@dataclass
class TargetYear:
    year: int
    rows: list[TargetRow]

    @property
    def total(self):
        return len(self.rows)

    @property
    def met(self):
        return sum(1 for r in self.rows if r.status == TargetStatus.MET)

    @property
    def missed(self):
        return sum(1 for r in self.rows if r.status == TargetStatus.MISSED)

    @property
    def pending(self):
        return sum(1 for r in self.rows if r.status == TargetStatus.PENDING)


@dataclass
class TaskRow:
    task_id: int
    number: int
    content: str
    lead_units_text: str
    supporting_units_text: str
    principal_lead_id: int | None
    principal_lead_name: str
    light: str  # "green" | "amber" | "red" | "grey"
    light_label: str
    reason: str
    percent: int | None  # latest accepted percent of a lead report (None: none accepted yet)
    progress_status: str  # ProgressStatus value or ""
    progress_status_label: str
    accepted_period_start: datetime.date | None
    last_report_date: datetime.date | None  # latest submission by any unit, by the as-of date
    targets: list[TargetRow] = field(default_factory=list)


@dataclass
class ComplianceRow:
    department_id: int | None  # None for the totals row
    department_name: str
    expected: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0  # due date passed, nothing submitted
    returned: int = 0  # returned for changes, not yet accepted
    awaiting: int = 0  # not submitted, due date not reached yet

    @property
    def submitted(self):
        return self.on_time + self.late + self.returned

    @property
    def on_time_rate(self):
        """Percent of expected reports submitted on time (None when nothing is expected)."""
        if not self.expected:
            return None
        return _round1(Decimal(self.on_time * 100) / self.expected)


@dataclass
class OverdueItem:
    task_id: int
    task_number: int
    task_content: str
    department_id: int
    department_name: str
    role: str
    role_label: str
    period_start: datetime.date
    period_label: str
    due_date: datetime.date
    days_overdue: int


@dataclass
class DashboardData:
    plan: Plan
    year: int
    as_of: datetime.date
    current_period: object  # tasks.periods.Period or None (no period has ended yet)
    overall_percent: Decimal
    tasks: list[TaskRow]
    target_years: list[TargetYear]  # every year of the plan, in order
    compliance: list[ComplianceRow]  # current period, one row per department
    compliance_total: ComplianceRow
    overdue: list[OverdueItem]  # every report due by the as-of date and not submitted
    light_counts: dict  # colour -> number of tasks

    @property
    def lagging(self):
        """Tasks shown red or amber, red first."""
        rank = {c: i for i, c in enumerate(LIGHT_ORDER)}
        rows = [t for t in self.tasks if t.light in (Light.RED, Light.AMBER)]
        return sorted(rows, key=lambda t: (rank[t.light], t.number))

    @property
    def year_targets(self):
        for ty in self.target_years:
            if ty.year == self.year:
                return ty
        return TargetYear(year=self.year, rows=[])


def _round1(value):
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _dept_name(department):
    return department.display_name if department else ""


def _target_rows(facts):
    rows = {}
    for target in facts.targets:
        best = facts.actual_for(target)
        actual = best[1] if best else None
        if target.is_met_by(actual):
            status = TargetStatus.MET
        elif target.due_date < facts.as_of:
            status = TargetStatus.MISSED
        else:
            status = TargetStatus.PENDING
        rows[target.pk] = TargetRow(
            target_id=target.pk,
            task_id=target.task_id,
            task_number=facts.task(target.task_id).number,
            year=target.year,
            indicator=target.indicator,
            unit=target.unit,
            kind=target.kind,
            target_value=target.target_value,
            actual=actual,
            actual_period_start=best[0] if best else None,
            due_date=target.due_date,
            status=status,
            status_label=TARGET_STATUS_LABELS[status],
        )
    return rows


# The compliance vocabulary over reports.selectors.period_state (returned is added on top).
_COMPLIANCE_OF_STATE = {
    PeriodState.SUBMITTED: ComplianceKind.ON_TIME,
    PeriodState.LATE: ComplianceKind.LATE,
    PeriodState.MISSING: ComplianceKind.MISSING,
    PeriodState.DUE: ComplianceKind.AWAITING,
    PeriodState.IN_PROGRESS: ComplianceKind.AWAITING,
}


def kind_of(state: PeriodState, returned: bool) -> ComplianceKind:
    """The compliance kind of an expected report in `state` (reports.selectors.period_state);
    `returned`: its report's workflow state is 退回 (only a submitted report can be)."""
    if returned and state in (PeriodState.SUBMITTED, PeriodState.LATE):
        return ComplianceKind.RETURNED
    return _COMPLIANCE_OF_STATE[state]


def compliance_kind(facts: PlanFacts, fact: Fact | None, period: Period) -> ComplianceKind:
    """How one expected report stands on the as-of date: a key of COMPLIANCE_LABELS.

    The one rule behind the dashboard's compliance counts, its overdue list and the
    compliance drill-down page. `fact` is None when the department has no report. The
    dashboard's table applies the same kind_of to the database's masks (compliance_kinds).
    """
    state = facts.period_state(period, fact)
    return kind_of(state, fact is not None and fact.state == ReportState.RETURNED)


def compliance_kinds(facts: PlanFacts, period: Period) -> dict:
    """{(task_id, department_id): ComplianceKind} of every expected report of an ended
    `period`: compliance_kind, from the database's submission masks (no row per report)."""
    result = {}
    bit = facts.bit(period)
    for a in facts.assignments:
        found = facts.submissions_of(a)
        state = found.state(bit, period, facts.as_of)
        result[(a.task_id, a.department_id)] = kind_of(state, bool(found.returned >> bit & 1))
    return result


def _overdue(facts):
    """Expected reports (assignment × period due before as-of) not submitted by the as-of day:
    compliance_kind MISSING, listed by the database (facts.unsubmitted)."""
    due = facts.due_periods()
    if not due:
        return []
    missing = facts.unsubmitted(due)
    if not missing:
        return []
    position = {(a.task_id, a.department_id): (i, a) for i, a in enumerate(facts.assignments)}
    found = []
    for task_id, department_id, start in missing:
        index, a = position[(task_id, department_id)]
        period = facts.period(start)
        task = facts.task(task_id)
        item = OverdueItem(
            task_id=task.pk,
            task_number=task.number,
            task_content=task.content,
            department_id=a.department_id,
            department_name=_dept_name(a.department),
            role=a.role,
            role_label=TaskAssignment.Role(a.role).label,
            period_start=period.start,
            period_label=period.label,
            due_date=period.due,
            days_overdue=(facts.as_of - period.due).days,
        )
        found.append((item, index))
    # Newest period first, then in the plan's task order (then the plan's unit order).
    found.sort(
        key=lambda f: (-f[0].period_start.toordinal(), f[0].task_number, f[0].department_name, f[1])
    )
    return [item for item, _index in found]


def _compliance(facts, period):
    rows = {
        dept_id: ComplianceRow(department_id=dept_id, department_name=_dept_name(dept))
        for dept_id, dept in facts.departments.items()
    }
    total = ComplianceRow(department_id=None, department_name="合计")
    if period is None:
        return list(rows.values()), total
    kinds = compliance_kinds(facts, period)
    for a in facts.assignments:
        row = rows[a.department_id]
        kind = kinds[(a.task_id, a.department_id)]
        for r in (row, total):
            r.expected += 1
            setattr(r, kind, getattr(r, kind) + 1)
    return list(rows.values()), total


def _task_light(task, facts, latest, task_targets, overdue_by_task):
    """Traffic light for one task on the as-of date; returns (colour, reason)."""
    red: list[str] = []
    amber: list[str] = []
    due = facts.due_periods()
    latest_due = due[-1] if due else None
    if latest_due is not None:
        # The lead unit's report is the task's report: overdue means red. A supporting
        # unit's overdue contribution is a warning.
        for item in overdue_by_task.get(task.pk, []):
            if item.period_start == latest_due.start:
                text = f"{item.department_name}{item.period_label}报告逾期{item.days_overdue}天"
                (red if item.role == TaskAssignment.Role.LEAD else amber).append(text)
    if latest is not None and latest.progress_status == ProgressStatus.BLOCKED:
        red.append("最近一期进展为“受阻”")
    for t in task_targets:
        if t.status == TargetStatus.MISSED:
            red.append(f"{t.year}年目标“{t.indicator}”未达成")

    if latest is not None and latest.progress_status == ProgressStatus.BEHIND:
        amber.append("最近一期进展为“进度滞后”")
    if latest is not None and latest.progress_status == ProgressStatus.NOT_STARTED:
        amber.append("已到报送期但尚未启动")
    due_soon = facts.due_soon_periods(DUE_SOON_DAYS)
    waiting = facts.unsubmitted(due_soon) if due_soon else set()
    for period in due_soon:
        days_left = (period.due - facts.as_of).days
        for a in facts.assignments_of(task.pk):
            # Ended, due date not passed, not submitted: period_state DUE.
            if (task.pk, a.department_id, period.start) in waiting:
                when = "今天" if days_left == 0 else f"{days_left}天后"
                amber.append(f"{_dept_name(a.department)}{period.label}报告{when}截止，尚未报送")

    if red:
        return Light.RED, "；".join(red)
    if amber:
        return Light.AMBER, "；".join(amber)
    if latest is not None:
        return (
            Light.GREEN,
            f"最近一期（{facts.period(latest.period_start).label}）{status_label(latest)}",
        )
    if latest_due is None:
        return Light.GREY, "尚无到期的报告"
    return Light.GREEN, "已按期报送，待审核通过"


def status_label(fact):
    if not fact.progress_status:
        return "已审核通过"
    return ProgressStatus(fact.progress_status).label


def dashboard_data(*, plan: Plan, year: int, as_of: datetime.date, user) -> DashboardData:
    """Everything the dashboard shows for `plan` on `as_of` (6 queries whatever the data; 1
    while the plan's figures are unchanged: supervision.figure_cache).

    `year` picks the targets year highlighted on the page; as-of drives every colour and
    count, so the same data and date always give the same picture.
    """

    def build():
        return build_dashboard(load_plan_facts(plan=plan, as_of=as_of, user=user), year=year)

    scope = visible_department_id(user)
    data = cached_figures("dashboard", plan, build, as_of=as_of, scope=scope)
    return data if data.year == year else replace(data, year=year)


def build_dashboard(facts: PlanFacts, *, year: int) -> DashboardData:
    target_rows = _target_rows(facts)
    overdue = _overdue(facts)
    overdue_by_task: dict[int, list[OverdueItem]] = {}
    for item in overdue:
        overdue_by_task.setdefault(item.task_id, []).append(item)
    last_report = facts.last_report_dates()

    targets_by_task: dict[int, list[TargetRow]] = {}
    for row in target_rows.values():
        targets_by_task.setdefault(row.task_id, []).append(row)
    rows = []
    for task in facts.tasks:
        latest = facts.standing(task)
        task_targets = targets_by_task.get(task.pk, [])
        colour, reason = _task_light(task, facts, latest, task_targets, overdue_by_task)
        lead = task.principal_lead
        rows.append(
            TaskRow(
                task_id=task.pk,
                number=task.number,
                content=task.content,
                lead_units_text=task.lead_units_text,
                supporting_units_text=task.supporting_units_text,
                principal_lead_id=lead.pk if lead else None,
                principal_lead_name=_dept_name(lead),
                light=colour,
                light_label=LIGHT_LABELS[colour],
                reason=reason,
                percent=latest.percent if latest else None,
                progress_status=latest.progress_status if latest else "",
                progress_status_label=status_label(latest) if latest else "",
                accepted_period_start=latest.period_start if latest else None,
                last_report_date=last_report.get(task.pk),
                targets=task_targets,
            )
        )

    if rows:
        overall = _round1(Decimal(sum(r.percent or 0 for r in rows)) / len(rows))
    else:
        overall = Decimal("0.0")
    years = range(facts.plan.start_year, facts.plan.end_year + 1)
    target_years = [
        TargetYear(year=y, rows=[r for r in target_rows.values() if r.year == y]) for y in years
    ]
    period = current_period(facts.plan, facts.as_of)
    compliance, total = _compliance(facts, period)
    counts = Counter(r.light for r in rows)
    return DashboardData(
        plan=facts.plan,
        year=year,
        as_of=facts.as_of,
        current_period=period,
        overall_percent=overall,
        tasks=rows,
        target_years=target_years,
        compliance=compliance,
        compliance_total=total,
        overdue=overdue,
        light_counts={c: counts.get(c, 0) for c in LIGHT_ORDER},
    )
