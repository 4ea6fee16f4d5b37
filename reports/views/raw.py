"""原始数据 downloads: every report of a plan with every field, as CSV or xlsx.

Rows and scoping come from `reports.raw_export` (staff get their own unit's only). Both are
streamed: CSV line by line, xlsx from a write-only temporary file.
"""

import tempfile

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from departments.audit import security_event_record
from departments.models import Department, SecurityEvent
from reports import raw_export
from tasks.models import Plan, Task

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    """(RawFilters, None) or (None, a 400 response); 404 for a plan the user has no part in."""
    plan = get_object_or_404(Plan, pk=plan_pk)
    if not Task.objects.visible_to(request.user).filter(plan=plan).exists():
        raise Http404("没有找到该实施方案。")
    form = RawFilterForm(request.GET)
    if not form.is_valid():
        return None, HttpResponseBadRequest(
            "导出参数有误：年度、截至日期或单位不正确。", content_type="text/plain; charset=utf-8"
        )
    return raw_export.RawFilters(plan=plan, **form.cleaned_data), None


def _filename(filters, extension):
    stamp = timezone.localdate().strftime("%Y%m%d")
    unit = filters.department.name if filters.department else ""
    return f"{filters.plan.title}{unit}填报原始数据{stamp}.{extension}"


def _audit(request, filters, kind):
    security_event_record(
        kind=SecurityEvent.Kind.EXPORT,
        request=request,
        detail=f"导出填报原始数据（{kind}）：方案{filters.plan.pk}"
        + (f"，单位{filters.department.pk}" if filters.department else ""),
    )


@require_safe
@permission_required("reports.view_report", raise_exception=True)
def raw_csv(request, plan_pk):
    filters, refusal = _filters(request, plan_pk)
    if refusal:
        return refusal
    response = StreamingHttpResponse(
        raw_export.csv_stream(request.user, filters), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        content_disposition_header(True, _filename(filters, "csv")) or "attachment"
    )
    response["Cache-Control"] = "no-store"
    _audit(request, filters, "CSV")
    return response


@require_safe
@permission_required("reports.view_report", raise_exception=True)
def raw_xlsx(request, plan_pk):
    filters, refusal = _filters(request, plan_pk)
    if refusal:
        return refusal
    # On disk, not in memory: FileResponse streams the file and closes (deletes) it.
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    raw_export.write_xlsx(request.user, filters, output)
    output.seek(0)
    response = FileResponse(
        output, as_attachment=True, filename=_filename(filters, "xlsx"), content_type=XLSX_TYPE
    )
    response["Cache-Control"] = "no-store"
    _audit(request, filters, "xlsx")
    return response
