"""`figure`: a target or actual value written the one way (huancui_vet.text.plain_number)."""

from django import template

from huancui_vet.text import plain_number

register = template.Library()


@register.filter
def figure(value):
    return plain_number(value)
