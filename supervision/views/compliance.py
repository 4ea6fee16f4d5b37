"""The compliance drill-down (报送情况明细): the expected reports behind each dashboard count."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from huancui_vet.querystrings import query_without_page
from huancui_vet.sorting import Sorting
from supervision.compliance import compliance_data, compliance_items, compliance_window
from supervision.facts import load_plan_facts
from supervision.forms import ComplianceFilterForm, as_of_note
from supervision.selectors import COMPLIANCE_LABELS
from tasks.periods import current_period

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


def _sort(entries, facts, sorting):
    """Entries (assignment, period, fact, kind) in the chosen column's order."""
    keys = {
        "task": lambda e: facts.task(e[0].task_id).number,
        "period": lambda e: e[1].start,
        "status": lambda e: _STATUS_ORDER.get(e[3], len(_STATUS_ORDER)),
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
    facts = load_plan_facts(plan=plan, as_of=as_of, user=request.user, with_target_values=False)
    form.set_choices(facts, current_period(plan, as_of))
    periods = compliance_window(facts, period_value)
    data = compliance_data(facts, periods=periods, department_id=department_id, kind=status)
    sorting = Sorting(request, COLUMNS, default="unit")
    entries = _sort(data.entries, facts, sorting)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/compliance.html",
        {
            "form": form,
            "data": data,
            "page": page,
            "items": compliance_items(facts, page.object_list),
            "department": facts.departments.get(department_id),
            "query": query_without_page(request),
            "status_query": query_without_page(request, status=None),
            "dashboard_query": f"plan={plan.pk}&as_of={as_of.isoformat()}",
            "as_of_note": as_of_note(request, plan, as_of),
            "sorting": sorting,
        },
    )
