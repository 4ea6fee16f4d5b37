"""Forms for reports. They only parse input; the rules live in reports/services.py."""

from django import forms
from django.core.exceptions import ValidationError

from huancui_vet.widgets import PlainSelect
from reports.evidence_check import ACCEPT_ATTR
from reports.models import ProgressStatus, Report
from reports.services import TEXT_LIMITS
from tasks.models import Plan

PERCENT_ERROR = "完成百分比必须是0到100之间的整数。"


class ReportForm(forms.Form):
    """A report's content. Supporting departments get only the text fields."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    progress_status = forms.ChoiceField(
        label="推进状态",
        choices=[("", "请选择")] + list(ProgressStatus.choices),
        required=False,
        help_text="按本期实际情况选择；遇到卡点选“受阻”并在存在问题中说明。",
    )
    percent = forms.IntegerField(
        label="完成百分比（%）",
        required=False,
        help_text="整项任务累计完成的比例，填 0–100 的整数。",
        min_value=0,
        max_value=100,
        error_messages={
            "invalid": PERCENT_ERROR,
            "min_value": PERCENT_ERROR,
            "max_value": PERCENT_ERROR,
        },
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
    )
    work_done = forms.CharField(
        label="本期工作进展",
        required=False,
        help_text="写清本期做了什么、数量和时间节点，可分条填写。",
        max_length=TEXT_LIMITS["work_done"],
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    problems = forms.CharField(
        label="存在问题",
        required=False,
        max_length=TEXT_LIMITS["problems"],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="没有可不填；需要协调的事项请写明涉及单位。",
    )
    next_steps = forms.CharField(
        label="下一步计划",
        required=False,
        help_text="下一期准备完成的工作和时间安排。",
        max_length=TEXT_LIMITS["next_steps"],
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, is_lead, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.is_lead = is_lead
        self.targets = list(targets) if is_lead else []
        if not is_lead:
            del self.fields["progress_status"]
            del self.fields["percent"]
            self.fields["work_done"].label = "本单位配合工作进展"
            self.fields["work_done"].help_text = "写清本单位配合牵头单位做了哪些工作。"
        for target in self.targets:
            unit = f"（{target.unit}）" if target.unit else ""
            value = target.target_value
            goal = "" if value is None else f"目标值 {format(value.normalize(), 'f')}{unit}"
            self.fields[f"target_{target.pk}"] = forms.DecimalField(
                label=f"{target.year}年 {target.indicator}{unit}",
                help_text=goal or "无数量目标：完成填 1，未完成填 0。",
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=2,
                error_messages={
                    "invalid": "请输入数字。",
                    "min_value": "实际值不能为负数。",
                    "max_digits": "数字过大。",
                    "max_decimal_places": "最多保留两位小数。",
                },
            )

    def report_fields(self):
        data = self.cleaned_data
        names = ["work_done", "problems", "next_steps"]
        if self.is_lead:
            names += ["progress_status", "percent"]
        return {name: data[name] for name in names}

    def target_values(self):
        return {t: self.cleaned_data.get(f"target_{t.pk}") for t in self.targets}

    def target_fields(self):
        return [self[f"target_{t.pk}"] for t in self.targets]

    @staticmethod
    def initial_for(report):
        initial = {
            "version": report.version,
            "progress_status": report.progress_status,
            "percent": report.percent,
            "work_done": report.work_done,
            "problems": report.problems,
            "next_steps": report.next_steps,
        }
        for tv in report.target_values.all():
            initial[f"target_{tv.target_id}"] = tv.actual_value
        return initial


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="退回意见",
        max_length=2000,
        help_text="写明需要补充或修改的内容，填报单位会看到这段意见。",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "退回报告必须填写退回意见。"},
    )

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise ValidationError("退回报告必须填写退回意见。")
        return comment


class AcceptForm(forms.Form):
    comment = forms.CharField(
        label="审核意见（可选）",
        required=False,
        help_text="可留空；填写后随报告存档。",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label="佐证材料",
        help_text="支持 PDF、Word（.docx）、Excel（.xlsx）、JPG、PNG。",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTR}),
        error_messages={"required": "请选择要上传的文件。", "empty": "文件为空，请重新选择。"},
    )


class ReviewFilterForm(forms.Form):
    """Review queue filters. Plans and units come from their own small tables, never from a
    DISTINCT over the backlog; tasks are offered only for the chosen plan, so the dropdown
    stays short when a province has thousands of tasks."""

    plan = forms.TypedChoiceField(
        label="实施方案",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="只看该方案的报告；选定后可按任务筛选。",
        widget=PlainSelect,
    )
    department = forms.TypedChoiceField(
        label="单位",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="只看该单位报送的报告。",
        widget=PlainSelect,
    )
    task = forms.TypedChoiceField(
        label="任务",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="只看该任务的报告。",
        widget=PlainSelect,
    )

    def __init__(self, *args, plans, departments, tasks, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self._choices("plan", [("", "全部方案")] + [(p.pk, p.display_title) for p in plans])
        self._choices(
            "department", [("", "全部单位")] + [(d.pk, d.display_name) for d in departments]
        )
        self._choices(
            "task",
            [("", "全部任务" if tasks else "请先选择方案")]
            + [(t.pk, f"{t.number}. {t.content[:24]}") for t in tasks],
        )

    def _choices(self, name, choices):
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_title


class PeriodFilterForm(forms.Form):
    """The period list's plan chooser (plans are few next to periods: one option each)."""

    plan = PlanChoiceField(
        label="实施方案",
        queryset=Plan.objects.order_by("-start_year", "title"),
        required=False,
        empty_label=None,
        help_text="列出该方案的填报期；默认最新的方案。",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def chosen_plan(self):
        """The plan asked for, else the newest one (None only when there is no plan)."""
        plan = self.cleaned_data["plan"] if self.is_valid() else None
        return plan or Plan.objects.order_by("-start_year", "title").first()


REPORT_FIELD_LABELS = {
    name: Report._meta.get_field(name).verbose_name  # type: ignore[union-attr]  # concrete fields
    for name in ("progress_status", "percent", "work_done", "problems", "next_steps")
}
