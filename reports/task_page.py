"""Reads for the task page: each loads only what one page shows, in a constant number of
queries whatever the number of reports, periods or events the task has.

The rules stay where they live: which report stands, and whose target values count, is
`reports.standing` (its SQL twins), how a period stands is `reports.selectors.period_state`.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count

from reports.models import Evidence, PeriodLock, Report, ReportEvent, ReportSummary
from reports.selectors import PeriodStatus, is_past_due, period_state
from reports.standing import standing_summary_subquery
from tasks.periods import Period, end_of_day, plan_periods

REPORTS_PER_PAGE = 30
PERIODS_PER_PAGE = 12
EVENTS_PER_PAGE = 20

# Columns the reports table shows; the other texts (problems, next steps, comments) stay in
# the database.
REPORT_TABLE_FIELDS = (
    "id",
    "task_id",
    "department__name",
    "department__short_name",
    "department__sort_order",
    "period_start",
    "role",
    "state",
    "progress_status",
    "percent",
    "work_done",
)


def standing_summary(task) -> ReportSummary | None:
    """The row that stands for the task (reports.standing's rule, as SQL)."""
    pk = (
        type(task)
        .objects.filter(pk=task.pk)
        .annotate(standing_id=standing_summary_subquery())
        .values_list("standing_id", flat=True)
        .first()
    )
    return ReportSummary.objects.filter(pk=pk).first() if pk else None


def reports_page(user, task, number) -> Page:
    """One page of the reports the user sees on the task, newest period first, each with its
    `evidence_count` (three queries: count, page, evidence counts)."""
    reports = (
        Report.objects.visible_to(user)
        .filter(task=task)
        .select_related("department")
        .only(*REPORT_TABLE_FIELDS)
        .order_by("-period_start", "department__sort_order", "department_id")
    )
    page = Paginator(reports, REPORTS_PER_PAGE).get_page(number)
    shown = list(page.object_list)
    counts = dict(
        Evidence.objects.filter(report__in=[r.pk for r in shown])
        .values("report_id")
        .annotate(n=Count("id"))
        .values_list("report_id", "n")
    )
    for report in shown:
        report.evidence_count = counts.get(report.pk, 0)
    page.object_list = shown
    return page


def events_page(user, task, number) -> Page:
    """One page of the workflow events of the reports the user sees, newest first."""
    visible = Report.objects.visible_to(user).filter(task=task).values("pk")
    events = (
        ReportEvent.objects.filter(report__in=visible)
        .select_related("actor", "report__department")
        .order_by("-at", "-pk")
    )
    return Paginator(events, EVENTS_PER_PAGE).get_page(number)


@dataclass(frozen=True)
class UnitCoverage:
    assignment: object
    last: PeriodStatus | None  # the newest started period's status
    missing: int  # periods past their due date without a submission


def unit_coverage(task, assignments, today: datetime.date) -> list[UnitCoverage]:
    """Per responsible unit: its newest period's state and how many periods are missing,
    from two aggregate queries (never every summary row of the task)."""
    periods = plan_periods(task.plan)
    started = [p for p in periods if p.start <= today]
    past_due = [p.start for p in started if is_past_due(p, today)]
    cutoff = end_of_day(today)
    submitted = Counter(
        dict(
            ReportSummary.objects.filter(
                task=task, period_start__in=past_due, first_submitted_at__lt=cutoff
            )
            .values("department_id")
            .annotate(n=Count("id"))
            .values_list("department_id", "n")
        )
    )
    last = started[-1] if started else None
    newest = {}
    if last is not None:
        newest = dict(
            ReportSummary.objects.filter(task=task, period_start=last.start).values_list(
                "department_id", "first_submitted_at"
            )
        )
    result = []
    for a in assignments:
        status = None
        if last is not None:
            first = newest.get(a.department_id)
            status = PeriodStatus(last, period_state(last, first, today, cutoff=cutoff))
        result.append(UnitCoverage(a, status, len(past_due) - submitted[a.department_id]))
    return result


def own_periods_page(user, task, today: datetime.date, number) -> Page:
    """One page of the user's unit's started periods on the task, newest first, each
    {"status", "report", "closed"} (two queries for the page, whatever the task's length)."""
    started = [p for p in plan_periods(task.plan) if p.start <= today]
    page = Paginator(list(reversed(started)), PERIODS_PER_PAGE).get_page(number)
    periods: list[Period] = list(page.object_list)
    starts = [p.start for p in periods]
    reports = {
        r.period_start: r
        for r in Report.objects.filter(
            task=task, department_id=user.department_id, period_start__in=starts
        ).only("id", "task_id", "department_id", "period_start", "state", "first_submitted_at")
    }
    closed = set(
        PeriodLock.objects.closed()
        .filter(plan=task.plan, period_start__in=starts)
        .values_list("period_start", flat=True)
    )
    cutoff = end_of_day(today)
    items = []
    for period in periods:
        report = reports.get(period.start)
        first = report.first_submitted_at if report else None
        state = period_state(period, first, today, cutoff=cutoff)
        items.append(
            {
                "status": PeriodStatus(period, state, report),
                "report": report,
                "closed": period.start in closed,
            }
        )
    page.object_list = items  # type: ignore[assignment]  # the page's rows replace its periods
    return page
