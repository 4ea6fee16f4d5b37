"""Which report stands for a task: the one rule every page, export and mail uses.

A task's standing (its progress status and percent, and the period they are for) is the
newest accepted report of one of its lead units; when two lead units' reports are accepted
for that same period, the principal lead's (the first named in the plan) stands. Supporting
units' contributions and reports not yet accepted never stand for the task.

The Python functions are pure: they take rows already loaded — `ReportSummary` rows or the
dashboard's facts, anything with `period_start`, `department_id`, `is_lead` and
`accepted_at` — so a page listing many tasks runs no extra query. Their SQL twins at the end
share one ORDER BY (`_standing_first`) and are tested against them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import (
    BooleanField,
    Case,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Rank

Row = TypeVar("Row")


def _stands(row: Any, cutoff: datetime.datetime | None) -> bool:
    accepted_at = row.accepted_at
    return (
        bool(row.is_lead) and accepted_at is not None and (cutoff is None or accepted_at < cutoff)
    )


def standing_report(
    rows: Iterable[Row], *, principal_lead_id: int | None, cutoff: datetime.datetime | None = None
) -> Row | None:
    """The row that stands for the task (None when no lead report is accepted yet).

    `rows` are one task's report rows; `cutoff` ignores acceptances at or after that instant
    (the end of the as-of day on the dashboard).
    """
    best: Any = None
    best_key: tuple = ()
    for row in rows:
        if not _stands(row, cutoff):
            continue
        key = _standing_key(row, principal_lead_id)
        if best is None or key > best_key:
            best, best_key = row, key
    return best


def standing_candidates(rows: QuerySet, *, cutoff: datetime.datetime) -> QuerySet:
    """The SQL half of `standing_report` for many tasks at once: of `rows` (ReportSummary
    rows of one plan), each task's lead rows accepted before `cutoff` for the newest period
    that has one — every lead's row of that period, so that `standing_report` over them
    applies the principal-lead tie rule in Python, in one place.

    A window function (RANK, portable to SQLite and PostgreSQL): the dashboard reads a few
    rows per task instead of every report of the plan. Tested against `standing_report` over
    all rows on randomised data (reports/tests/test_period_state_sql.py).
    """
    newest_first = Window(Rank(), partition_by=[F("task_id")], order_by=F("period_start").desc())
    return (
        rows.filter(is_lead=True, accepted_at__isnull=False, accepted_at__lt=cutoff)
        .annotate(standing_rank=newest_first)
        .filter(standing_rank=1)
    )


def _standing_key(row: Any, principal_lead_id: int | None) -> tuple:
    """Newest period first; within a period the principal lead's report."""
    return (row.period_start, row.department_id == principal_lead_id, -row.department_id)


def standing_target_values(targets, reports, *, principal_lead_id: int | None) -> list:
    """[(target, TargetValue, report)] for the task page and its print view: each target's
    value from the accepted lead report that stands by the same rule as standing_report
    (newest period, principal lead on a tie); (target, None, None) when none has one.
    `reports` are Report objects with `target_values` prefetched."""
    latest: dict = {}
    ranked = sorted(
        (r for r in reports if r.state == "accepted" and r.is_lead_report),
        key=lambda r: _standing_key(r, principal_lead_id),
        reverse=True,
    )
    for report in ranked:
        for value in report.target_values.all():
            latest.setdefault(value.target_id, (value, report))
    return [(target, *latest.get(target.pk, (None, None))) for target in targets]


def _principal_lead_id(task_id_ref: str) -> Subquery:
    """SQL for the principal lead unit of the task OuterRef(task_id_ref) names: its first lead
    by position, as Task.principal_lead reads it."""
    from tasks.models import TaskAssignment

    leads = TaskAssignment.objects.filter(
        task_id=OuterRef(task_id_ref), role=TaskAssignment.Role.LEAD
    ).order_by("position", "pk")
    return Subquery(leads.values("department_id")[:1])


def _standing_first(rows: QuerySet, *, report: str = "") -> QuerySet:
    """`rows` in `_standing_key` order, in SQL: newest period first, within a period the
    principal lead's, then the lowest unit id. `report` is the path from a row to its report's
    fields: "" for ReportSummary rows, "report__" for TargetValue rows."""
    department = f"{report}department_id"
    principal = Case(
        When(**{department: _principal_lead_id(f"{report}task_id")}, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return rows.annotate(principal=principal).order_by(
        f"-{report}period_start", "-principal", department
    )


def standing_summary_subquery(task_ref: str = "pk") -> Subquery:
    """The same rule in SQL, for pages that list many tasks: a correlated subquery giving the
    pk of the ReportSummary that stands for the task named by OuterRef(task_ref) (the newest
    accepted lead report, the principal lead's on a tie). Annotate a Task queryset with it; no
    row is loaded per report."""
    from reports.models import ReportSummary

    accepted_leads = ReportSummary.objects.filter(
        task_id=OuterRef(task_ref), is_lead=True, accepted_at__isnull=False
    )
    return Subquery(_standing_first(accepted_leads).values("pk")[:1])


def standing_target_values_sql(task) -> list[tuple]:
    """`standing_target_values` in SQL for the task page: each target's value from the
    accepted lead report that stands for it, by a correlated subquery per target; two queries
    whatever the number of reports (with the task's targets prefetched). Tested against
    `standing_target_values` (reports/tests/test_period_state_sql.py)."""
    from reports.models import ReportState, TargetValue
    from tasks.models import TaskAssignment

    targets = list(task.targets.all())
    accepted_leads = TargetValue.objects.filter(
        target=OuterRef("pk"),
        report__state=ReportState.ACCEPTED,
        report__role=TaskAssignment.Role.LEAD,
    )
    newest = _standing_first(accepted_leads, report="report__").values("pk")[:1]
    ids = task.targets.annotate(value_id=Subquery(newest)).values_list("value_id", flat=True)
    values = {
        v.target_id: v
        for v in TargetValue.objects.filter(pk__in=[i for i in ids if i]).select_related("report")
    }
    return [(t, values.get(t.pk), values[t.pk].report if t.pk in values else None) for t in targets]
