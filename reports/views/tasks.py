"""The task page (verbatim task, policy text, targets with actual values, report timeline)
and the task's change history."""

from django.contrib.auth.decorators import permission_required
from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from reports import history
from reports.access import get_task_for_user, sees_every_unit_of_task
from reports.models import PeriodLock, Report, ReportEvent, ReportState, ReportSummary, TargetValue
from reports.selectors import responsible_period_statuses
from tasks.models import Task, TaskAssignment


def _latest_accepted_values(targets, reports):
    """{target_id: (TargetValue, report)} from the newest accepted lead report holding it."""
    latest = {}
    for report in sorted(reports, key=lambda r: r.period_start, reverse=True):
        if report.state != ReportState.ACCEPTED or not report.is_lead_report:
            continue
        for tv in report.target_values.all():
            latest.setdefault(tv.target_id, (tv, report))
    return [(target, *latest.get(target.pk, (None, None))) for target in targets]


@require_safe
@permission_required("reports.view_report", raise_exception=True)
def task_detail(request, pk):
    """Runs a fixed number of queries whatever the number of reports and events."""
    user = request.user
    get_task_for_user(user, pk)
    task = (
        Task.objects.select_related("plan")
        .with_units()
        .prefetch_related("key_areas", "targets")
        .get(pk=pk)
    )
    reports = list(
        Report.objects.visible_to(user)
        .filter(task=task)
        .select_related("department", "created_by", "reviewed_by")
        .prefetch_related(
            Prefetch("events", queryset=ReportEvent.objects.select_related("actor")),
            Prefetch("target_values", queryset=TargetValue.objects.select_related("target")),
            "evidence",
        )
        .order_by("-period_start", "department__sort_order")
    )
    today = timezone.localdate()
    summaries = ReportSummary.objects.filter(task=task).only(
        "department_id", "period_start", "first_submitted_at"
    )
    coverage = responsible_period_statuses(task, summaries, today)
    my_role = task.role_of(user.department_id) if user.is_department_staff else None
    if not sees_every_unit_of_task(user, task):
        coverage = [(a, s) for a, s in coverage if a.department_id == user.department_id]
    my_periods = []
    if my_role and user.has_perm("reports.add_report"):
        closed = set(
            PeriodLock.objects.filter(plan=task.plan, is_closed=True).values_list(
                "period_start", flat=True
            )
        )
        own = next(s for a, s in coverage if a.department_id == user.department_id)
        reports_by_start = {
            r.period_start: r for r in reports if r.department_id == user.department_id
        }
        my_periods = [
            {
                "status": s,
                "report": reports_by_start.get(s.period.start),
                "closed": s.period.start in closed,
            }
            for s in reversed(own)
        ]
    events = sorted(
        ((event, report) for report in reports for event in report.events.all()),
        key=lambda pair: (pair[0].at, pair[0].pk),
        reverse=True,
    )
    context = {
        "task": task,
        "reports": reports,
        "events": events,
        "targets": _latest_accepted_values(task.targets.all(), reports),
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
    }
    return render(request, "reports/task_detail.html", context)


@require_safe
@permission_required("reports.view_report", raise_exception=True)
def task_history(request, pk):
    """Every change of the task's wording and targets; three queries whatever their number."""
    task = get_task_for_user(request.user, pk)
    context = {"task": task, "entries": history.task_history(task)}
    return render(request, "reports/task_history.html", context)
