"""Forms of supervision orders and verifications; errors are Chinese and shown by the field."""

from typing import cast

from django import forms
from django.utils import timezone

from departments.models import Department
from reports.evidence_check import ACCEPT_ATTR
from supervision.forms import PlanFilterForm
from supervision.orders.models import SupervisionOrder, Verification

FILES_HELP = "可多选；支持 PDF、Word（.docx）、Excel（.xlsx）、JPG、PNG，内容须与扩展名一致。"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files (Django's documented pattern for <input multiple>)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTR}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", FILES_HELP)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


DATE_ERRORS = {"invalid": "请输入有效的日期。", "required": "请选择日期。"}


def _not_past(day):
    if day is not None and day < timezone.localdate():
        raise forms.ValidationError("办理时限不能早于今天。")
    return day


def _text_field(label, required_message, **kwargs):
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": kwargs.pop("rows", 3)}),
        error_messages={"required": required_message},
        **kwargs,
    )


class OrderIssueForm(forms.Form):
    host = forms.ModelChoiceField(
        label="主办单位",
        queryset=Department.objects.none(),
        error_messages={
            "required": "请选择主办单位。",
            "invalid_choice": "请选择承担该任务的单位。",
        },
    )
    assisting = forms.ModelMultipleChoiceField(
        label="协办单位",
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "请选择承担该任务的单位。"},
    )
    reason = _text_field("督办事由", "请填写督办事由。")
    requirement = _text_field("整改要求", "请填写整改要求。", rows=4)
    deadline = forms.DateField(label="办理时限", widget=DateInput(), error_messages=DATE_ERRORS)
    level = forms.ChoiceField(
        label="督办级别", choices=SupervisionOrder.Level.choices, initial="normal"
    )
    # django-stubs takes a field named "files" for BaseForm.files (the uploads dict); the
    # form metaclass moves declared fields off the class, so there is no clash at runtime.
    files = MultipleFileField(label="附件")  # type: ignore[assignment]
    source = forms.ChoiceField(
        choices=SupervisionOrder.Source.choices, widget=forms.HiddenInput, initial="task"
    )
    report = forms.IntegerField(required=False, widget=forms.HiddenInput)
    period = forms.DateField(required=False, widget=forms.HiddenInput)
    verification = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        units = Department.objects.filter(assignments__task=task).order_by("sort_order", "name")
        cast(forms.ModelChoiceField, self.fields["host"]).queryset = units
        cast(forms.ModelMultipleChoiceField, self.fields["assisting"]).queryset = units

    def clean_deadline(self):
        return _not_past(self.cleaned_data.get("deadline"))


class TextForm(forms.Form):
    """One required text: a reason, a message, an instruction."""

    text = _text_field("内容", "请填写内容。")

    def __init__(self, *args, label="内容", required_message="请填写内容。", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label
        self.fields["text"].error_messages["required"] = required_message


class ReplyForm(forms.Form):
    text = _text_field("反馈内容", "请填写反馈内容。", rows=5)
    # django-stubs takes a field named "files" for BaseForm.files (the uploads dict); the
    # form metaclass moves declared fields off the class, so there is no clash at runtime.
    files = MultipleFileField(label="佐证材料")  # type: ignore[assignment]


class ExtensionRequestForm(forms.Form):
    new_deadline = forms.DateField(label="申请延至", widget=DateInput(), error_messages=DATE_ERRORS)
    text = _text_field("延期理由", "请填写延期理由。")

    def clean_new_deadline(self):
        return _not_past(self.cleaned_data.get("new_deadline"))


class ExtensionGrantForm(forms.Form):
    new_deadline = forms.DateField(label="批准延至", widget=DateInput(), error_messages=DATE_ERRORS)
    text = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_new_deadline(self):
        return _not_past(self.cleaned_data.get("new_deadline"))


class CloseForm(forms.Form):
    text = forms.CharField(
        label="办结意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class VerificationForm(forms.Form):
    department = forms.ModelChoiceField(
        label="核实单位",
        queryset=Department.objects.none(),
        error_messages={
            "required": "请选择核实单位。",
            "invalid_choice": "请选择承担该任务的单位。",
        },
    )
    report = forms.IntegerField(
        label="核实的报告编号",
        required=False,
        widget=forms.HiddenInput,
    )
    checked_on = forms.DateField(label="核实日期", widget=DateInput(), error_messages=DATE_ERRORS)
    method = forms.ChoiceField(label="核实方式", choices=Verification.Method.choices)
    scope = _text_field("核实内容", "请填写核实内容。")
    finding = forms.ChoiceField(
        label="核实结论",
        choices=Verification.Finding.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择核实结论。"},
    )
    notes = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # django-stubs takes a field named "files" for BaseForm.files (the uploads dict); the
    # form metaclass moves declared fields off the class, so there is no clash at runtime.
    files = MultipleFileField(label="核实佐证")  # type: ignore[assignment]
    open_order = forms.BooleanField(label="据此下发督办单", required=False)

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        units = Department.objects.filter(assignments__task=task).order_by("sort_order", "name")
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = units

    def clean_checked_on(self):
        day = self.cleaned_data.get("checked_on")
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError("核实日期不能晚于今天。")
        return day


COLOUR_FILTERS = [
    ("", "全部未办结"),
    ("red", "红色（超期）"),
    ("amber", "黄色（预警）"),
    ("green", "绿色（正常）"),
    ("escalated", "领导督办"),
    ("closed", "已办结"),
    ("all", "全部"),
]


class OrderFilterForm(PlanFilterForm):
    department = forms.IntegerField(required=False, widget=forms.HiddenInput)
    task = forms.IntegerField(required=False, widget=forms.HiddenInput)
    colour = forms.ChoiceField(label="颜色", choices=COLOUR_FILTERS, required=False)
    field_order = ["plan", "as_of", "colour", "department", "task"]

    def resolved_filters(self):
        data = self._valid_fields()
        return data.get("department"), data.get("task"), data.get("colour") or ""
