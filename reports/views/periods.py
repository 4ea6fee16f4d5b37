"""Closing and reopening reporting periods (supervisors)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from reports import services
from reports.forms import PeriodFilterForm
from reports.models import PeriodLock
from reports.views.writing import parse_period
from tasks.models import Plan
from tasks.periods import make_period, periods_ended_by

PERIOD_PAGE_SIZE = 50
PERIOD_HISTORY_SHOWN = 20


@require_safe
@permission_required("reports.close_period", raise_exception=True)
def period_list(request):
    """One plan's ended periods, newest first, a page at a time (four queries, any data size).

    The plan comes from `?plan=`; without it the newest plan is shown, so a province with
    hundreds of plans never renders every plan's periods at once.
    """
    form = PeriodFilterForm(request.GET or None)
    plan = form.chosen_plan()
    page = Paginator(
        list(reversed(periods_ended_by(plan, timezone.localdate()))) if plan else [],
        PERIOD_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    locks, history = {}, []
    if plan is not None:
        locks = {
            lock.period_start: lock
            for lock in PeriodLock.objects.filter(
                plan=plan, period_start__in=[period.start for period in page]
            ).select_related("changed_by")
        }
        history = list(
            PeriodLock.history.filter(plan_id=plan.pk)
            .select_related("changed_by")
            .order_by("-history_date")[:PERIOD_HISTORY_SHOWN]
        )
    context = {
        "form": form,
        "plan": plan,
        "page": page,
        "periods": [(period, locks.get(period.start)) for period in page],
        "history": history,
        "query": urlencode({"plan": plan.pk}) if plan else "",
    }
    return render(request, "reports/period_list.html", context)


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
    return redirect(f"{reverse('reports:period_list')}?plan={plan.pk}")


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
    return redirect(f"{reverse('reports:period_list')}?plan={plan.pk}")
