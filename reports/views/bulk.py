"""Bulk entry from Excel: download the department's report sheet for a period, upload it back.

Only reporters and heads of a department use these pages (supervisors, leaders and
administrators get 403); the workbook logic lives in reports/bulk.py
(download) and reports/bulk_upload.py (upload).
"""

import datetime
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_GET, require_POST

from huancui_vet.xlsx import XLSX_CONTENT_TYPE
from reports import bulk
from reports.bulk_upload import BulkUploadError, upload_workbook
from tasks.models import Plan
from tasks.periods import current_period, plan_periods

XLSX_TYPE = XLSX_CONTENT_TYPE


class BulkUploadForm(forms.Form):
    file = forms.FileField(
        label="填好的填报表（.xlsx）",
        help_text="请上传从本页下载并填写的表格。任一行有误则整表不保存。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_TYPE}),
    )


def department_staff_only(view):
    """Reporters and heads of a department; everyone else signed in gets 403."""

    @permission_required("reports.submit_report", raise_exception=True)
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_department_staff:
            raise PermissionDenied("只有部门填报员或负责人可以批量填报。")
        return view(request, *args, **kwargs)

    return wrapper


def _plans_for(department):
    return list(
        Plan.objects.filter(tasks__assignments__department=department).distinct().order_by("pk")
    )


def _selection(user, params):
    """(plans, plan, periods newest first, period) from ?plan=&period=; 404 on bad values."""
    plans = _plans_for(user.department)
    if not plans:
        return plans, None, [], None
    plan = plans[0]
    if params.get("plan"):
        plan = next((p for p in plans if str(p.pk) == params["plan"]), None)
        if plan is None:
            raise Http404("没有找到该方案。")
    today = timezone.localdate()
    periods = [p for p in plan_periods(plan) if p.start <= today][::-1]
    period = current_period(plan, today) or (periods[-1] if periods else None)
    if params.get("period"):
        try:
            start = datetime.date.fromisoformat(params["period"])
        except ValueError:
            raise Http404("填报期格式不正确。") from None
        period = next((p for p in periods if p.start == start), None)
        if period is None:
            raise Http404("该填报期不存在或尚未开始。")
    return plans, plan, periods, period


def _entry_page(request, *, params, form=None, errors=None, status=200):
    plans, plan, periods, period = _selection(request.user, params)
    rows = []
    if period is not None:
        rows = bulk.bulk_rows(
            department=request.user.department, plan=plan, period_start=period.start
        )
    context = {
        "plans": plans,
        "plan": plan,
        "periods": periods,
        "period": period,
        "rows": rows,
        "form": form or BulkUploadForm(),
        "errors": errors or [],
    }
    return render(request, "reports/bulk_entry.html", context, status=status)


@require_GET
@department_staff_only
def bulk_entry(request):
    return _entry_page(request, params=request.GET)


@require_GET
@department_staff_only
def bulk_download(request):
    _, plan, _, period = _selection(request.user, request.GET)
    if period is None:
        raise Http404("当前没有可填报的填报期。")
    department = request.user.department
    rows = bulk.bulk_rows(department=department, plan=plan, period_start=period.start)
    content = bulk.build_workbook(
        department=department, plan=plan, period_start=period.start, rows=rows
    )
    response = HttpResponse(content, content_type=XLSX_TYPE)
    filename = f"{department.display_name}-{period.label}-进展填报表.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@department_staff_only
def bulk_upload(request):
    form = BulkUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _entry_page(request, params=request.POST, form=form, status=400)
    try:
        plan, period_start, created, updated = upload_workbook(
            user=request.user,
            uploaded_file=form.cleaned_data["file"],
            plans=_plans_for(request.user.department),
        )
    except BulkUploadError as exc:
        return _entry_page(request, params=request.POST, form=form, errors=exc.errors, status=400)
    if created or updated:
        messages.success(
            request,
            f"已保存：新建草稿 {created} 份，更新草稿 {updated} 份。请逐项核对后在网页上报送。",
        )
    else:
        messages.info(request, "表格与现有内容相同，没有需要保存的修改。")
    query = urlencode({"plan": plan.pk, "period": period_start.isoformat()})
    return redirect(f"{reverse('reports:bulk_entry')}?{query}")
