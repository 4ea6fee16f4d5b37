"""Workflow transitions: one POST-only view per action."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from reports import services
from reports.access import get_report_for_user
from reports.forms import AcceptForm, ReturnForm


def _refused(request, report, exc):
    messages.error(request, exc.message)
    return redirect("reports:report_detail", pk=report.pk)


@require_POST
@permission_required("reports.submit_report", raise_exception=True)
def report_submit(request, pk):
    report = get_report_for_user(request.user, pk, for_edit=True)
    try:
        report = services.report_submit(user=request.user, report=report)
    except services.ReportError as exc:
        return _refused(request, report, exc)
    messages.success(request, f"报告已提交，当前状态：{report.get_state_display()}。")
    return redirect("reports:report_detail", pk=report.pk)


@require_POST
@permission_required("reports.signoff_report", raise_exception=True)
def report_signoff(request, pk):
    report = get_report_for_user(request.user, pk, for_edit=True)
    try:
        services.report_sign_off(user=request.user, report=report)
    except services.ReportError as exc:
        return _refused(request, report, exc)
    messages.success(request, "已签批，报告已报送教育局审核。")
    return redirect("reports:signoff_queue")


@require_POST
@permission_required("reports.review_report", raise_exception=True)
def report_accept(request, pk):
    report = get_report_for_user(request.user, pk)
    form = AcceptForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.report_accept(user=request.user, report=report, comment=comment)
    except services.ReportError as exc:
        return _refused(request, report, exc)
    messages.success(request, f"已审核通过：{report}。")
    return redirect("reports:review_queue")


@require_POST
@permission_required("reports.review_report", raise_exception=True)
def report_return(request, pk):
    report = get_report_for_user(request.user, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return render(
            request, "reports/return_form.html", {"report": report, "form": form}, status=400
        )
    try:
        services.report_return(
            user=request.user, report=report, comment=form.cleaned_data["comment"]
        )
    except services.ReportError as exc:
        return _refused(request, report, exc)
    messages.success(request, f"已退回修改：{report}。")
    return redirect("reports:review_queue")


@require_POST
@permission_required("reports.signoff_report", raise_exception=True)
def report_signoff_return(request, pk):
    report = get_report_for_user(request.user, pk, for_edit=True)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        context = {
            "report": report,
            "form": form,
            "return_action": "reports:report_signoff_return",
        }
        return render(request, "reports/return_form.html", context, status=400)
    try:
        services.report_signoff_return(
            user=request.user, report=report, comment=form.cleaned_data["comment"]
        )
    except services.ReportError as exc:
        return _refused(request, report, exc)
    messages.success(request, f"已退回填报人修改：{report}。")
    return redirect("reports:signoff_queue")


@require_POST
@permission_required("reports.submit_report", raise_exception=True)
def report_withdraw(request, pk):
    report = get_report_for_user(request.user, pk, for_edit=True)
    try:
        report = services.report_withdraw(user=request.user, report=report)
    except services.ReportError as exc:
        return _refused(request, report, exc)
    messages.success(
        request, f"报告已撤回，当前状态：{report.get_state_display()}，可修改后再报送。"
    )
    return redirect("reports:report_detail", pk=report.pk)
