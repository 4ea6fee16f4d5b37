"""A task's record on one A4 print view: task text, units, targets vs latest accepted
actuals, and every period's accepted reports; supervision orders and verifications come in
through `reports.print_sections` (this app never imports supervision)."""

from django.contrib.auth.decorators import permission_required
from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from reports.access import get_task_for_user
from reports.models import Report, ReportState, TargetValue
from reports.print_sections import task_print_sections

# The task page's rule for "the actual value that counts" (one home; issue 11 may move it).
from reports.standing import standing_target_values
from tasks.periods import normalize_start, period_label


@require_safe
@permission_required("reports.view_report", raise_exception=True)
def task_print(request, pk):
    """Runs a fixed number of queries whatever the number of reports."""
    user = request.user
    task = get_task_for_user(user, pk, with_details=True)
    accepted = list(
        Report.objects.visible_to(user)
        .filter(task=task, state=ReportState.ACCEPTED)
        .select_related("department", "submitted_by", "reviewed_by")
        .prefetch_related(
            Prefetch("target_values", queryset=TargetValue.objects.select_related("target")),
            "evidence",
        )
        .order_by("period_start", "role", "department__sort_order", "department__name")
    )
    cycle = task.plan.reporting_cycle
    periods: dict[str, list] = {}
    for report in accepted:
        label = period_label(cycle, normalize_start(cycle, report.period_start))
        periods.setdefault(label, []).append(report)
    context = {
        "task": task,
        "targets": standing_target_values(
            task.targets.all(),
            accepted,
            principal_lead_id=task.principal_lead.pk if task.principal_lead else None,
        ),
        "periods": list(periods.items()),
        "extra_sections": task_print_sections(task, user),
        "printed_at": timezone.localtime(),
    }
    return render(request, "reports/task_print.html", context)
