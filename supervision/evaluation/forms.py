"""Forms of the year-end evaluation; errors are Chinese and shown beside the field."""

from decimal import Decimal
from typing import cast

from django import forms

from departments.models import Department
from huancui_vet.dates import chinese_date
from reports.evidence_check import ACCEPT_ATTR
from supervision.evaluation.models import EvaluationAdjustment
from supervision.orders.models import Verification
from tasks.models import Plan


class OpenForm(forms.Form):
    plan = forms.ModelChoiceField(
        label="实施方案",
        queryset=Plan.objects.all(),
        empty_label=None,
        error_messages={"required": "请选择实施方案。", "invalid_choice": "请选择有效的实施方案。"},
        help_text="对哪个实施方案的承担单位开展考评。",
    )
    year = forms.IntegerField(
        label="考评年度",
        min_value=2000,
        max_value=2100,
        error_messages={"required": "请填写考评年度。", "invalid": "请输入年份数字。"},
        help_text="四位年份，须在方案期限内；每个方案每年只建一次。",
    )


class AdjustmentForm(forms.Form):
    department = forms.ModelChoiceField(
        label="单位",
        queryset=Department.objects.none(),
        error_messages={"required": "请选择单位。", "invalid_choice": "请选择考评范围内的单位。"},
        help_text="加减分的对象，只能选承担本方案任务的单位。",
    )
    kind = forms.ChoiceField(
        label="类别",
        choices=EvaluationAdjustment.Kind.choices,
        error_messages={"required": "请选择加分或扣分。"},
        help_text="加分或扣分，各有年度上限（见评分设置）。",
    )
    amount = forms.DecimalField(
        label="分值",
        min_value=Decimal("0.1"),
        max_digits=5,
        decimal_places=1,
        error_messages={
            "required": "请填写分值。",
            "invalid": "请输入数字。",
            "min_value": "分值必须大于0。",
            "max_decimal_places": "分值最多保留一位小数。",
            "max_digits": "分值过大。",
        },
        help_text="大于 0，最多一位小数；该单位全年合计不得超过上限。",
    )
    reason = forms.CharField(
        label="事由",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="如：领导批示表扬、通报批评、督查核实不属实。",
        error_messages={"required": "请填写加减分事由。"},
    )
    verification = forms.ModelChoiceField(
        label="关联督查核实（不属实）",
        queryset=Verification.objects.none(),
        required=False,
        empty_label="不关联",
        help_text="选填；因督查核实不属实扣分时，选对应的核实记录。",
    )
    file = forms.FileField(
        label="附件",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTR}),
        help_text="批示、通报等依据；PDF、Word、Excel、JPG、PNG。",
        error_messages={"required": "请上传加减分依据。"},
    )

    def __init__(self, *args, evaluation, **kwargs):
        super().__init__(*args, **kwargs)
        department = cast(forms.ModelChoiceField, self.fields["department"])
        department.queryset = (
            Department.objects.filter(assignments__task__plan_id=evaluation.plan_id)
            .distinct()
            .order_by("sort_order", "pk")
        )
        verification = cast(forms.ModelChoiceField, self.fields["verification"])
        verification.queryset = Verification.objects.filter(
            plan_id=evaluation.plan_id, finding=Verification.Finding.UNTRUE
        ).select_related("department", "task")
        verification.label_from_instance = _verification_label  # type: ignore[method-assign]


def _verification_label(v):
    day = chinese_date(v.checked_on)
    return f"{v.department.display_name} · 任务{v.task.number} · {day}核实不属实"


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="退回意见",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="写明需要修改或补充的地方，督查人员会看到这段意见。",
        error_messages={"required": "请填写退回意见。"},
    )
