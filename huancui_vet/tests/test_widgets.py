"""PlainSelect writes the same select Django's template-rendered Select does."""

from django import forms

from huancui_vet.widgets import PlainSelect

CHOICES = [("", "全部单位"), (1, "区教育体育局"), (2, "<b>人社局</b>")]


class Filters(forms.Form):
    unit = forms.TypedChoiceField(
        choices=CHOICES, required=False, coerce=int, empty_value=None, widget=PlainSelect
    )


def test_the_chosen_option_is_selected_and_labels_are_escaped():
    html = str(Filters({"unit": "2"})["unit"])
    assert html.startswith('<select name="unit" id="id_unit">')
    assert '<option value="">全部单位</option>' in html
    assert '<option value="1">区教育体育局</option>' in html
    assert '<option value="2" selected>&lt;b&gt;人社局&lt;/b&gt;</option>' in html
    assert html.count(" selected") == 1


def test_it_renders_the_options_djangos_select_renders():
    fast = str(Filters({"unit": "1"})["unit"])
    Filters.base_fields["unit"].widget = forms.Select(choices=CHOICES)
    try:
        slow = str(Filters({"unit": "1"})["unit"])
    finally:
        Filters.base_fields["unit"].widget = PlainSelect(choices=CHOICES)

    def options(html):
        return [line.strip() for line in html.replace(">", ">\n").splitlines() if line.strip()]

    assert options(fast) == options(slow)
