"""The supervision dashboard (督查看板) and its printable version."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from huancui_vet.history import settings_version
from huancui_vet.querystrings import query_without_page
from supervision.forms import DashboardFilterForm, as_of_note
from supervision.selectors import dashboard_data
from supervision.shown import (
    DASHBOARD_ROWS,
    Shown,
    UrlPattern,
    most_pressing,
    target_pressure,
    task_pressure,
    unit_pressure,
)
from supervision.templatetags.supervision_links import compliance_base_url

OVERDUE_ROWS_SHOWN = 100  # a long table costs ~40-260 µs a row; the export has all of them
OVERDUE_ROWS_PRINTED = 30  # keeps the printout to a few A4 pages
TASK_PAGE_SIZE = 100  # the full task table (?tasks=all), a page at a time


def _chart_payload(data, tasks, units):
    """The charts draw the rows the tables show (all of them unless a table is cut)."""
    return {
        "tasks": [
            {"label": f"任务{r.number}", "percent": r.percent or 0, "light": r.light} for r in tasks
        ],
        "compliance": [
            {
                "label": c.department_name,
                "on_time": c.on_time,
                "late": c.late,
                "returned": c.returned,
                "missing": c.missing,
                "awaiting": c.awaiting,
            }
            for c in units
        ],
        "targets": [
            {"year": ty.year, "met": ty.met, "missed": ty.missed, "pending": ty.pending}
            for ty in data.target_years
        ],
    }


def _task_rows(request, data):
    """(Shown task rows, page or None): the most pressing DASHBOARD_ROWS, or with ?tasks=all
    every task in plan order, TASK_PAGE_SIZE a page."""
    if request.GET.get("tasks") != "all":
        return most_pressing(data.tasks, DASHBOARD_ROWS, key=task_pressure), None
    page = Paginator(data.tasks, TASK_PAGE_SIZE).get_page(request.GET.get("page"))
    return Shown(list(page.object_list), len(data.tasks)), page


def _context(request, *, overdue_rows=OVERDUE_ROWS_SHOWN):
    form = DashboardFilterForm(request.GET or None)
    plan, as_of = form.resolved()
    if plan is None:
        return {"form": form, "data": None}
    year = form.resolved_year(plan, as_of)
    form = form.showing(plan=plan, year=year, as_of=as_of)
    data = dashboard_data(plan=plan, year=year, as_of=as_of, user=request.user)
    tasks, tasks_page = _task_rows(request, data)
    units = most_pressing(data.compliance, DASHBOARD_ROWS, key=unit_pressure)
    return {
        "form": form,
        "data": data,
        "chart": _chart_payload(data, tasks, units),
        "tasks_shown": tasks,
        "tasks_page": tasks_page,
        "all_tasks_query": query_without_page(request, tasks="all"),
        "units_shown": units,
        "lagging_shown": data.lagging[:DASHBOARD_ROWS],
        "year_targets_shown": most_pressing(
            data.year_targets.rows, DASHBOARD_ROWS, key=target_pressure
        ),
        "task_url": UrlPattern.of("reports:task_detail"),
        "plan_url": reverse("tasks:plan_detail", args=[plan.pk]),
        "overdue_shown": data.overdue[:overdue_rows],
        "query": request.GET.urlencode(),
        "compliance_base": compliance_base_url(plan, as_of),
        "as_of_note": as_of_note(request, plan, as_of),
        "plan_version": settings_version(plan),
    }


@require_safe
@permission_required("reports.view_dashboard", raise_exception=True)
def dashboard(request):
    return render(request, "supervision/dashboard.html", _context(request))


@require_safe
@permission_required("reports.view_dashboard", raise_exception=True)
def dashboard_print(request):
    context = _context(request, overdue_rows=OVERDUE_ROWS_PRINTED)
    return render(request, "supervision/dashboard_print.html", context)
