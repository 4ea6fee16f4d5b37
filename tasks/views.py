"""Plan pages: the list of plans and one plan's task table with its policy text."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from huancui_vet.sorting import Sorting
from tasks.models import KeyArea, Plan, Target, Task


def get_plan_for_user(user, pk):
    """The one way views reach a plan. Every signed-in user may read every plan."""
    return get_object_or_404(Plan, pk=pk)


PLAN_COLUMNS = {
    "title": ("方案名称", ("title", "id")),
    "issuer": ("发文机关", ("issuer", "title", "id")),
    "date": ("印发日期", ("document_date", "title", "id")),
    "years": ("年度", ("start_year", "end_year", "title", "id")),
    "tasks": ("任务数", ("n_tasks", "title", "id")),
}


@require_safe
def plan_list(request):
    """Plans, filtered by words of the title/issuer and by public flag, sorted by any column
    (both kept in the URL); one query whatever the number of plans."""
    sorting = Sorting(request, PLAN_COLUMNS, default="-date")
    q = " ".join(request.GET.get("q", "").split())[:100]
    plans = Plan.objects.annotate(n_tasks=Count("tasks"))
    if q:
        plans = plans.filter(Q(title__icontains=q) | Q(issuer__icontains=q))
    if request.GET.get("public") == "1":
        plans = plans.filter(is_public=True)
    plans = plans.order_by(*sorting.order_by())
    return render(request, "tasks/plan_list.html", {"plans": plans, "sorting": sorting, "q": q})


@require_safe
def plan_detail(request, pk):
    """Runs a fixed number of queries whatever the number of tasks (tested with 10×)."""
    plan = get_plan_for_user(request.user, pk)
    tasks = (
        Task.objects.filter(plan=plan)
        .with_units()
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by("year", "sort_order", "id")),
            Prefetch("key_areas", queryset=KeyArea.objects.order_by("section", "number")),
        )
        .order_by("number")
    )
    tasks = list(tasks)
    # Link a task to its report page only where that page will open for this user
    # (one query; the rule itself lives in reports.access).
    openable = set()
    if request.user.has_perm("reports.view_report"):
        openable = set(
            Task.objects.visible_to(request.user).filter(plan=plan).values_list("pk", flat=True)
        )
    key_areas = list(plan.key_areas.order_by("section", "number"))
    context = {
        "plan": plan,
        "tasks": tasks,
        "openable_task_ids": openable,
        "key_task_areas": [a for a in key_areas if a.section == KeyArea.Section.KEY_TASK],
        "safeguard_areas": [a for a in key_areas if a.section == KeyArea.Section.SAFEGUARD],
        "department_count": len({a.department_id for t in tasks for a in t.assignments.all()}),
        "amendments": plan.amendments.select_related("created_by").order_by(
            "-effective_date", "-created_at"
        ),
        "target_count": sum(len(t.targets.all()) for t in tasks),
    }
    return render(request, "tasks/plan_detail.html", context)
