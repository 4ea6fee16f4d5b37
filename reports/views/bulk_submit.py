"""Review the unit's drafts on one page and submit a chosen set; a head signs off several."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from reports import bulk_submit


def _ids(request):
    try:
        return [int(value) for value in request.POST.getlist("report")]
    except ValueError:
        return []


@require_safe
@permission_required("reports.submit_report", raise_exception=True)
def bulk_review(request):
    if not request.user.is_department_staff:
        raise PermissionDenied("只有部门用户可以报送本单位报告。")
    reports = list(bulk_submit.drafts_for_review(request.user))
    return render(request, "reports/bulk_review.html", {"reports": reports})


@require_POST
@permission_required("reports.submit_report", raise_exception=True)
def bulk_submit_view(request):
    ids = _ids(request)
    if not ids:
        messages.error(request, "请至少勾选一份报告。")
        return redirect("reports:bulk_review")
    reports = bulk_submit.selected_reports(request.user, ids, states=bulk_submit.SUBMITTABLE)
    try:
        done = bulk_submit.reports_submit_many(user=request.user, reports=reports)
    except bulk_submit.BulkActionError as exc:
        messages.error(request, exc.message)
    else:
        states = "、".join(sorted({r.get_state_display() for r in done}))
        messages.success(request, f"已报送 {len(done)} 份报告，当前状态：{states}。")
    return redirect("reports:bulk_review")


@require_POST
@permission_required("reports.signoff_report", raise_exception=True)
def bulk_signoff(request):
    ids = _ids(request)
    if not ids:
        messages.error(request, "请至少勾选一份报告。")
        return redirect("reports:signoff_queue")
    reports = bulk_submit.selected_reports(request.user, ids, states=bulk_submit.SIGNABLE)
    try:
        done = bulk_submit.reports_sign_off_many(user=request.user, reports=reports)
    except bulk_submit.BulkActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已签批 {len(done)} 份报告，均已报送教育局审核。")
    return redirect("reports:signoff_queue")
