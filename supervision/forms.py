"""GET filter forms of the supervision pages; invalid input falls back to the defaults."""

import datetime

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from huancui_vet.querystrings import query_without_page
from huancui_vet.widgets import PlainSelect
from supervision.compliance import ALL_PERIODS
from supervision.scoring import PERIOD_KINDS
from supervision.selectors import COMPLIANCE_LABELS
from tasks.models import Plan
from tasks.periods import default_as_of


def default_plan():
    """The first public plan, else the first plan (None when there is none)."""
    return Plan.objects.filter(is_public=True).first() or Plan.objects.first()


def as_of_note(request, plan, as_of):
    """What a page says about its 统计截至 date: the rule's default and a one-click link to
    the figures as of today (the user's other filters kept)."""
    today = timezone.localdate()
    default = default_as_of(plan, today)
    if default == today:
        why = "today"
    elif default < today:
        why = "finished"  # the day after the plan's last report was due
    else:
        why = "not_started"  # the first day of its first reporting period
    return {
        "shown": as_of,
        "default": default,
        "why": why,
        "today": today,
        "today_query": query_without_page(request, plan=str(plan.pk), as_of=today.isoformat()),
    }


class DateInput(forms.DateInput):
    """A native date picker; its value must be ISO whatever the display locale."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


# Plans run within 2000–2100; a far date would overflow the period arithmetic.
DATE_RANGE_VALIDATORS = [
    MinValueValidator(datetime.date(2000, 1, 1), message="日期须在2000年至2100年之间。"),
    MaxValueValidator(datetime.date(2100, 12, 31), message="日期须在2000年至2100年之间。"),
]


class PlanFilterForm(forms.Form):
    plan = forms.ModelChoiceField(
        label="实施方案",
        queryset=Plan.objects.all(),
        required=False,
        empty_label=None,
        widget=PlainSelect,
        help_text="选择要查看的实施方案。",
    )
    as_of = forms.DateField(
        label="统计截至",
        required=False,
        widget=DateInput,
        validators=DATE_RANGE_VALIDATORS,
        help_text="按这一天的情况统计；留空为默认日期。",
    )

    def _valid_fields(self):
        """The fields that validated (an invalid one falls back to its default alone)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    def resolved(self):
        """(plan, as_of) from valid input, else the defaults."""
        data = self._valid_fields()
        plan = data.get("plan") or default_plan()
        if plan is None:
            return None, None
        as_of = data.get("as_of") or default_as_of(plan)
        return plan, as_of

    def showing(self, **used):
        """This form as it should be shown: what the user typed, and the values actually used
        in the fields they left empty (invalid input stays, with its error beside it)."""
        if not self.is_bound:
            return type(self)(initial=used)
        # Validate what the user typed first (errors are cached), then fill only the data the
        # fields render from: no second validation, so no extra query for the plan lookup.
        self.is_valid()
        data = self.data.copy()  # type: ignore[attr-defined]  # bound to a QueryDict
        for name, value in used.items():
            if not data.get(name) and value is not None:
                value = getattr(value, "pk", value)
                data[name] = value.isoformat() if hasattr(value, "isoformat") else value
        self.data = data
        return self


class DashboardFilterForm(PlanFilterForm):
    year = forms.IntegerField(
        label="目标年度",
        required=False,
        min_value=2000,
        max_value=2100,
        help_text="对照哪一年的目标值。",
    )
    field_order = ["plan", "year", "as_of"]

    def resolved_year(self, plan, as_of):
        year = self._valid_fields().get("year") or as_of.year
        return min(max(year, plan.start_year), plan.end_year)


class ScorecardFilterForm(PlanFilterForm):
    period_kind = forms.ChoiceField(
        label="评分周期",
        choices=list(PERIOD_KINDS.items()),
        required=False,
        help_text="按月、季度、年度或整个方案期评分。",
    )
    period = forms.DateField(
        label="所在期间（任一天）",
        required=False,
        validators=DATE_RANGE_VALIDATORS,
        widget=DateInput,
        help_text="留空为统计截至日所在期间。",
    )
    field_order = ["plan", "period_kind", "period", "as_of"]

    def resolved_window(self, as_of):
        data = self._valid_fields()
        return data.get("period_kind") or "plan", data.get("period") or as_of


class ComplianceFilterForm(PlanFilterForm):
    """Filters of the compliance drill-down; department and period options depend on the
    plan, so the view fills them in (`set_choices`) once the plan's facts are loaded."""

    department = forms.IntegerField(
        label="单位", required=False, widget=PlainSelect, help_text="只看该单位应报的报告。"
    )
    period = forms.CharField(
        label="填报期",
        required=False,
        max_length=10,
        widget=PlainSelect,
        help_text="只看该期；可选全部期。",
    )
    status = forms.ChoiceField(
        label="状态",
        choices=[("", "全部"), *COMPLIANCE_LABELS.items()],
        required=False,
        help_text="按时、逾期、退回、未报等。",
    )
    field_order = ["plan", "as_of", "department", "period", "status"]

    def clean_period(self):
        value = self.cleaned_data["period"]
        if value in ("", ALL_PERIODS):
            return value
        try:
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            raise forms.ValidationError("请选择有效的填报期。") from None

    def resolved_filters(self):
        """(department_id or None, period value, status) from valid input, else defaults."""
        data = self._valid_fields()
        return data.get("department"), data.get("period") or "", data.get("status") or ""

    def set_choices(self, view):
        """Options from the drill-down (supervision.compliance.CompliancePage): the plan's
        departments and its ended periods, newest first."""
        self.fields["department"].widget.choices = [("", "全部单位"), *view.departments.items()]
        current = view.current
        self.fields["period"].widget.choices = [
            ("", f"本期（{current.label}）" if current else "本期"),
            (ALL_PERIODS, "全部已结束填报期"),
            *((p.start.isoformat(), p.label) for p in view.ended),
        ]
