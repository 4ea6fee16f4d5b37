"""Links from every figure to the reports behind it.

The reports app owns the pages; while one of its URL names is missing these fall back to
the review queue (which always exists), so the supervision pages never break.
"""

from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, reverse

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


@register.simple_tag
def queue_url(department=None, task=None, period=None):
    """The review queue filtered to a department and/or task (and period)."""
    return _queue(department=department, task=task, period=period)
