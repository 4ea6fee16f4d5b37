"""POST-only steps of an order, one view per step; a refused step re-renders the order page
with the error beside the field and changes nothing."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from departments.models import Department
from reports.access import get_task_for_user
from supervision.orders import services
from supervision.orders.access import get_file_for_user, get_order_for_user
from supervision.orders.forms import (
    CloseForm,
    ExtensionGrantForm,
    ExtensionRequestForm,
    ReplyForm,
    TextForm,
)
from supervision.orders.views.orders import order_context

HOST_PERM = "supervision.handle_order"
ISSUER_PERM = "supervision.issue_order"


def _refused(request, order, form_name, form, message=None):
    if message:
        form.add_error(None, message)
    context = order_context(request, order, **{form_name: form})
    return render(request, "supervision/orders/order_detail.html", context, status=400)


def _done(request, order, message):
    messages.success(request, message)
    return redirect("supervision:order_detail", pk=order.pk)


def _run(request, order, form_name, form, step, success, *, arguments):
    """Validate `form`, call the service `step`; on any refusal show the page again."""
    if not form.is_valid():
        return _refused(request, order, form_name, form)
    try:
        step(user=request.user, order=order, **arguments(form.cleaned_data))
    except services.OrderError as exc:
        return _refused(request, order, form_name, form, exc.message)
    return _done(request, order, success)


@require_POST
@permission_required(HOST_PERM, raise_exception=True)
def order_acknowledge(request, pk):
    order = get_order_for_user(request.user, pk, as_host=True)
    try:
        services.order_acknowledge(user=request.user, order=order)
    except services.OrderError as exc:
        messages.error(request, exc.message)
        return redirect("supervision:order_detail", pk=order.pk)
    return _done(request, order, "已签收。")


@require_POST
@permission_required(HOST_PERM, raise_exception=True)
def order_reply(request, pk):
    order = get_order_for_user(request.user, pk, as_host=True)
    form = ReplyForm(request.POST, request.FILES)
    return _run(
        request,
        order,
        "reply_form",
        form,
        services.order_reply,
        "已反馈，等待督查人员审核。",
        arguments=lambda d: {"text": d["text"], "files": d["files"]},
    )


@require_POST
@permission_required(HOST_PERM, raise_exception=True)
def order_extension_request(request, pk):
    order = get_order_for_user(request.user, pk, as_host=True)
    form = ExtensionRequestForm(request.POST)
    return _run(
        request,
        order,
        "extension_form",
        form,
        services.order_extension_request,
        "延期申请已提交。",
        arguments=lambda d: {"reason": d["text"], "new_deadline": d["new_deadline"]},
    )


@require_POST
@permission_required(ISSUER_PERM, raise_exception=True)
def order_send_back(request, pk):
    order = get_order_for_user(request.user, pk)
    form = TextForm(request.POST, label="退回理由", required_message="请填写退回理由。")
    return _run(
        request,
        order,
        "send_back_form",
        form,
        services.order_send_back,
        "已退回重办。",
        arguments=lambda d: {"reason": d["text"]},
    )


@require_POST
@permission_required(ISSUER_PERM, raise_exception=True)
def order_close(request, pk):
    order = get_order_for_user(request.user, pk)
    return _run(
        request,
        order,
        "close_form",
        CloseForm(request.POST),
        services.order_close,
        "督办单已办结。",
        arguments=lambda d: {"comment": d["text"]},
    )


@require_POST
@permission_required(ISSUER_PERM, raise_exception=True)
def order_extension_grant(request, pk):
    order = get_order_for_user(request.user, pk)
    return _run(
        request,
        order,
        "grant_form",
        ExtensionGrantForm(request.POST),
        services.order_extension_grant,
        "已同意延期。",
        arguments=lambda d: {"new_deadline": d["new_deadline"], "comment": d["text"]},
    )


@require_POST
@permission_required(ISSUER_PERM, raise_exception=True)
def order_extension_refuse(request, pk):
    order = get_order_for_user(request.user, pk)
    form = TextForm(request.POST, label="不同意理由", required_message="请填写不同意延期的理由。")
    return _run(
        request,
        order,
        "refuse_form",
        form,
        services.order_extension_refuse,
        "已不同意延期。",
        arguments=lambda d: {"comment": d["text"]},
    )


@require_POST
@permission_required(ISSUER_PERM, raise_exception=True)
def order_urge(request, pk):
    order = get_order_for_user(request.user, pk)
    form = TextForm(request.POST, label="催办内容", required_message="请填写催办内容。")
    return _run(
        request,
        order,
        "urge_form",
        form,
        services.order_urge,
        "已催办。",
        arguments=lambda d: {"message": d["text"]},
    )


@require_POST
@permission_required("supervision.instruct_order", raise_exception=True)
def order_instruct(request, pk):
    order = get_order_for_user(request.user, pk)
    form = TextForm(request.POST, label="批示内容", required_message="请填写批示内容。")
    return _run(
        request,
        order,
        "instruct_form",
        form,
        services.order_instruct,
        "批示已发送。",
        arguments=lambda d: {"text": d["text"]},
    )


@require_POST
@permission_required(ISSUER_PERM, raise_exception=True)
def report_urge(request, task_id, department_id, period):
    """催办 a unit's missing or late report; back to where the supervisor came from."""
    task = get_task_for_user(request.user, task_id)
    department = get_object_or_404(Department, pk=department_id)
    try:
        period_start = datetime.date.fromisoformat(period)
    except ValueError:
        raise Http404("填报期格式不正确。") from None
    message = (request.POST.get("text") or "").strip() or "请尽快报送本期进展报告。"
    try:
        services.report_urge(
            user=request.user,
            task=task,
            department=department,
            period_start=period_start,
            message=message,
        )
    except services.OrderError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已催办{department.display_name}。")
    back = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("reports:task_detail", pk=task.pk)


@require_safe
@permission_required("supervision.view_supervisionorder", raise_exception=True)
def file_download(request, pk):
    row = get_file_for_user(request.user, pk)
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在。") from None
    return FileResponse(
        handle, as_attachment=True, filename=row.original_name, content_type=row.content_type
    )
