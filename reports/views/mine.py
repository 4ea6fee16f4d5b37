"""A department's own pages: My tasks (the reporter's home) and the head's sign-off queue."""

from collections import defaultdict

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from reports.models import Report, ReportState, ReportSummary
from reports.selectors import PeriodState, PlanPeriodCache, count_states, next_due, period_statuses
from reports.standing import standing_report
from tasks.models import Task, TaskAssignment

MY_TASKS_REPORT_FIELDS = (
    "id",
    "task_id",
    "department_id",
    "period_start",
    "state",
    "first_submitted_at",
    "percent",
)


def _my_task_rows(department, today):
    """One row per task the department leads or supports (four queries, any task count).

    The task's progress is its standing (reports.standing: the accepted lead report every
    page shows); the unit's own newest report is shown beside it, labelled when unreviewed.
    """
    tasks = list(
        Task.objects.filter(assignments__department=department)
        .select_related("plan")
        .with_units()
        .order_by("plan_id", "number")
    )
    task_ids = [t.pk for t in tasks]
    own = defaultdict(list)
    # Every period's row is needed for the late/missing counts, but only these columns: the
    # texts (work done, problems, next steps) are the bulk of a report and this page shows none.
    for report in (
        Report.objects.filter(task__in=task_ids, department=department)
        .only(*MY_TASKS_REPORT_FIELDS)
        .order_by("period_start")
    ):
        own[report.task_id].append(report)
    accepted_lead = defaultdict(list)
    for summary in ReportSummary.objects.filter(
        task__in=task_ids, is_lead=True, accepted_at__isnull=False
    ):
        accepted_lead[summary.task_id].append(summary)
    periods_of = PlanPeriodCache()
    rows = []
    for task in tasks:
        statuses = period_statuses(task.plan, own[task.pk], today, periods=periods_of(task.plan))
        counts = count_states(statuses)
        role = task.role_of(department)
        lead = task.principal_lead
        rows.append(
            {
                "task": task,
                "role": role,
                "is_lead": role == TaskAssignment.Role.LEAD,
                "standing": standing_report(
                    accepted_lead[task.pk], principal_lead_id=lead.pk if lead else None
                ),
                "latest_own": own[task.pk][-1] if own[task.pk] else None,
                "next_due": next_due(statuses),
                "missing": counts[PeriodState.MISSING],
                "late": counts[PeriodState.LATE],
                # Every returned report waits for the unit, also when a newer one exists.
                "returned": [r for r in own[task.pk] if r.state == ReportState.RETURNED],
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
        "returned": sum(len(r["returned"]) for r in rows),
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
