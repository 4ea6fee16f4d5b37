"""The task page (verbatim task, policy text, targets with actual values, paged reports,
periods and timeline; reads in reports.task_page) and the task's change history."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from huancui_vet.querystrings import query_without
from reports import history, task_page
from reports.access import get_task_for_user, visible_assignments
from reports.page_sections import task_page_sections
from reports.standing import standing_target_values_sql
from tasks.models import TaskAssignment


def _by_year(items, day_of):
    """[(year, [items])], newest year first; `items` are already newest first."""
    years: dict[int, list] = {}
    for item in items:
        years.setdefault(day_of(item).year, []).append(item)
    return list(years.items())


@require_safe
@permission_required("reports.view_report", raise_exception=True)
def task_detail(request, pk):
    """Loads only what the page shows (a page of reports, of the unit's periods and of the
    timeline; counts by aggregate), in a fixed number of queries whatever the task's size."""
    user = request.user
    today = timezone.localdate()
    task = get_task_for_user(user, pk, with_details=True)
    assignments = visible_assignments(user, task)
    my_role = task.role_of(user.department_id) if user.is_department_staff else None
    my_periods = None
    if my_role and user.has_perm("reports.add_report"):
        my_periods = task_page.own_periods_page(user, task, today, request.GET.get("periods_page"))
    reports = task_page.reports_page(user, task, request.GET.get("reports_page"))
    # Higher apps' sections (supervision orders, 不属实 marks) for the reports shown.
    sections, badges = task_page_sections(task, user, reports.object_list)
    for report in reports.object_list:
        report.badges = badges.get(report.pk, [])
    events = task_page.events_page(user, task, request.GET.get("events_page"))
    context = {
        "task": task,
        "standing": task_page.standing_summary(task),
        "reports": reports.object_list,
        "page_sections": sections,
        "reports_page": reports,
        "report_years": _by_year(reports.object_list, lambda r: r.period_start),
        "events": [(event, event.report) for event in events],
        "events_page": events,
        "targets": standing_target_values_sql(task),
        "coverage": task_page.unit_coverage(task, assignments, today),
        "my_role": my_role,
        "my_role_label": TaskAssignment.Role(my_role).label if my_role else "",
        "my_periods": my_periods.object_list if my_periods else [],
        "my_periods_page": my_periods,
        "my_period_years": _by_year(
            my_periods.object_list if my_periods else [], lambda item: item["status"].period.start
        ),
        # Each paged list's links keep the other lists' pages.
        "query_reports": query_without(request, "reports_page"),
        "query_periods": query_without(request, "periods_page"),
        "query_events": query_without(request, "events_page"),
        "this_year": today.year,
    }
    return render(request, "reports/task_detail.html", context)


@require_safe
@permission_required("reports.view_report", raise_exception=True)
def task_history(request, pk):
    """Every change of the task's wording and targets; three queries whatever their number."""
    task = get_task_for_user(request.user, pk)
    context = {"task": task, "entries": history.task_history(task)}
    return render(request, "reports/task_history.html", context)
