"""原始数据 downloads: every report of a plan with every field, as CSV or xlsx.

Rows and scoping come from `reports.raw_export` (staff get their own unit's only). The file
grows with every report, so it is written by a background job (`reports.raw_jobs`): a POST
starts the job and leads to its page (我的导出), where the file is downloaded when done; a
GET (a bookmarked link) shows the button that starts it.
"""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from departments.models import Department
from jobs.services import job_start
from reports import raw_export
from reports.raw_jobs import LABELS, RAW_CSV_JOB, RAW_XLSX_JOB, raw_job_params
from tasks.models import Plan


class RawFilterForm(forms.Form):
    """The dashboard's GET parameters (year, as_of) plus a unit; all optional."""

    year = forms.IntegerField(
        label="年度", required=False, min_value=2000, max_value=2100, help_text="只含该年的填报期。"
    )
    as_of = forms.DateField(
        label="统计截至", required=False, help_text="只含这一天及以前的填报期。"
    )
    department = forms.ModelChoiceField(
        label="单位",
        queryset=Department.objects.all(),
        required=False,
        help_text="只含该单位；部门用户始终只有本单位。",
    )


def _filters(request, plan_pk):
    """(RawFilters, None) or (None, a 400 response); 404 for a plan the user has no part in.
    The filters come from the query string for a POST too (the page's button posts to it)."""
    plan = get_object_or_404(Plan, pk=plan_pk)
    if not raw_export.may_read_plan_raw(request.user, plan.pk):
        raise Http404("没有找到该实施方案。")
    form = RawFilterForm(request.GET)
    if not form.is_valid():
        return None, HttpResponseBadRequest(
            "导出参数有误：年度、截至日期或单位不正确。", content_type="text/plain; charset=utf-8"
        )
    return raw_export.RawFilters(plan=plan, **form.cleaned_data), None


def _export(request, plan_pk, kind):
    filters, refusal = _filters(request, plan_pk)
    if refusal:
        return refusal
    if request.method == "POST":
        job = job_start(kind=kind, user=request.user, params=raw_job_params(filters, request.user))
        return redirect("jobs:detail", job.pk)
    scope = "本单位" if not request.user.sees_all_departments else ""
    return render(
        request,
        "jobs/start.html",
        {
            "title": LABELS[kind],
            "description": f"《{filters.plan.title}》{scope}每份进展报告的全部字段"
            "（含下一步计划、指标实际值、佐证材料、审核与退回意见）。",
            "action": request.get_full_path(),
            "button": "在后台导出",
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("reports.view_report", raise_exception=True)
def raw_csv(request, plan_pk):
    return _export(request, plan_pk, RAW_CSV_JOB)


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("reports.view_report", raise_exception=True)
def raw_xlsx(request, plan_pk):
    return _export(request, plan_pk, RAW_XLSX_JOB)
