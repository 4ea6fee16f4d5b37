"""The compliance drill-down: every expected report behind the dashboard's compliance counts.

An expected report is a task × responsible department × reporting period that has ended by
the as-of date. Each is classified by `selectors.compliance_kind`, the rule the dashboard's
compliance table and overdue list use, so the page's counts equal the dashboard's.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from reports.models import ReportSummary
from supervision.choices import ComplianceKind
from supervision.facts import PlanFacts, local_date
from supervision.selectors import COMPLIANCE_LABELS, compliance_kind
from tasks.models import Plan, TaskAssignment
from tasks.periods import current_period

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
    entries: list  # (assignment, period, fact, kind), sorted; turned into items per page

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


def compliance_window(facts: PlanFacts, period_value):
    """The periods to list: by default the dashboard's current period (the latest ended
    one); ALL_PERIODS for every ended period (the overdue list's window); or the ended
    period starting on the ISO date `period_value`."""
    ended = [p for p in facts.periods if p.end < facts.as_of]
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
            entries.append((a, period, fact, this_kind))
    # Unit first (the dashboard's order), then the newest period, then the plan's task order.
    entries.sort(
        key=lambda e: (
            order[e[0].department_id],
            -e[1].start.toordinal(),
            facts.task(e[0].task_id).number,
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


def compliance_items(facts: PlanFacts, entries):
    """Rows for a page of entries, with their report links (one query)."""
    cutoff = facts.cutoff
    items = []
    for a, period, fact, kind in entries:
        task = facts.task(a.task_id)
        sent = fact.first_submitted_at if fact is not None and fact.submitted_by(cutoff) else None
        if kind == ComplianceKind.MISSING:
            days = (facts.as_of - period.due).days
        elif sent is not None and local_date(sent) > period.due:
            days = (local_date(sent) - period.due).days
        else:
            days = None
        items.append(
            ComplianceItem(
                department_id=a.department_id,
                department_name=a.department.display_name,
                task_id=task.pk,
                task_number=task.number,
                task_content=task.content,
                role=a.role,
                role_label=TaskAssignment.Role(a.role).label,
                period_start=period.start,
                period_label=period.label,
                due_date=period.due,
                kind=kind,
                kind_label=COMPLIANCE_LABELS[kind],
                submitted_at=sent,
                days_overdue=days,
            )
        )
    _attach_report_ids(facts, items)
    return items


def _attach_report_ids(facts, items):
    """Set report_id on the items that have a report: one query for the page's rows."""
    if not items:
        return
    rows = ReportSummary.objects.filter(
        plan=facts.plan,
        period_start__in={i.period_start for i in items},
        task_id__in={i.task_id for i in items},
        department_id__in={i.department_id for i in items},
    ).values_list("task_id", "department_id", "period_start", "report_id")
    ids = {(t, d, p): r for t, d, p, r in rows}
    for item in items:
        item.report_id = ids.get((item.task_id, item.department_id, item.period_start))
