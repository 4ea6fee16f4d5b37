"""The department scorecard (部门评分) and its per-department drill-down."""

from functools import partial

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from huancui_vet.history import settings_version
from huancui_vet.querystrings import query_without, query_without_page
from supervision.forms import ScorecardFilterForm, as_of_note
from supervision.scoring import COMPONENTS, ranking_rule_sentence
from supervision.selectors import scorecard_data
from supervision.shown import SCORECARD_PAGE_SIZE, UrlPattern
from supervision.templatetags.supervision_links import compliance_base_url
from supervision.trends import scorecard_with_standing

LINES_PER_PAGE = 50  # per component on the drill-down: a unit can have thousands of lines


def _scorecard(request, *, detailed, loader=scorecard_data):
    form = ScorecardFilterForm(request.GET or None)
    plan, as_of = form.resolved()
    if plan is None:
        return form, None
    period_kind, period = form.resolved_window(as_of)
    form = form.showing(plan=plan, period_kind=period_kind, period=period, as_of=as_of)
    data = loader(
        plan=plan,
        period_kind=period_kind,
        period_start=period,
        as_of=as_of,
        user=request.user,
        detailed=detailed,
    )
    return form, data


def _page_of_groups(request, groups):
    """One page of the ranking (SCORECARD_PAGE_SIZE units), in ranking order across the
    groups: (page, [(group label, its units on this page)], {group label: units in it})."""
    flat = [(label, s) for label, members in groups for s in members]
    page = Paginator(flat, SCORECARD_PAGE_SIZE).get_page(request.GET.get("page"))
    sizes = {label: len(members) for label, members in groups}
    shown: dict[str, list] = {}
    for label, standing in page.object_list:
        shown.setdefault(label, []).append(standing)
    return page, list(shown.items()), sizes


@require_safe
@permission_required("reports.view_dashboard", raise_exception=True)
def scorecard(request):
    form, data = _scorecard(request, detailed=False, loader=scorecard_with_standing)
    page, groups, group_sizes = _page_of_groups(request, data.standing if data else [])
    return render(
        request,
        "supervision/scorecard.html",
        {
            "form": form,
            "data": data,
            "groups": groups,
            "group_sizes": group_sizes,
            "page": page,
            "page_query": query_without_page(request),
            "score_url": UrlPattern.of("supervision:department_score"),
            "rule": ranking_rule_sentence(data.settings) if data else "",
            "components": COMPONENTS,
            "query": request.GET.urlencode(),
            "as_of_note": as_of_note(request, data.plan, data.as_of) if data else None,
            "settings_version": settings_version(data.settings) if data else None,
        },
    )


@require_safe
@permission_required("reports.view_dashboard", raise_exception=True)
def department_score(request, department_id):
    # Line items (and report rows) of this one unit only; every unit's totals and the rank
    # still come from the aggregate path the scorecard page uses.
    loader = partial(scorecard_data, detail_department=department_id)
    form, data = _scorecard(request, detailed=True, loader=loader)
    row = data.row_for(department_id) if data else None
    if row is None:
        raise Http404("该单位不在本方案的评分范围内。")
    sections = [
        (
            c,
            Paginator(row.items_for(c.key), LINES_PER_PAGE).get_page(
                request.GET.get(f"{c.key}_page")
            ),
            f"{c.key}_page",
            query_without(request, f"{c.key}_page"),
        )
        for c in row.components
    ]
    return render(
        request,
        "supervision/department_score.html",
        {
            "form": form,
            "data": data,
            "row": row,
            "sections": sections,
            "query": query_without(request, *[k for k in request.GET if k.endswith("_page")]),
            "compliance_base": compliance_base_url(data.plan, data.as_of),
        },
    )
