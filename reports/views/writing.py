"""Writing a report: start one for a period, edit a draft, read a report."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from reports import services
from reports.access import get_report_for_user, get_task_for_user
from reports.forms import AcceptForm, EvidenceForm, ReportForm, ReturnForm
from reports.models import Report, ReportEvent, ReportState
from tasks.models import TaskAssignment
from tasks.periods import make_period


def parse_period(value):
    try:
        start = datetime.date.fromisoformat(value)
    except ValueError:
        raise Http404("填报期格式不正确。") from None
    # Plans run within 2000–2100; far dates would overflow the period arithmetic.
    if not 2000 <= start.year <= 2100:
        raise Http404("填报期不在方案范围内。")
    return start


def _apply_errors(form, exc):
    for field, message in exc.field_errors.items():
        form.add_error(field if field in form.fields else None, message)
    if not exc.field_errors or not form.errors:
        form.add_error(None, exc.message)


def _lead_contributions(task_id, period_start, *, is_lead):
    """Supporting units' reports for the same task and period, shown to the lead department."""
    if not is_lead:
        return []
    return list(
        Report.objects.filter(
            task_id=task_id, period_start=period_start, role=TaskAssignment.Role.SUPPORT
        ).select_related("department")
    )


def _render_form(request, *, form, task, start, report=None, conflict=None, status=200):
    context = {
        "form": form,
        "task": task,
        "period": make_period(task.plan, start).label,
        "report": report,
        "conflict": conflict,
        "contributions": _lead_contributions(task.pk, start, is_lead=form.is_lead),
    }
    return render(request, "reports/report_form.html", context, status=status)


@permission_required("reports.add_report", raise_exception=True)
def report_create(request, pk, period):
    """The form for a period that has no report yet; saving creates the department's draft."""
    user = request.user
    task = get_task_for_user(user, pk)
    start = parse_period(period)
    role = task.role_of(user.department_id) if user.is_department_staff else None
    if role is None:
        raise Http404("本部门不承担该任务。")
    existing = Report.objects.filter(
        task=task, department_id=user.department_id, period_start=start
    ).first()
    if existing is not None:
        if request.method == "POST":
            messages.warning(
                request, "本期报告已由本单位同事创建，您刚才填写的内容未保存，请在此基础上修改。"
            )
        return redirect("reports:report_edit", pk=existing.pk)
    is_lead = role == TaskAssignment.Role.LEAD
    targets = task.targets.all() if is_lead else []
    if request.method == "POST":
        form = ReportForm(request.POST, is_lead=is_lead, targets=targets)
        if form.is_valid():
            try:
                # One outer transaction: a refused save leaves no empty draft behind.
                with transaction.atomic():
                    report = services.report_start(user=user, task=task, period_start=start)
                    services.report_save(
                        user=user,
                        report=report,
                        # This form was for a new report (version 0): if a colleague created
                        # and saved it meanwhile, the version check refuses to overwrite it.
                        expected_version=0,
                        fields=form.report_fields(),
                        target_values=form.target_values(),
                    )
            except services.ReportError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "草稿已保存。")
                return redirect("reports:report_detail", pk=report.pk)
        return _render_form(request, form=form, task=task, start=start, status=400)
    form = ReportForm(initial={"version": 0}, is_lead=is_lead, targets=targets)
    try:
        services.check_reportable_period(task.plan, start)
    except services.ReportError as exc:
        messages.error(request, exc.message)  # warn before anything is typed
    return _render_form(request, form=form, task=task, start=start)


@permission_required("reports.change_report", raise_exception=True)
def report_edit(request, pk):
    user = request.user
    report = get_report_for_user(user, pk, for_edit=True)
    if not report.is_editable_state:
        messages.error(request, f"报告当前为“{report.get_state_display()}”，不能修改。")
        return redirect("reports:report_detail", pk=report.pk)
    task = report.task
    targets = task.targets.all() if report.is_lead_report else []
    start = report.period_start
    if request.method != "POST":
        form = ReportForm(
            initial=ReportForm.initial_for(report), is_lead=report.is_lead_report, targets=targets
        )
        return _render_form(request, form=form, task=task, start=start, report=report)
    form = ReportForm(request.POST, is_lead=report.is_lead_report, targets=targets)
    if form.is_valid():
        try:
            services.report_save(
                user=user,
                report=report,
                expected_version=form.cleaned_data["version"],
                fields=form.report_fields(),
                target_values=form.target_values(),
            )
        except services.ConcurrentEditError as exc:
            # Keep what this user typed, show the other version, and let them save again
            # knowingly against the version they have now seen.
            data = request.POST.copy()
            data["version"] = exc.current.version
            form = ReportForm(data, is_lead=report.is_lead_report, targets=targets)
            form.is_valid()
            form.add_error(None, "该记录已被他人修改。下方显示对方保存的版本，请核对后再保存。")
            return _render_form(
                request,
                form=form,
                task=task,
                start=start,
                report=report,
                conflict=exc.current,
                status=409,
            )
        except services.ReportError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("reports:report_detail", pk=report.pk)
    return _render_form(request, form=form, task=task, start=start, report=report, status=400)


@require_safe
@permission_required("reports.view_report", raise_exception=True)
def report_detail(request, pk):
    user = request.user
    report = get_report_for_user(user, pk)
    own = user.is_department_staff and user.department_id == report.department_id
    closed = services.is_period_closed(report.task.plan, report.period_start)
    submissions = report.events.filter(snapshot__isnull=False).count()
    context = {
        "report": report,
        "period": make_period(report.task.plan, report.period_start),
        "target_values": report.target_values.select_related("target"),
        "evidence": report.evidence.all(),
        "events": report.events.select_related("actor"),
        "contributions": _lead_contributions(
            report.task_id, report.period_start, is_lead=own and report.is_lead_report
        ),
        "closed": closed,
        "can_edit": own and report.is_editable_state and not closed,
        "can_submit": own and report.is_editable_state and not closed,
        "can_signoff": own
        and user.has_perm("reports.signoff_report")
        and report.state == ReportState.AWAITING_SIGNOFF
        and not closed,
        "can_withdraw": own
        and user.has_perm("reports.submit_report")
        and report.state in (ReportState.AWAITING_SIGNOFF, ReportState.SUBMITTED)
        and not closed,
        "can_review": user.has_perm("reports.review_report")
        and report.state == ReportState.SUBMITTED
        and not closed,
        "review_blocked": _review_blocker(user, report),
        "can_compare": submissions >= 2,
        "evidence_form": EvidenceForm(),
        # Distinct ids: both forms have a `comment` field on the same page.
        "return_form": ReturnForm(auto_id="return_%s"),
        "accept_form": AcceptForm(auto_id="accept_%s"),
        "Action": ReportEvent.Action,
    }
    return render(request, "reports/report_detail.html", context)


def _review_blocker(user, report):
    """Why this supervisor may not review the report (shown instead of the buttons)."""
    if user.pk in (report.created_by_id, report.submitted_by_id, report.signed_off_by_id):
        return "您填报、报送或签批了该报告，须由其他督查员审核。"
    if user.department_id is not None and user.department_id == report.department_id:
        return "这是本单位的报告，须由其他督查员审核。"
    return ""
