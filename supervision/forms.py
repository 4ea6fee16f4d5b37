"""GET filter forms of the supervision pages; invalid input falls back to the defaults."""

import datetime

from django import forms
from django.db.models import Max
from django.utils import timezone

from reports.models import ReportSummary
from supervision.scoring import PERIOD_KINDS
from tasks.models import Plan
from tasks.periods import make_period


def default_plan():
    """The first public plan, else the first plan (None when there is none)."""
    return Plan.objects.filter(is_public=True).first() or Plan.objects.first()


def default_as_of(plan, today=None):
    """Today; for a finished plan, the last day of the period after the last one with data.

    A plan that ended years ago would otherwise show every later month as missing. By the
    end of the following period the last period's late reports are in, and the following
    period's own reports are not due yet.
    """
    today = today or timezone.localdate()
    if today <= plan.last_day:
        return today
    last = ReportSummary.objects.filter(plan=plan).aggregate(last=Max("period_start"))["last"]
    if last is None:
        return plan.last_day
    following = make_period(plan, make_period(plan, last).end + datetime.timedelta(days=1))
    return min(following.end, today)


class DateInput(forms.DateInput):
    """A native date picker; its value must be ISO whatever the display locale."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PlanFilterForm(forms.Form):
    plan = forms.ModelChoiceField(
        label="实施方案", queryset=Plan.objects.all(), required=False, empty_label=None
    )
    as_of = forms.DateField(label="统计截至", required=False, widget=DateInput)

    def resolved(self):
        """(plan, as_of) from valid input, else the defaults."""
        data = self.cleaned_data if self.is_valid() else {}
        plan = data.get("plan") or default_plan()
        if plan is None:
            return None, None
        as_of = data.get("as_of") or default_as_of(plan)
        return plan, as_of


class DashboardFilterForm(PlanFilterForm):
    year = forms.IntegerField(label="目标年度", required=False, min_value=2000, max_value=2100)
    field_order = ["plan", "year", "as_of"]

    def resolved_year(self, plan, as_of):
        year = self.cleaned_data.get("year") if self.is_valid() else None
        year = year or as_of.year
        return min(max(year, plan.start_year), plan.end_year)


class ScorecardFilterForm(PlanFilterForm):
    period_kind = forms.ChoiceField(
        label="评分周期", choices=list(PERIOD_KINDS.items()), required=False
    )
    period = forms.DateField(
        label="所在期间（任一天）",
        required=False,
        widget=DateInput,
        help_text="留空为统计截至日所在期间。",
    )
    field_order = ["plan", "period_kind", "period", "as_of"]

    def resolved_window(self, as_of):
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("period_kind") or "plan", data.get("period") or as_of
