"""Screens of the year-end evaluation (年度考评); one view per URL and action."""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from supervision.evaluation import services
from supervision.evaluation.access import (
    check_line_visible,
    evaluations_visible_to,
    events_visible_to,
    get_adjustment_file_for_user,
    get_adjustment_for_manager,
    get_evaluation_for_user,
    get_full_result_evaluation_for_user,
)
from supervision.evaluation.forms import AdjustmentForm, OpenForm, ReturnForm
from supervision.evaluation.selectors import evaluation_result
from supervision.evaluation.workbook import evaluation_workbook_export
from supervision.facts import visible_department_id
from supervision.workbook import XLSX_CONTENT_TYPE

VIEW = "supervision.view_evaluation"


@require_safe
@permission_required(VIEW, raise_exception=True)
def evaluation_list(request):
    evaluations = evaluations_visible_to(request.user).select_related("plan").distinct()
    can_open = request.user.has_perm(services.MANAGE)
    return render(
        request,
        "supervision/evaluation/list.html",
        {"evaluations": evaluations, "open_form": OpenForm() if can_open else None},
    )


@require_POST
@permission_required(services.MANAGE, raise_exception=True)
def evaluation_open(request):
    form = OpenForm(request.POST)
    if form.is_valid():
        try:
            evaluation = services.evaluation_open(user=request.user, **form.cleaned_data)
        except services.EvaluationError as exc:
            form.add_error("year", exc.message)
        else:
            return redirect("supervision:evaluation_detail", pk=evaluation.pk)
    evaluations = evaluations_visible_to(request.user).select_related("plan")
    context = {"evaluations": evaluations, "open_form": form}
    return render(request, "supervision/evaluation/list.html", context, status=400)


def _detail_context(request, evaluation, **forms):
    user = request.user
    result = evaluation_result(evaluation, user=user, department_id=visible_department_id(user))
    context = {
        "evaluation": evaluation,
        "result": result,
        "sees_all": user.sees_all_departments,
        "events": events_visible_to(user, evaluation),
    }
    if user.has_perm(services.MANAGE) and evaluation.is_draft:
        context["can_withdraw"] = True
        context["adjustment_form"] = forms.get("adjustment_form") or AdjustmentForm(
            evaluation=evaluation
        )
    if user.has_perm(services.APPROVE) and evaluation.status == "submitted":
        context["return_form"] = forms.get("return_form") or ReturnForm()
    return context


@require_safe
@permission_required(VIEW, raise_exception=True)
def evaluation_detail(request, pk):
    evaluation = get_evaluation_for_user(request.user, pk)
    return render(
        request, "supervision/evaluation/detail.html", _detail_context(request, evaluation)
    )


@require_safe
@permission_required(VIEW, raise_exception=True)
def evaluation_unit(request, pk, department_id):
    evaluation = get_evaluation_for_user(request.user, pk)
    check_line_visible(request.user, department_id)
    result = evaluation_result(evaluation, user=request.user, department_id=department_id)
    line = result.line_for(department_id)
    if line is None:
        raise Http404("没有找到该单位的考评结果。")
    context = {"evaluation": evaluation, "result": result, "line": line}
    return render(request, "supervision/evaluation/unit.html", context)


def _refused(request, evaluation, message=None, **forms):
    if message:
        messages.error(request, message)
    context = _detail_context(request, evaluation, **forms)
    return render(request, "supervision/evaluation/detail.html", context, status=400)


@require_POST
@permission_required(services.MANAGE, raise_exception=True)
def adjustment_add(request, pk):
    evaluation = get_evaluation_for_user(request.user, pk)
    form = AdjustmentForm(request.POST, request.FILES, evaluation=evaluation)
    if not form.is_valid():
        return _refused(request, evaluation, adjustment_form=form)
    data = form.cleaned_data
    try:
        services.adjustment_add(
            user=request.user,
            evaluation=evaluation,
            department=data["department"],
            kind=data["kind"],
            amount=data["amount"],
            reason=data["reason"],
            uploaded_file=data["file"],
            verification=data["verification"],
        )
    except services.EvaluationError as exc:
        form.add_error(None, exc.message)
        return _refused(request, evaluation, adjustment_form=form)
    messages.success(request, "已录入加减分。")
    return redirect("supervision:evaluation_detail", pk=evaluation.pk)


@require_POST
@permission_required(services.MANAGE, raise_exception=True)
def adjustment_withdraw(request, pk):
    adjustment = get_adjustment_for_manager(request.user, pk)
    try:
        services.adjustment_withdraw(
            user=request.user, adjustment=adjustment, reason=request.POST.get("reason", "")
        )
    except services.EvaluationError as exc:
        return _refused(request, adjustment.evaluation, exc.message)
    messages.success(request, "已撤销该项加减分。")
    return redirect("supervision:evaluation_detail", pk=adjustment.evaluation_id)


def _step(request, evaluation, step, success, **arguments):
    try:
        step(user=request.user, evaluation=evaluation, **arguments)
    except services.EvaluationError as exc:
        return _refused(request, evaluation, exc.message)
    messages.success(request, success)
    return redirect("supervision:evaluation_detail", pk=evaluation.pk)


@require_POST
@permission_required(services.MANAGE, raise_exception=True)
def evaluation_submit(request, pk):
    evaluation = get_evaluation_for_user(request.user, pk)
    return _step(request, evaluation, services.evaluation_submit, "已提交审定。")


@require_POST
@permission_required(services.APPROVE, raise_exception=True)
def evaluation_approve(request, pk):
    evaluation = get_evaluation_for_user(request.user, pk)
    return _step(request, evaluation, services.evaluation_approve, "已审定，考评结果已发布。")


@require_POST
@permission_required(services.APPROVE, raise_exception=True)
def evaluation_return(request, pk):
    evaluation = get_evaluation_for_user(request.user, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _refused(request, evaluation, return_form=form)
    return _step(
        request,
        evaluation,
        services.evaluation_return,
        "已退回修改。",
        comment=form.cleaned_data["comment"],
    )


def _full_result(request, pk):
    """The whole result (print view, workbook): those who see all units, once published."""
    evaluation = get_full_result_evaluation_for_user(request.user, pk)
    return evaluation_result(evaluation, user=request.user)


@require_safe
@permission_required(VIEW, raise_exception=True)
def evaluation_print(request, pk):
    result = _full_result(request, pk)
    return render(request, "supervision/evaluation/print.html", {"result": result})


@require_safe
@permission_required(VIEW, raise_exception=True)
def evaluation_xlsx(request, pk):
    result = _full_result(request, pk)
    # A temporary file: FileResponse streams it and closes (deletes) it afterwards.
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    evaluation_workbook_export(result, output, request=request)
    output.seek(0)
    response = FileResponse(
        output,
        as_attachment=True,
        filename=f"{result.evaluation.year}年度考评结果.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@permission_required(VIEW, raise_exception=True)
def adjustment_file(request, pk):
    row = get_adjustment_file_for_user(request.user, pk)
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在。") from None
    return FileResponse(
        handle, as_attachment=True, filename=row.original_name, content_type=row.content_type
    )
