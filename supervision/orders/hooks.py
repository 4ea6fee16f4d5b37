"""Supervision orders and verifications on pages the reports app owns: a task's printed
record and the header search. Registered from SupervisionConfig.ready() through the
registries in reports (reports never imports supervision)."""

from django.db.models import Q

from supervision.orders.access import verifications_visible_to
from supervision.orders.models import SupervisionOrder
from supervision.orders.selectors import standings_for

PRINT_LIMIT = 50
SEARCH_LIMIT = 20


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
