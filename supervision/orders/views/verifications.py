"""督查核实: record a check of a task for a unit, and read it back."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_safe

from reports.access import get_report_for_user, get_task_for_user
from supervision.orders import services
from supervision.orders.access import get_verification_for_user
from supervision.orders.forms import VerificationForm


def _page(request, task, form, status=200):
    return render(
        request,
        "supervision/orders/verification_form.html",
        {"task": task, "form": form},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("supervision.issue_order", raise_exception=True)
def verification_create(request, task_id):
    task = get_task_for_user(request.user, task_id)
    if request.method != "POST":
        initial = {k: request.GET[k] for k in ("department", "report") if request.GET.get(k)}
        return _page(request, task, VerificationForm(task=task, initial=initial))
    form = VerificationForm(request.POST, request.FILES, task=task)
    if not form.is_valid():
        return _page(request, task, form, status=400)
    data = form.cleaned_data
    report = get_report_for_user(request.user, data["report"]) if data.get("report") else None
    try:
        verification = services.verification_record(
            user=request.user,
            task=task,
            department=data["department"],
            checked_on=data["checked_on"],
            method=data["method"],
            scope=data["scope"],
            finding=data["finding"],
            notes=data["notes"],
            report=report,
            files=data["files"],
        )
    except services.OrderError as exc:
        form.add_error(None, exc.message)
        return _page(request, task, form, status=400)
    messages.success(request, "核实记录已保存。")
    if data["open_order"]:
        query: dict[str, str | int] = {
            "source": "verification",
            "host": verification.department_id,
            "verification": verification.pk,
            "reason": f"督查核实（{verification.get_method_display()}）结论："
            f"{verification.get_finding_display()}。{verification.scope}",
        }
        url = reverse("supervision:order_create", args=[task.pk])
        return redirect(f"{url}?{urlencode(query)}")
    return redirect("supervision:verification_detail", pk=verification.pk)


@require_safe
@permission_required("supervision.view_verification", raise_exception=True)
def verification_detail(request, pk):
    verification = get_verification_for_user(request.user, pk)
    return render(
        request,
        "supervision/orders/verification_detail.html",
        {"verification": verification, "files": list(verification.files.all())},
    )
