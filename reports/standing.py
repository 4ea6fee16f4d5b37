"""Which report stands for a task: the one rule every page, export and mail uses.

A task's standing (its progress status and percent, and the period they are for) is the
newest accepted report of one of its lead units; when two lead units' reports are accepted
for that same period, the principal lead's (the first named in the plan) stands. Supporting
units' contributions and reports not yet accepted never stand for the task.

The functions are pure: they take rows already loaded — `ReportSummary` rows or the
dashboard's facts, anything with `period_start`, `department_id`, `is_lead` and
`accepted_at` — so a page listing many tasks runs no extra query.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import F, QuerySet, Window
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


def standing_summary_subquery(task_ref: str = "pk"):
    """The same rule in SQL, for pages that list many tasks: a correlated subquery giving the
    pk of the ReportSummary that stands for the task named by OuterRef(task_ref) (the newest
    accepted lead report, the principal lead's on a tie; the principal is the first lead by
    position). Annotate a Task queryset with it; no row is loaded per report."""
    from django.db.models import BooleanField, Case, OuterRef, Subquery, Value, When

    from reports.models import ReportSummary
    from tasks.models import TaskAssignment

    principal = TaskAssignment.objects.filter(
        task_id=OuterRef("task_id"), role=TaskAssignment.Role.LEAD
    ).order_by("position", "pk")
    newest = (
        ReportSummary.objects.filter(
            task_id=OuterRef(task_ref), is_lead=True, accepted_at__isnull=False
        )
        .annotate(
            principal=Case(
                When(
                    department_id=Subquery(principal.values("department_id")[:1]), then=Value(True)
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-period_start", "-principal", "department_id")
        .values("pk")[:1]
    )
    return Subquery(newest)
