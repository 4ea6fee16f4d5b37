"""`figure`: a target or actual value written the one way (huancui_vet.text.plain_number);
`actual`: an actual value of a target with its unit, or 是/否 for a yes/no target
(tasks.models.actual_text)."""

from django import template

from huancui_vet.text import plain_number
from tasks.models import actual_text, is_yes_no

register = template.Library()


@register.filter
def figure(value):
    return plain_number(value)


@register.filter
def actual(value, target):
    """`{{ tv.actual_value|actual:tv.target }}`: the value with its unit, or 是/否 (`target`
    is a Target or has its `target_value` and `unit`)."""
    yes_no = is_yes_no(getattr(target, "target_value", 0))
    return actual_text(value, yes_no=yes_no, unit=getattr(target, "unit", ""))
