"""The compliance drill-down: every expected report behind the dashboard's compliance counts.

An expected report is a task × responsible department × reporting period that has ended by
the as-of date. Each is classified by `selectors.compliance_kind`, the rule the dashboard's
compliance table and overdue list use, so the page's counts equal the dashboard's.
"""

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from reports.models import ReportSummary
from supervision.choices import ComplianceKind
from supervision.facts import Fact, PlanFacts, load_plan_facts, local_date, visible_department_id
from supervision.figure_cache import cached_figures
from supervision.selectors import COMPLIANCE_LABELS, compliance_kind
from tasks.models import Plan, TaskAssignment
from tasks.periods import Period, current_period

ALL_PERIODS = "all"
BADGES: dict[str, str] = {
    ComplianceKind.ON_TIME: "green",
    ComplianceKind.LATE: "amber",
    ComplianceKind.RETURNED: "blue",
    ComplianceKind.MISSING: "red",
    ComplianceKind.AWAITING: "grey",
}


@dataclass
class ComplianceItem:
    department_id: int
    department_name: str
    task_id: int
    task_number: int
    task_content: str
    role: str
    role_label: str
    period_start: datetime.date
    period_label: str
    due_date: datetime.date
    kind: str  # a key of COMPLIANCE_LABELS
    kind_label: str
    submitted_at: datetime.datetime | None  # first submission, if made by the as-of day
    days_overdue: int | None  # days past the due date (missing: till as-of; late: till sent)
    report_id: int | None = None  # filled in for the shown page only (_attach_report_ids)

    @property
    def badge(self):
        return BADGES[self.kind]


@dataclass
class ComplianceData:
    plan: Plan
    as_of: datetime.date
    periods: list  # the Periods covered, newest first
    department_id: int | None
    kind: str  # "" for every status
    counts: dict  # kind -> number of expected reports (before the status filter)
    entries: list  # Entry, sorted; turned into items per page

    @property
    def expected(self):
        return sum(self.counts.values())

    @property
    def kind_label(self):
        return COMPLIANCE_LABELS.get(self.kind, "")

    @property
    def buckets(self):
        """(kind, label, count) in the dashboard's column order."""
        return [(k, label, self.counts[k]) for k, label in COMPLIANCE_LABELS.items()]


class Entry(NamedTuple):
    """One expected report on the drill-down: small, so a plan's period keeps in the cache."""

    task_id: int
    department_id: int
    role: str
    period: Period
    fact: Fact | None
    kind: str


@dataclass
class CompliancePage:
    """Everything the drill-down shows apart from the page of items: the classified entries
    and what the filters and rows need by name (kept between requests, figure_cache)."""

    data: ComplianceData
    departments: dict  # department id -> display name, in the plan's order
    ended: list  # ended Periods, newest first (the period filter's options)
    current: Period | None
    tasks: dict  # task id -> (number, content)
    cutoff: datetime.datetime


def compliance_page(*, plan, as_of, user, period_value, department_id=None, kind=""):
    """The drill-down for `plan` on `as_of` as the user may see it. One period's page is
    kept between requests (supervision.figure_cache); every ended period at once is
    computed each time (up to a plan's whole history: too big to keep)."""

    def build():
        facts = load_plan_facts(plan=plan, as_of=as_of, user=user, with_target_values=False)
        periods = compliance_window(facts, period_value)
        return CompliancePage(
            data=compliance_data(facts, periods=periods, department_id=department_id, kind=kind),
            departments={pk: d.display_name for pk, d in facts.departments.items()},
            ended=facts.ended_periods()[::-1],
            current=current_period(plan, as_of),
            tasks={t.pk: (t.number, t.content) for t in facts.tasks},
            cutoff=facts.cutoff,
        )

    if period_value == ALL_PERIODS:
        return build()
    return cached_figures(
        "compliance",
        plan,
        build,
        as_of=as_of,
        scope=visible_department_id(user),
        period=period_value or "",
        department=department_id,
        kind=kind,
    )


def compliance_window(facts: PlanFacts, period_value):
    """The periods to list: by default the dashboard's current period (the latest ended
    one); ALL_PERIODS for every ended period (the overdue list's window); or the ended
    period starting on the ISO date `period_value`."""
    ended = facts.ended_periods()
    if period_value == ALL_PERIODS:
        return ended[::-1]
    chosen = [p for p in ended if p.start.isoformat() == period_value]
    if chosen:
        return chosen
    period = current_period(facts.plan, facts.as_of)
    return [period] if period is not None else []


def compliance_data(facts: PlanFacts, *, periods, department_id=None, kind=""):
    """Classify every expected report in `periods`; no query (the facts are loaded)."""
    order = {dept_id: i for i, dept_id in enumerate(facts.departments)}
    counts: Counter[str] = Counter()
    entries = []
    rows = facts.rows(periods)
    for period in periods:
        for a in facts.assignments:
            if department_id is not None and a.department_id != department_id:
                continue
            fact = rows.get((a.task_id, a.department_id, period.start))
            this_kind = compliance_kind(facts, fact, period)
            counts[this_kind] += 1
            if kind and this_kind != kind:
                continue
            entries.append(Entry(a.task_id, a.department_id, a.role, period, fact, this_kind))
    # Unit first (the dashboard's order), then the newest period, then the plan's task order.
    entries.sort(
        key=lambda e: (
            order[e.department_id],
            -e.period.start.toordinal(),
            facts.task(e.task_id).number,
        )
    )
    return ComplianceData(
        plan=facts.plan,
        as_of=facts.as_of,
        periods=periods,
        department_id=department_id,
        kind=kind,
        counts={k: counts.get(k, 0) for k in COMPLIANCE_LABELS},
        entries=entries,
    )


def compliance_items(view: CompliancePage, entries):
    """Rows for a page of entries, with their report links (one query)."""
    as_of = view.data.as_of
    items = []
    for e in entries:
        number, content = view.tasks[e.task_id]
        fact = e.fact
        sent = (
            fact.first_submitted_at if fact is not None and fact.submitted_by(view.cutoff) else None
        )
        if e.kind == ComplianceKind.MISSING:
            days = (as_of - e.period.due).days
        elif sent is not None and local_date(sent) > e.period.due:
            days = (local_date(sent) - e.period.due).days
        else:
            days = None
        items.append(
            ComplianceItem(
                department_id=e.department_id,
                department_name=view.departments[e.department_id],
                task_id=e.task_id,
                task_number=number,
                task_content=content,
                role=e.role,
                role_label=TaskAssignment.Role(e.role).label,
                period_start=e.period.start,
                period_label=e.period.label,
                due_date=e.period.due,
                kind=e.kind,
                kind_label=COMPLIANCE_LABELS[e.kind],
                submitted_at=sent,
                days_overdue=days,
            )
        )
    _attach_report_ids(view.data.plan, items)
    return items


def _attach_report_ids(plan, items):
    """Set report_id on the items that have a report: one query for the page's rows."""
    if not items:
        return
    rows = ReportSummary.objects.filter(
        plan=plan,
        period_start__in={i.period_start for i in items},
        task_id__in={i.task_id for i in items},
        department_id__in={i.department_id for i in items},
    ).values_list("task_id", "department_id", "period_start", "report_id")
    ids = {(t, d, p): r for t, d, p, r in rows}
    for item in items:
        item.report_id = ids.get((item.task_id, item.department_id, item.period_start))
