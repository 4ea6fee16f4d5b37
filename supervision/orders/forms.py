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
        help_text="负责牵头办理并反馈的单位，只能选承担该任务的单位。",
    )
    assisting = forms.ModelMultipleChoiceField(
        label="协办单位",
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="选填；配合主办单位办理的单位，可多选。",
        error_messages={"invalid_choice": "请选择承担该任务的单位。"},
    )
    reason = _text_field(
        "督办事由", "请填写督办事由。", help_text="写明发现的问题和依据，如进展滞后、核实不属实等。"
    )
    requirement = _text_field(
        "整改要求", "请填写整改要求。", rows=4, help_text="写明要办到什么程度、需反馈哪些材料。"
    )
    deadline = forms.DateField(
        label="办理时限",
        widget=DateInput(),
        error_messages=DATE_ERRORS,
        help_text="须不早于今天；单位应在此日期前反馈办理情况。",
    )
    level = forms.ChoiceField(
        label="督办级别",
        choices=SupervisionOrder.Level.choices,
        initial="normal",
        help_text="问题突出、需重点跟踪的选“重点”。",
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


# The hint of TextForm's text, by the label a view gives it.
TEXT_HINTS = {
    "退回理由": "写明反馈哪里不足、还需补充什么；承办单位会看到。",
    "不同意理由": "写明不同意延期的原因；办理时限保持不变。",
    "催办内容": "写明催办的事项和要求，会通知承办单位。",
    "批示内容": "领导批示意见，记入督办单并通知承办单位。",
}
TEXT_HINT = "简要写明具体内容，会记入督办单的办理记录。"


class TextForm(forms.Form):
    """One required text: a reason, a message, an instruction."""

    text = _text_field("内容", "请填写内容。", help_text=TEXT_HINT)

    def __init__(self, *args, label="内容", required_message="请填写内容。", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label
        self.fields["text"].error_messages["required"] = required_message
        self.fields["text"].help_text = TEXT_HINTS.get(label, TEXT_HINT)


class ReplyForm(forms.Form):
    text = _text_field(
        "反馈内容",
        "请填写反馈内容。",
        rows=5,
        help_text="逐条写明整改措施、完成情况和时间；督查人员据此审核。",
    )
    # django-stubs takes a field named "files" for BaseForm.files (the uploads dict); the
    # form metaclass moves declared fields off the class, so there is no clash at runtime.
    files = MultipleFileField(label="佐证材料")  # type: ignore[assignment]


class ExtensionRequestForm(forms.Form):
    new_deadline = forms.DateField(
        label="申请延至",
        widget=DateInput(),
        error_messages=DATE_ERRORS,
        help_text="须晚于当前办理时限；批准前仍按原时限办理。",
    )
    text = _text_field(
        "延期理由", "请填写延期理由。", help_text="写明不能按期办结的原因和目前进度。"
    )

    def clean_new_deadline(self):
        return _not_past(self.cleaned_data.get("new_deadline"))


class ExtensionGrantForm(forms.Form):
    new_deadline = forms.DateField(
        label="批准延至",
        widget=DateInput(),
        error_messages=DATE_ERRORS,
        help_text="须晚于当前办理时限；可与单位申请的日期不同。",
    )
    text = forms.CharField(
        label="意见",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="选填；如对后续办理的要求。",
    )

    def clean_new_deadline(self):
        return _not_past(self.cleaned_data.get("new_deadline"))


class CloseForm(forms.Form):
    text = forms.CharField(
        label="办结意见",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="选填；对办理结果的评价，随督办单存档。",
    )


class VerificationForm(forms.Form):
    department = forms.ModelChoiceField(
        label="核实单位",
        queryset=Department.objects.none(),
        error_messages={
            "required": "请选择核实单位。",
            "invalid_choice": "请选择承担该任务的单位。",
        },
        help_text="被核实的单位，只能选承担该任务的单位。",
    )
    report = forms.IntegerField(
        label="核实的报告编号",
        required=False,
        widget=forms.HiddenInput,
    )
    checked_on = forms.DateField(
        label="核实日期",
        widget=DateInput(),
        error_messages=DATE_ERRORS,
        help_text="实际核实的日期，不能晚于今天。",
    )
    method = forms.ChoiceField(
        label="核实方式",
        choices=Verification.Method.choices,
        help_text="实地查看、查阅资料、座谈走访或暗访。",
    )
    scope = _text_field(
        "核实内容", "请填写核实内容。", help_text="写明核实了哪些事项、看到的实际情况。"
    )
    finding = forms.ChoiceField(
        label="核实结论",
        choices=Verification.Finding.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择核实结论。"},
        help_text="对照单位报送的情况；“不属实”可在年度考评中扣分。",
    )
    notes = forms.CharField(
        label="备注",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="选填；其他需要说明的情况。",
    )
    # django-stubs takes a field named "files" for BaseForm.files (the uploads dict); the
    # form metaclass moves declared fields off the class, so there is no clash at runtime.
    files = MultipleFileField(label="核实佐证")  # type: ignore[assignment]
    open_order = forms.BooleanField(
        label="据此下发督办单",
        required=False,
        help_text="勾选后保存即转到下发督办单，事由已按核实结论填好。",
    )

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
    colour = forms.ChoiceField(
        label="颜色",
        choices=COLOUR_FILTERS,
        required=False,
        help_text="红色超期、黄色临近时限或被催办；默认只看未办结的。",
    )
    field_order = ["plan", "as_of", "colour", "department", "task"]

    def resolved_filters(self):
        data = self._valid_fields()
        return data.get("department"), data.get("task"), data.get("colour") or ""
