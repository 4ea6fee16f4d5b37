"""A department's own pages: My tasks (the reporter's home) and the head's sign-off queue."""

from collections import defaultdict

from django.contrib.auth.decorators import permission_required
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from reports.models import Report, ReportState
from reports.selectors import PeriodState, PlanPeriodCache, count_states, next_due, period_statuses
from tasks.models import Task, TaskAssignment


def _my_task_rows(department, today):
    """One row per task the department leads or supports (four queries, any task count)."""
    tasks = list(
        Task.objects.filter(assignments__department=department)
        .select_related("plan")
        .with_units()
        .order_by("plan_id", "number")
    )
    reports = Report.objects.filter(task__in=[t.pk for t in tasks]).filter(
        Q(department=department) | Q(role=TaskAssignment.Role.LEAD)
    )
    own, lead = defaultdict(list), defaultdict(list)
    for report in reports.order_by("period_start"):
        if report.department_id == department.pk:
            own[report.task_id].append(report)
        if report.is_lead_report:
            lead[report.task_id].append(report)
    periods_of = PlanPeriodCache()
    rows = []
    for task in tasks:
        statuses = period_statuses(task.plan, own[task.pk], today, periods=periods_of(task.plan))
        counts = count_states(statuses)
        latest_own = own[task.pk][-1] if own[task.pk] else None
        latest_lead = lead[task.pk][-1] if lead[task.pk] else None
        rows.append(
            {
                "task": task,
                "role": task.role_of(department),
                "is_lead": task.role_of(department) == TaskAssignment.Role.LEAD,
                "latest_own": latest_own,
                "latest_lead": latest_lead,
                "next_due": next_due(statuses),
                "missing": counts[PeriodState.MISSING],
                "late": counts[PeriodState.LATE],
                "returned": latest_own is not None and latest_own.state == ReportState.RETURNED,
            }
        )
    return rows


@require_safe
@permission_required("reports.submit_report", raise_exception=True)
def my_tasks(request):
    department = request.user.department
    rows = _my_task_rows(department, timezone.localdate()) if department else []
    stats = {
        "tasks": len(rows),
        "lead": sum(1 for r in rows if r["is_lead"]),
        "missing": sum(1 for r in rows if r["missing"]),
        "returned": sum(1 for r in rows if r["returned"]),
    }
    return render(request, "reports/my_tasks.html", {"rows": rows, "stats": stats})


@require_safe
@permission_required("reports.signoff_report", raise_exception=True)
def signoff_queue(request):
    reports = (
        Report.objects.filter(
            department_id=request.user.department_id, state=ReportState.AWAITING_SIGNOFF
        )
        .select_related("task", "submitted_by")
        .order_by("updated_at", "id")
    )
    return render(request, "reports/signoff_queue.html", {"reports": reports})
