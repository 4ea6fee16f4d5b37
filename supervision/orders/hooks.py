"""Supervision orders and verifications on pages the reports app owns: the task page, a
task's printed record and the header search. Registered from SupervisionConfig.ready()
through the registries in reports (reports never imports supervision)."""

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from supervision.orders.access import verifications_visible_to
from supervision.orders.models import SupervisionOrder
from supervision.orders.selectors import standings_for, untrue_report_ids, with_standing

PRINT_LIMIT = 50
SEARCH_LIMIT = 20
TASK_ORDERS_SHOWN = 20


def task_page_orders(task, user, reports):
    """The task page's 督办与核实 section (open orders colour first, the latest checks; 5
    queries) and the 核实不属实 badge on the shown reports found untrue while accepted (1)."""
    visible = SupervisionOrder.objects.visible_to(user).filter(task=task).distinct()
    # Open orders first, then the latest closed ones; the order list has them all.
    orders = list(
        visible.open()
        .prefetch_related("units__department")
        .order_by("deadline", "pk")[:TASK_ORDERS_SHOWN]
    )
    checks = list(
        verifications_visible_to(user)
        .filter(task=task)
        .select_related("department", "report")
        .order_by("-checked_on", "-pk")[:TASK_ORDERS_SHOWN]
    )
    rows = with_standing(orders)
    list_query = urlencode({"plan": task.plan_id, "task": task.pk, "colour": "all"})
    untrue = untrue_report_ids([r.pk for r in reports])
    return {
        "template": "supervision/orders/_task_orders.html",
        "context": {
            "rows": rows,
            "total": visible.count(),
            "list_url": f"{reverse('supervision:order_list')}?{list_query}",
            "verifications": checks,
        },
        "report_badges": {pk: ["核实不属实"] for pk in untrue},
    }


def task_print_orders(task, user):
    """Every order and verification of `task` the user may see (4 queries), or None."""
    orders = list(
        SupervisionOrder.objects.visible_to(user)
        .filter(task=task)
        .distinct()
        .prefetch_related("units__department")
        .order_by("issued_at", "pk")[:PRINT_LIMIT]
    )
    checks = list(
        verifications_visible_to(user)
        .filter(task=task)
        .select_related("department")
        .order_by("checked_on", "pk")[:PRINT_LIMIT]
    )
    if not orders and not checks:
        return None
    standings = standings_for(orders)
    return {
        "title": "督办与核实",
        "template": "supervision/orders/_task_print.html",
        "context": {
            "orders": [(order, standings[order.pk]) for order in orders],
            "verifications": checks,
            "limit": PRINT_LIMIT,
        },
    }


def search_orders(user, q):
    """Orders the user may see whose number, 事由 or 整改要求 contains `q` (1 query)."""
    if not user.has_perm("supervision.view_supervisionorder"):
        return None
    match = Q(number__icontains=q) | Q(reason__icontains=q) | Q(requirement__icontains=q)
    items = list(
        SupervisionOrder.objects.visible_to(user)
        .filter(match)
        .distinct()
        .select_related("task")
        .order_by("-issued_at", "-pk")[:SEARCH_LIMIT]
    )
    if not items:
        return None
    return {"title": "督办单", "template": "supervision/orders/_search_orders.html", "items": items}
