"""`figure`: a target or actual value written the one way (huancui_vet.text.plain_number);
`actual`: an actual value of a target (是/否 for a yes/no target, tasks.models.actual_text)."""

from django import template

from huancui_vet.text import plain_number
from tasks.models import actual_text

register = template.Library()


@register.filter
def figure(value):
    return plain_number(value)


@register.filter
def actual(value, target):
    """`{{ tv.actual_value|actual:tv.target }}`; `target` is a Target or has its `kind` and
    `target_value`."""
    return actual_text(getattr(target, "kind", ""), value, getattr(target, "target_value", 0))
