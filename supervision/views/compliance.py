"""The compliance drill-down (报送情况明细): the expected reports behind each dashboard count."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from huancui_vet.querystrings import query_without_page
from huancui_vet.sorting import Sorting
from supervision.compliance import compliance_items, compliance_page
from supervision.forms import ComplianceFilterForm, as_of_note
from supervision.selectors import COMPLIANCE_LABELS

PAGE_SIZE = 100
# Sortable columns; the rows are already in memory, so these sort in Python (stable: ties
# keep the default unit → newest period → task order). The second item is unused (no ORM).
COLUMNS = {
    "unit": ("单位", ()),
    "task": ("任务", ()),
    "period": ("填报期", ()),
    "status": ("状态", ()),
}
_STATUS_ORDER = {kind: index for index, kind in enumerate(COMPLIANCE_LABELS)}


def _sort(entries, view, sorting):
    """Entries (supervision.compliance.Entry) in the chosen column's order."""
    keys = {
        "task": lambda e: view.tasks[e.task_id][0],
        "period": lambda e: e.period.start,
        "status": lambda e: _STATUS_ORDER.get(e.kind, len(_STATUS_ORDER)),
    }
    if sorting.key == "unit":  # already the default order
        return entries[::-1] if sorting.descending else entries
    return sorted(entries, key=keys[sorting.key], reverse=sorting.descending)


@require_safe
@permission_required("reports.view_dashboard", raise_exception=True)
def compliance(request):
    """One row per expected report; a constant number of queries whatever the data."""
    form = ComplianceFilterForm(request.GET or None)
    plan, as_of = form.resolved()
    if plan is None:
        return render(request, "supervision/compliance.html", {"form": form, "data": None})
    department_id, period_value, status = form.resolved_filters()
    form = form.showing(plan=plan, as_of=as_of)
    view = compliance_page(
        plan=plan,
        as_of=as_of,
        user=request.user,
        period_value=period_value,
        department_id=department_id,
        kind=status,
    )
    form.set_choices(view)
    data = view.data
    sorting = Sorting(request, COLUMNS, default="unit")
    entries = _sort(data.entries, view, sorting)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/compliance.html",
        {
            "form": form,
            "data": data,
            "page": page,
            "items": compliance_items(view, page.object_list),
            "department": view.departments.get(department_id),
            "query": query_without_page(request),
            "status_query": query_without_page(request, status=None),
            "dashboard_query": f"plan={plan.pk}&as_of={as_of.isoformat()}",
            "as_of_note": as_of_note(request, plan, as_of),
            "sorting": sorting,
        },
    )
