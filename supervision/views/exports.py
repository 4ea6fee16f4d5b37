"""Leadership workbook download (导出Excel) from the dashboard and scorecard pages.

Without the 填报明细 sheet the workbook is answered directly: its size is fixed by the plan
(tasks, units), not by the number of reports. With it (`details=1`) the workbook is built by
a background job: a POST starts the job and leads to its page (我的导出); a GET with
`details=1` shows the button that does so.

Who may download: holders of `reports.view_dashboard` (supervisors, leaders, administrators).
Department staff are refused with 403, as on the dashboard itself: the workbook ranks every
department, so there is no department-only version of it to give them. The rows are still
computed through the selectors with `request.user`, so any scoping they apply carries over.
"""

import tempfile

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from departments.models import Department
from huancui_vet.dates import chinese_date
from jobs.services import job_start
from supervision.forms import DashboardFilterForm, ScorecardFilterForm
from supervision.workbook import (
    XLSX_CONTENT_TYPE,
    collect_workbook_data,
    workbook_export,
    workbook_filename,
)
from supervision.workbook.job import WORKBOOK_JOB, WORKBOOK_JOB_LABEL, workbook_job_params


class WorkbookOptionsForm(forms.Form):
    """The export's own options, on top of the dashboard's and scorecard's filters."""

    department = forms.ModelChoiceField(
        label="单位",
        queryset=Department.objects.all(),
        required=False,
        help_text="只导出该单位；留空为全部单位。",
    )
    details = forms.BooleanField(
        label="附填报明细", required=False, help_text="另附每份已报送报告的一行明细。"
    )


def _bad_request(message):
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("reports.view_dashboard", raise_exception=True)
def workbook_download(request):
    """The workbook for the page's filters (plan, year, as_of; period_kind, period from the
    scorecard), resolved by the pages' own forms, so missing or invalid values fall back to
    exactly the defaults the page showed; plus department=<id> and details=1. The filters
    are read from the query string for a POST too (the page's button posts to its link)."""
    dashboard_form = DashboardFilterForm(request.GET or None)
    plan, as_of = dashboard_form.resolved()
    if plan is None:
        raise Http404("尚无实施方案。")
    year = dashboard_form.resolved_year(plan, as_of)
    period_kind, period = ScorecardFilterForm(request.GET or None).resolved_window(as_of)
    options = WorkbookOptionsForm(request.GET)
    if not options.is_valid():
        return _bad_request("导出参数有误：所选单位不存在。")
    department = options.cleaned_data["department"]
    if request.method == "POST":
        job = job_start(
            kind=WORKBOOK_JOB,
            user=request.user,
            params=workbook_job_params(
                plan=plan,
                year=year,
                as_of=as_of,
                department=department,
                period_kind=period_kind,
                period=period,
            ),
        )
        return redirect("jobs:detail", job.pk)
    if options.cleaned_data["details"]:
        return render(
            request,
            "jobs/start.html",
            {
                "title": WORKBOOK_JOB_LABEL,
                "description": f"《{plan.title}》推进情况工作簿，统计截至{chinese_date(as_of)}"
                + (f"，{department.name}" if department else "")
                + "，另附每份已报送报告一行的填报明细。",
                "action": request.get_full_path(),
                "button": "在后台生成工作簿",
            },
        )

    data = collect_workbook_data(
        plan=plan,
        year=year,
        as_of=as_of,
        user=request.user,
        department=department,
        score_period=period_kind,
        score_period_start=period,
    )
    # A temporary file, not memory: FileResponse streams it and closes (deletes) it after.
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook_export(data, output, request=request)
    output.seek(0)
    response = FileResponse(
        output,
        as_attachment=True,
        filename=workbook_filename(plan, as_of, department),
        content_type=XLSX_CONTENT_TYPE,
    )
    # Department figures: never keep a copy in a shared or browser cache.
    response["Cache-Control"] = "no-store"
    return response
