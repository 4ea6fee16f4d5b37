"""The supervision dashboard (督查看板) and its printable version."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from huancui_vet.history import settings_version
from supervision.forms import DashboardFilterForm, as_of_note
from supervision.selectors import dashboard_data
from supervision.templatetags.supervision_links import compliance_base_url

OVERDUE_ROWS_SHOWN = 100  # a long table costs ~40-260 µs a row; the export has all of them
OVERDUE_ROWS_PRINTED = 30  # keeps the printout to a few A4 pages


def _chart_payload(data):
    return {
        "tasks": [
            {"label": f"任务{r.number}", "percent": r.percent or 0, "light": r.light}
            for r in data.tasks
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
            for c in data.compliance
        ],
        "targets": [
            {"year": ty.year, "met": ty.met, "missed": ty.missed, "pending": ty.pending}
            for ty in data.target_years
        ],
    }


def _context(request, *, overdue_rows=OVERDUE_ROWS_SHOWN):
    form = DashboardFilterForm(request.GET or None)
    plan, as_of = form.resolved()
    if plan is None:
        return {"form": form, "data": None}
    year = form.resolved_year(plan, as_of)
    form = form.showing(plan=plan, year=year, as_of=as_of)
    data = dashboard_data(plan=plan, year=year, as_of=as_of, user=request.user)
    return {
        "form": form,
        "data": data,
        "chart": _chart_payload(data),
        "overdue_shown": data.overdue[:overdue_rows],
        "years": list(range(plan.start_year, plan.end_year + 1)),
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
