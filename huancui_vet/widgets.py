"""Form widgets shared by every app."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class PlainSelect(forms.Select):
    """A select that writes its options in Python.

    Django renders each option through a template (~0.1 ms an option); a province has
    hundreds of plans and units, which made a filter's dropdowns a large share of a page's
    time. Flat choices only (no option groups), which is what the filters offer.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = str(getattr(value, "pk", value) if value is not None else "")
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(key), mark_safe(" selected") if str(key) == selected else "", label)  # noqa: S308 - constant
                for key, label in self.choices
            ),
        )
        final_attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, final_attrs, options)
