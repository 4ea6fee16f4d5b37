"""The task page (verbatim task, policy text, targets with actual values, report timeline)
and the task's change history."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from reports import history
from reports.access import get_task_for_user, sees_every_unit_of_task
from reports.models import (
    PeriodLock,
    Report,
    ReportEvent,
    ReportSummary,
    TargetValue,
)
from reports.selectors import responsible_period_statuses
from reports.standing import standing_report, standing_target_values
from tasks.models import TaskAssignment

EVENTS_PER_PAGE = 20


def _by_year(items, day_of):
    """[(year, [items])], newest year first; `items` are already newest first."""
    years: dict[int, list] = {}
    for item in items:
        years.setdefault(day_of(item).year, []).append(item)
    return list(years.items())


def _my_periods(user, task, coverage, reports):
    """The user's unit's periods on the task, newest first, with its report and lock state."""
    closed = set(
        PeriodLock.objects.filter(plan=task.plan, is_closed=True).values_list(
            "period_start", flat=True
        )
    )
    own = next(s for a, s in coverage if a.department_id == user.department_id)
    reports_by_start = {r.period_start: r for r in reports if r.department_id == user.department_id}
    return [
        {
            "status": s,
            "report": reports_by_start.get(s.period.start),
            "closed": s.period.start in closed,
        }
        for s in reversed(own)
    ]


def _timeline_page(request, reports):
    """One page of the workflow events of the reports the user sees, newest first."""
    events = (
        ReportEvent.objects.filter(report__in=[r.pk for r in reports])
        .select_related("actor", "report__department")
        .order_by("-at", "-pk")
    )
    return Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("events_page"))


def _standing(task):
    """The report that stands for the task (reports.standing), as the dashboard shows it."""
    lead = task.principal_lead
    accepted = ReportSummary.objects.filter(task=task, is_lead=True, accepted_at__isnull=False)
    return standing_report(accepted, principal_lead_id=lead.pk if lead else None)


@require_safe
@permission_required("reports.view_report", raise_exception=True)
def task_detail(request, pk):
    """Runs a fixed number of queries whatever the number of reports and events."""
    user = request.user
    task = get_task_for_user(user, pk, with_details=True)
    reports = list(
        Report.objects.visible_to(user)
        .filter(task=task)
        .select_related("department")
        .prefetch_related(
            Prefetch("target_values", queryset=TargetValue.objects.select_related("target")),
            "evidence",
        )
        .order_by("-period_start", "department__sort_order")
    )
    summaries = ReportSummary.objects.filter(task=task).only(
        "department_id", "period_start", "first_submitted_at"
    )
    coverage = responsible_period_statuses(task, summaries, timezone.localdate())
    my_role = task.role_of(user.department_id) if user.is_department_staff else None
    if not sees_every_unit_of_task(user, task):
        coverage = [(a, s) for a, s in coverage if a.department_id == user.department_id]
    my_periods = []
    if my_role and user.has_perm("reports.add_report"):
        my_periods = _my_periods(user, task, coverage, reports)
    events = _timeline_page(request, reports)
    context = {
        "task": task,
        "standing": _standing(task),
        "reports": reports,  # the supervision tags mark reports found 不属实
        "report_years": _by_year(reports, lambda r: r.period_start),
        "events": [(event, event.report) for event in events],
        "events_page": events,
        "targets": standing_target_values(
            task.targets.all(),
            reports,
            principal_lead_id=task.principal_lead.pk if task.principal_lead else None,
        ),
        "coverage": [
            (
                a,
                statuses[-1] if statuses else None,
                sum(1 for s in statuses if s.state == "missing"),
            )
            for a, statuses in coverage
        ],
        "my_role": my_role,
        "my_role_label": TaskAssignment.Role(my_role).label if my_role else "",
        "my_periods": my_periods,
        "my_period_years": _by_year(my_periods, lambda item: item["status"].period.start),
        "this_year": timezone.localdate().year,
    }
    return render(request, "reports/task_detail.html", context)


@require_safe
@permission_required("reports.view_report", raise_exception=True)
def task_history(request, pk):
    """Every change of the task's wording and targets; three queries whatever their number."""
    task = get_task_for_user(request.user, pk)
    context = {"task": task, "entries": history.task_history(task)}
    return render(request, "reports/task_history.html", context)
