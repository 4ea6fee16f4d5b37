"""督办单 pages: list (the dashboard's drill-down), issue, detail with timeline, print."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from huancui_vet.dates import chinese_month
from huancui_vet.querystrings import query_without_page
from reports.access import get_report_for_user, get_task_for_user
from supervision.facts import visible_department_id
from supervision.orders import services
from supervision.orders.access import can_handle, get_order_for_user, get_verification_for_user
from supervision.orders.forms import (
    CloseForm,
    ExtensionGrantForm,
    ExtensionRequestForm,
    OrderFilterForm,
    OrderIssueForm,
    ReplyForm,
    TextForm,
)
from supervision.orders.models import OrderEvent, OrderUnit, SupervisionOrder
from supervision.orders.selectors import issued_after, order_for_display, order_list_page

PAGE_SIZE = 50


@require_safe
@permission_required("supervision.view_supervisionorder", raise_exception=True)
def order_list(request):
    """Orders of a plan as of a date, filtered by unit, task and colour, paged in SQL where
    the filter allows (orders.selectors.order_list_page; a constant number of queries)."""
    form = OrderFilterForm(request.GET or None)
    plan, as_of = form.resolved()
    if plan is None:
        return render(request, "supervision/orders/order_list.html", {"form": form, "page": None})
    department_id, task_id, colour = form.resolved_filters()
    form = form.showing(plan=plan, as_of=as_of)
    listing = order_list_page(
        plan=plan,
        as_of=as_of,
        visible_to_department=visible_department_id(request.user),
        department_id=department_id,
        task_id=task_id,
        colour=colour,
        number=request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    return render(
        request,
        "supervision/orders/order_list.html",
        {
            "form": form,
            "page": listing.page,
            "items": listing.items,
            "query": query_without_page(request),
            "as_of": as_of,
            "later": issued_after(
                plan=plan,
                as_of=as_of,
                user=request.user,
                department_id=department_id,
                task_id=task_id,
            ),
            "today_query": query_without_page(
                request, plan=str(plan.pk), as_of=timezone.localdate().isoformat()
            ),
        },
    )


def _prefill(request, task):
    """Initial values from where the order is issued (dashboard line, compliance row, report)."""
    initial = {"source": request.GET.get("source") or SupervisionOrder.Source.TASK}
    for key in ("host", "reason", "period", "verification"):
        if request.GET.get(key):
            initial[key] = request.GET[key]
    report_pk = request.GET.get("report")
    if report_pk and report_pk.isdigit():
        report = get_report_for_user(request.user, int(report_pk))
        if report.task_id != task.pk:
            raise Http404("报告不属于该任务。")
        initial.update(
            source=SupervisionOrder.Source.REPORT,
            report=report.pk,
            host=report.department_id,
            period=report.period_start,
            reason=f"{chinese_month(report.period_start)}进展报告被退回："
            f"{report.review_comment or '内容不符合要求'}",
        )
    if "host" not in initial:
        lead = task.principal_lead
        initial["host"] = lead.pk if lead else None
    return initial


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("supervision.issue_order", raise_exception=True)
def order_create(request, task_id):
    task = get_task_for_user(request.user, task_id)
    if request.method != "POST":
        form = OrderIssueForm(task=task, initial=_prefill(request, task))
        return _create_page(request, task, form)
    form = OrderIssueForm(request.POST, request.FILES, task=task)
    if not form.is_valid():
        return _create_page(request, task, form)
    data = form.cleaned_data
    report = None
    if data.get("report"):
        report = get_report_for_user(request.user, data["report"])
    verification = None
    if data.get("verification"):
        verification = get_verification_for_user(request.user, data["verification"])
    try:
        order = services.order_issue(
            user=request.user,
            task=task,
            host=data["host"],
            assisting=list(data["assisting"]),
            reason=data["reason"],
            requirement=data["requirement"],
            deadline=data["deadline"],
            level=data["level"],
            source=data["source"],
            report=report,
            period_start=data.get("period"),
            verification=verification,
            files=data["files"],
        )
    except services.OrderError as exc:
        form.add_error(None, exc.message)
        return _create_page(request, task, form)
    messages.success(request, f"督办单 {order.number} 已下发。")
    return redirect("supervision:order_detail", pk=order.pk)


def _create_page(request, task, form):
    status = 400 if form.is_bound else 200
    context = {"task": task, "form": form}
    return render(request, "supervision/orders/order_form.html", context, status=status)


def blank_forms(**bound):
    """The action forms of the order page; a failed action passes its bound form in."""
    forms = {
        "reply_form": ReplyForm(),
        "send_back_form": TextForm(label="退回理由", required_message="请填写退回理由。"),
        "close_form": CloseForm(),
        "extension_form": ExtensionRequestForm(),
        "grant_form": ExtensionGrantForm(),
        "refuse_form": TextForm(label="不同意理由", required_message="请填写不同意延期的理由。"),
        "urge_form": TextForm(label="催办内容", required_message="请填写催办内容。"),
        "instruct_form": TextForm(label="批示内容", required_message="请填写批示内容。"),
    }
    forms.update(bound)
    return forms


def order_context(request, order, **bound):
    """Everything the order page and the print view show (6 queries)."""
    units = list(order.units.select_related("department"))
    events = list(
        order.events.select_related("actor").prefetch_related("files").order_by("at", "pk")
    )
    user = request.user
    issued = [e for e in events if e.action == OrderEvent.Action.ISSUED]
    return {
        "order": order,
        "fact": order_for_display(order),
        "host_units": [u for u in units if u.role == OrderUnit.Role.HOST],
        "assist_units": [u for u in units if u.role == OrderUnit.Role.ASSIST],
        "events": events,
        "attachments": list(issued[0].files.all()) if issued else [],
        "instructions": [e for e in events if e.action == OrderEvent.Action.INSTRUCTED],
        "urgings": sum(1 for e in events if e.action == OrderEvent.Action.URGED),
        "pending_extension": services.pending_extension(order),
        "is_host": can_handle(user, units),
        "verifications": list(order.verifications.select_related("department")),
        **blank_forms(**bound),
    }


@require_safe
@permission_required("supervision.view_supervisionorder", raise_exception=True)
def order_detail(request, pk):
    order = get_order_for_user(request.user, pk)
    return render(request, "supervision/orders/order_detail.html", order_context(request, order))


@require_safe
@permission_required("supervision.view_supervisionorder", raise_exception=True)
def order_print(request, pk):
    order = get_order_for_user(request.user, pk)
    return render(request, "supervision/orders/order_print.html", order_context(request, order))
