"""Links from every figure to the reports behind it.

Compliance counts and overdue figures go to the compliance drill-down, which lists every
expected report (missing ones included). The reports app owns the task pages; while one of
its URL names is missing these fall back to the review queue, so the pages never break.
"""

from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, reverse

from supervision.shown import page_pattern

register = template.Library()


def _queue(**params):
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    url = reverse("reports:review_queue")
    return f"{url}?{query}" if query else url


@register.simple_tag
def task_reports_url(task_id):
    """The task's page with all its reports."""
    try:
        return reverse("reports:task_detail", args=[task_id])
    except NoReverseMatch:
        return _queue(task=task_id)


def compliance_base_url(plan, as_of):
    """The compliance drill-down for a plan and as-of date; views pass it to compliance_url
    once per page (a dashboard has hundreds of links and each reverse() costs ~40 µs)."""
    query = urlencode({"plan": plan.pk, "as_of": as_of.isoformat()})
    return f"{reverse('supervision:compliance')}?{query}"


@register.simple_tag
def score_item_url(base, department_id, item):
    """Where a line of a department's score breakdown leads, for anyone who may read scores.

    A line about one period's report (timeliness, review) opens the compliance drill-down
    of that department and period, which lists the report even when it is missing; a line
    about a task (completion, targets) opens the task page.
    """
    if item.period_start is not None:
        return compliance_url(base, department=department_id, period=item.period_start.isoformat())
    if item.task_id is not None:
        return task_reports_url(item.task_id)
    return ""


@register.simple_tag
def compliance_url(base, department=None, status=None, period=None):
    """`base` (from compliance_base_url) narrowed to a department and/or status.

    Without `period` it covers the dashboard's current period (its compliance table);
    period="all" covers every ended period (its overdue list).
    """
    extra = {"department": department, "status": status, "period": period}
    query = urlencode({k: v for k, v in extra.items() if v not in (None, "")})
    return f"{base}&{query}" if query else base


@register.filter
def url_at(pk, pattern):
    """`pattern` (supervision.shown.UrlPattern, reversed once per page) for `pk`."""
    return pattern.at(pk)


@register.simple_tag(takes_context=True)
def url_of(context, name, *args):
    """{% url name *args %} for a tag called once per row: the name is reversed once per
    template rendering (supervision.shown.page_pattern)."""
    return page_pattern(context, name, len(args)).at(*args)
