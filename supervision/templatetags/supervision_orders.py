"""Supervision orders on pages of lower apps (My tasks, report page) and on the dashboard,
without those apps importing supervision: their templates load this library. The task page
gets its section from the view instead (orders.hooks.task_page_orders through
reports.page_sections).

Each tag runs a fixed few queries whatever the number of orders.
"""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import timezone

from supervision.facts import visible_department_id
from supervision.orders.models import ReportUrging, SupervisionOrder
from supervision.orders.selectors import dashboard_order_figures, issued_after, with_standing
from supervision.shown import (
    DASHBOARD_ROWS,
    UrlPattern,
    most_pressing,
    order_pressure,
    page_pattern,
)

register = template.Library()
MY_ORDERS_SHOWN = 20  # nearest deadlines first; the count says how many more
MY_URGINGS_SHOWN = 10
DASHBOARD_ESCALATED_SHOWN = 20


@register.simple_tag(takes_context=True)
def order_issue_url(context, task_id, source="task", **params):
    """The issue form of a task, prefilled (host, reason, period, report)."""
    query = {"source": source, **{k: v for k, v in params.items() if v not in (None, "")}}
    for key, value in query.items():
        if hasattr(value, "isoformat"):
            query[key] = value.isoformat()
    return f"{page_pattern(context, 'supervision:order_create').at(task_id)}?{urlencode(query)}"


@register.simple_tag(takes_context=True)
def report_urge_url(context, task_id, department_id, period_start):
    pattern = page_pattern(context, "supervision:report_urge", 3)
    return pattern.at(task_id, department_id, period_start.isoformat())


@register.inclusion_tag("supervision/orders/_my_orders.html", takes_context=True)
def my_orders(context):
    """The unit's open orders with the nearest deadlines (MY_ORDERS_SHOWN, colour first) and
    how many it has in all, and the latest urgings of its reports (6 queries)."""
    user = context["request"].user
    if not user.department_id:
        return {"rows": [], "urgings": []}
    open_orders = (
        SupervisionOrder.objects.visible_to(user)
        .open()
        .filter(units__department_id=user.department_id)
        .distinct()
    )
    orders = list(
        open_orders.select_related("task")
        .prefetch_related("units__department")
        .order_by("deadline")[:MY_ORDERS_SHOWN]
    )
    urgings = list(
        ReportUrging.objects.filter(department_id=user.department_id)
        .select_related("task", "urged_by")
        .order_by("-at")[:MY_URGINGS_SHOWN]
    )
    rows = with_standing(orders)
    return {
        "rows": rows,
        "total": open_orders.count(),
        "urgings": urgings,
        "department_id": user.department_id,
    }


@register.inclusion_tag("supervision/orders/_dashboard_orders.html", takes_context=True)
def dashboard_orders(context, data):
    """Open/amber/red orders per unit and per task, 领导督办 and 不属实 findings (6 queries)."""
    user = context["request"].user
    orders = dashboard_order_figures(
        plan=data.plan,
        as_of=data.as_of,
        department_id=visible_department_id(user),
        shown=DASHBOARD_ESCALATED_SHOWN,
    )
    # A finished plan's dashboard defaults to a past as-of date; say so when orders were
    # issued after it, with a link to today's picture (one count query).
    today = timezone.localdate()
    later = issued_after(plan=data.plan, as_of=data.as_of, user=user)
    today_query = urlencode({"plan": data.plan.pk, "as_of": today.isoformat()})
    unit_names = {c.department_id: c.department_name for c in data.compliance}
    task_numbers = {t.task_id: t.number for t in data.tasks}
    base = reverse("supervision:order_list")
    list_query = urlencode({"plan": data.plan.pk, "as_of": data.as_of.isoformat()})
    units = [(unit_names.get(pk, "—"), pk, c) for pk, c in orders.by_unit.items()]
    tasks = sorted(
        (task_numbers[pk], pk, c) for pk, c in orders.by_task.items() if pk in task_numbers
    )
    return {
        "data": data,
        "totals": orders.totals,
        # The most red first, up to DASHBOARD_ROWS each; the order list has them all.
        "units": most_pressing(units, DASHBOARD_ROWS, key=lambda r: order_pressure(r[2])),
        "tasks": most_pressing(tasks, DASHBOARD_ROWS, key=lambda r: order_pressure(r[2])),
        "task_url": UrlPattern.of("reports:task_detail"),
        # Both lists capped: the page stays bounded however many orders and checks a plan has.
        "escalated": orders.escalated,
        "escalated_count": orders.escalated_count,
        "untrue": orders.untrue,
        "untrue_count": orders.untrue_count,
        "unit_names": unit_names,
        "task_rows": task_numbers,
        "list_url": f"{base}?{list_query}",
        "thresholds": orders.settings,
        "later": later,
        "today_url": f"{reverse('supervision:dashboard')}?{today_query}#orders",
    }


@register.simple_tag
def order_list_url(list_url, **params):
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{list_url}&{query}" if query else list_url


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
