"""Closing and reopening reporting periods (supervisors)."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from reports import services
from reports.models import PeriodLock
from reports.views.writing import parse_period
from tasks.models import Plan
from tasks.periods import make_period, periods_ended_by


@require_safe
@permission_required("reports.close_period", raise_exception=True)
def period_list(request):
    today = timezone.localdate()
    plans = list(Plan.objects.order_by("-start_year", "title"))
    locks = {
        (lock.plan_id, lock.period_start): lock
        for lock in PeriodLock.objects.select_related("changed_by")
    }
    history = defaultdict(list)
    for record in PeriodLock.history.select_related("changed_by").order_by("-history_date")[:200]:
        history[record.plan_id].append(record)
    rows = [
        {
            "plan": plan,
            "periods": [
                (period, locks.get((plan.pk, period.start)))
                for period in reversed(periods_ended_by(plan, today))
            ],
            "history": history[plan.pk],
        }
        for plan in plans
    ]
    return render(request, "reports/period_list.html", {"rows": rows})


@require_POST
@permission_required("reports.close_period", raise_exception=True)
def period_close(request, plan_pk, period):
    plan = get_object_or_404(Plan, pk=plan_pk)
    try:
        lock = services.period_close(
            user=request.user, plan=plan, period_start=parse_period(period)
        )
    except services.ReportError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"已关闭{make_period(plan, lock.period_start).label}填报期，该期报告已锁定。"
        )
    return redirect("reports:period_list")


@require_POST
@permission_required("reports.close_period", raise_exception=True)
def period_reopen(request, plan_pk, period):
    plan = get_object_or_404(Plan, pk=plan_pk)
    try:
        lock = services.period_reopen(
            user=request.user, plan=plan, period_start=parse_period(period)
        )
    except services.ReportError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已重开{make_period(plan, lock.period_start).label}填报期。")
    return redirect("reports:period_list")
