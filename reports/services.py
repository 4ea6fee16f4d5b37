"""Writes to reports: every change to a report goes through one of these functions.

Each function is keyword-only, runs in one transaction, validates with `full_clean()`,
records a `ReportEvent` for workflow transitions and keeps `ReportSummary` in step
(`sync_report_summary`) inside the same transaction. Rule violations raise `ReportError`
whose `.message` is a Chinese sentence to show the user.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from departments.models import User
from reports import signals
from reports.evidence_check import EvidenceRejected, check_evidence_upload
from reports.models import (
    EDITABLE_STATES,
    Evidence,
    PeriodLock,
    ProgressStatus,
    Report,
    ReportEvent,
    ReportState,
    TargetValue,
)
from reports.summary import sync_report_summary
from tasks.models import Task, TaskAssignment
from tasks.periods import is_valid_period_start, make_period

EDITABLE_FIELDS = ("progress_status", "percent", "work_done", "problems", "next_steps")
LEAD_ONLY_FIELDS = ("progress_status", "percent")
LEAD_ONLY_LABELS = {"progress_status": "推进状态", "percent": "完成百分比"}
# The one limit of each text (characters): the form's max_length and the bulk upload's
# errors both come from here, and report_save enforces it for every caller.
TEXT_LIMITS = {"work_done": 5000, "problems": 3000, "next_steps": 3000}
PERCENT_ERROR = "完成百分比必须是0到100之间的整数。"
SUPPORT_ONLY_ERROR = "责任单位只填报本单位的配合工作，不填推进状态、完成百分比或目标实际值。"


class ReportError(Exception):
    """A refused action; `.message` is shown to the user, `.field_errors` beside form fields."""

    def __init__(self, message, *, field_errors=None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class ConcurrentEditError(ReportError):
    """Someone saved the report after the form was loaded; `.current` is the fresh row."""

    def __init__(self, current):
        super().__init__("该记录已被他人修改，请查看对方保存的内容后再修改。")
        self.current = current


# --- rule checks -------------------------------------------------------------------------


def is_period_closed(plan, period_start: datetime.date) -> bool:
    return PeriodLock.objects.closed().filter(plan=plan, period_start=period_start).exists()


def _check_open(report_or_plan, period_start=None):
    plan = report_or_plan.task.plan if isinstance(report_or_plan, Report) else report_or_plan
    start = period_start or report_or_plan.period_start
    if is_period_closed(plan, start):
        raise ReportError("该填报期已关闭，报告已锁定，不能再修改或审核。")


def _check_own_department(user, report, perm):
    if not (
        user.is_department_staff
        and user.department_id == report.department_id
        and user.has_perm(perm)
    ):
        raise ReportError("只能由本部门的填报员或负责人办理本部门的报告。")


def _check_editable(report):
    if report.state not in EDITABLE_STATES:
        raise ReportError(
            f"报告当前为“{report.get_state_display()}”，只有草稿或被退回的报告可以修改。"
        )


def _check_reviewer(user, report):
    if not user.has_perm("reports.review_report"):
        raise ReportError("只有督查员可以审核报告。")
    if report.state != ReportState.SUBMITTED:
        raise ReportError(f"报告当前为“{report.get_state_display()}”，不在待审核状态。")
    if user.pk in (report.created_by_id, report.submitted_by_id, report.signed_off_by_id):
        raise ReportError("不能审核自己填报、报送或签批的报告。")
    if user.department_id is not None and user.department_id == report.department_id:
        raise ReportError("督查员不能审核本单位的报告，请由其他督查员审核。")


def _apply_current_role(report):
    """Take the department's role on the task from the assignment as it is now.

    The plan's units can change after a report was started (an administrator re-assigns a
    task): a unit no longer on the task cannot go on, and a unit moved from lead to
    supporting loses the task-level figures it may no longer report.
    """
    role = (
        TaskAssignment.objects.filter(task_id=report.task_id, department_id=report.department_id)
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        raise ReportError("本单位已不再承担该任务，不能继续修改或报送该报告。")
    report.role = role
    if not report.is_lead_report:
        report.progress_status, report.percent = "", None
        TargetValue.objects.filter(report=report).delete()


def _locked(report):
    """The report re-read under a row lock (a no-op on SQLite, which locks the database)."""
    return Report.objects.select_for_update().select_related("task__plan").get(pk=report.pk)


def _event(report, *, action, actor, now, comment="", snapshot=None):
    event = ReportEvent(
        report=report, action=action, actor=actor, at=now, comment=comment, snapshot=snapshot
    )
    event.full_clean()
    event.save()
    return event


def _save(report, now):
    report.version += 1
    try:
        report.full_clean()
    except ValidationError as exc:
        errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        raise ReportError("请更正标出的错误后再保存。", field_errors=errors) from exc
    report.save()
    sync_report_summary(report)


def snapshot_label(target):
    """A target's key in a submission snapshot's target values."""
    return f"{target.indicator}（{target.year}年）"


def report_snapshot(report):
    """The report's content as shown to reviewers, stored on the submission event."""
    values = {
        snapshot_label(tv.target): str(tv.actual_value)
        for tv in report.target_values.select_related("target").order_by(
            "target__year", "target__sort_order", "target_id"
        )
    }
    return {
        "progress_status": report.get_progress_status_display() if report.progress_status else "",
        "percent": "" if report.percent is None else str(report.percent),
        "work_done": report.work_done,
        "problems": report.problems,
        "next_steps": report.next_steps,
        "target_values": values,
        "evidence": [e.original_name for e in report.evidence.all()],
    }


# --- reporting ---------------------------------------------------------------------------


def check_reportable_period(plan, period_start: datetime.date) -> None:
    """Refuse a period outside the plan, one that has not started, or a closed one."""
    if not is_valid_period_start(plan, period_start):
        raise ReportError("所选填报期不在方案的填报期范围内。")
    if period_start > timezone.localdate():
        raise ReportError("该填报期尚未开始，不能提前填报。")
    _check_open(plan, period_start)


def report_start(*, user: User, task: Task, period_start: datetime.date) -> Report:
    """Get or create the user's department's report on `task` for the period."""
    if not (user.is_department_staff and user.has_perm("reports.add_report")):
        raise ReportError("只有部门填报员或负责人可以填报进展。")
    department_id = user.department_id
    assert department_id is not None  # department staff always have one (is_department_staff)
    roles = TaskAssignment.objects.filter(task=task, department_id=department_id).values_list(
        "role", flat=True
    )
    role = next(iter(list(roles[:1])), None)
    if role is None:
        raise ReportError("本部门不承担该任务，不能填报该任务的进展。")
    check_reportable_period(task.plan, period_start)
    existing = Report.objects.filter(
        task=task, department_id=department_id, period_start=period_start
    )
    report = existing.first()
    if report is not None:
        return report
    report = Report(
        task=task,
        department_id=department_id,
        period_start=period_start,
        role=role,
        created_by=user,
    )
    report.full_clean(validate_constraints=False)  # the unique constraint is handled below
    try:
        with transaction.atomic():
            report.save()
            _event(report, action=ReportEvent.Action.CREATED, actor=user, now=timezone.now())
            sync_report_summary(report)
    except IntegrityError:
        # A colleague created the same report a moment ago: use theirs.
        return existing.get()
    return report


def _clean_percent(value):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = Decimal(-1)
    if number != number.to_integral_value() or not 0 <= number <= 100:
        raise ReportError(PERCENT_ERROR, field_errors={"percent": PERCENT_ERROR})
    return int(number)


def _check_texts(fields):
    errors = {
        name: f"内容过长：不能超过 {limit} 字。"
        for name, limit in TEXT_LIMITS.items()
        if len(fields.get(name) or "") > limit
    }
    if errors:
        raise ReportError("请更正标出的错误后再保存。", field_errors=errors)


def _clean_decimal(target, value, stored=None):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ReportError(f"“{target.indicator}”的实际值必须是数字。") from None
    if not number.is_finite() or number < 0 or abs(number) >= Decimal("1e10"):
        raise ReportError(f"“{target.indicator}”的实际值超出允许范围。")
    check_yes_no(target, number, stored=stored)
    return number.quantize(Decimal("0.01"))


def yes_no_error(target):
    what = "是节点目标" if target.kind == target.Kind.MILESTONE else "没有数量目标"
    return f"“{target.indicator}”{what}，只能填 1（完成）或 0（未完成）。"


def check_yes_no(target, number: Decimal, *, stored=None) -> None:
    """Refuse anything but 0 or 1 for a yes/no target (Target.is_yes_no), beside its form
    field. A value saved before the rule and left as it was (`stored`) does not block the
    report; a changed one must follow the rule."""
    if target.is_yes_no and number not in (0, 1) and number != stored:
        message = yes_no_error(target)
        raise ReportError(message, field_errors={f"target_{target.pk}": message})


def report_save(
    *,
    user: User,
    report: Report,
    expected_version: int,
    fields: dict,
    target_values: dict | None = None,
) -> Report:
    """Save a draft or returned report's content; refuses a stale `expected_version`."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    target_values = target_values or {}
    with transaction.atomic():
        fresh = _locked(report)
        _check_own_department(user, fresh, "reports.change_report")
        _check_editable(fresh)
        _check_open(fresh)
        if int(expected_version) != fresh.version:
            raise ConcurrentEditError(fresh)
        _apply_current_role(fresh)
        if not fresh.is_lead_report:
            filled = [f for f in LEAD_ONLY_FIELDS if fields.get(f) not in (None, "")]
            if filled or any(v not in (None, "") for v in target_values.values()):
                raise ReportError(
                    SUPPORT_ONLY_ERROR,
                    field_errors={f: f"责任单位不填{LEAD_ONLY_LABELS[f]}。" for f in filled},
                )
        _check_texts(fields)
        if "percent" in fields:
            fields = {**fields, "percent": _clean_percent(fields["percent"])}
        status = fields.get("progress_status")
        if status and status not in ProgressStatus.values:
            raise ReportError("推进状态无效。", field_errors={"progress_status": "推进状态无效。"})
        for name, value in fields.items():
            setattr(fresh, name, value if value is not None or name == "percent" else "")
        now = timezone.now()
        # The first save of a new draft fills what report_start created: 创建草稿 already
        # records it, so it is not logged a second time as 修改.
        first_save = (
            fresh.version == 0
            and fresh.events.filter(action=ReportEvent.Action.CREATED, actor=user).exists()
        )
        _save(fresh, now)
        for target, value in target_values.items():
            if target.task_id != fresh.task_id:
                raise ReportError("目标不属于该任务。")
            tv = TargetValue.objects.filter(report=fresh, target=target).first()
            number = _clean_decimal(target, value, stored=tv.actual_value if tv else None)
            if number is None:
                if tv is not None:
                    tv.delete()
                continue
            tv = tv or TargetValue(report=fresh, target=target)
            tv.actual_value = number
            tv.full_clean()
            tv.save()
        if not first_save:
            _event(fresh, action=ReportEvent.Action.EDITED, actor=user, now=now)
    return fresh


def _check_complete(report):
    missing = []
    if report.is_lead_report and not report.progress_status:
        missing.append("推进状态")
    if report.is_lead_report and report.percent is None:
        missing.append("完成百分比")
    if not report.work_done.strip():
        missing.append("本期工作进展")
    if missing:
        raise ReportError(f"请先填写：{'、'.join(missing)}。")


def _signal_submit(report):
    """The signal for where a submission went: the head's sign-off or the review queue."""
    if report.state == ReportState.AWAITING_SIGNOFF:
        return signals.report_awaiting_signoff
    return signals.report_submitted_for_review


def _mark_submitted(report, now):
    report.state = ReportState.SUBMITTED
    report.submitted_at = now
    report.first_submitted_at = report.first_submitted_at or now


def report_submit(*, user: User, report: Report) -> Report:
    """Send the report on: to the department head when the plan requires it, else to review."""
    with transaction.atomic():
        fresh = _locked(report)
        _check_own_department(user, fresh, "reports.submit_report")
        _check_editable(fresh)
        _check_open(fresh)
        _apply_current_role(fresh)
        _check_complete(fresh)
        now = timezone.now()
        fresh.submitted_by = user
        fresh.signed_off_by = None
        if fresh.task.plan.requires_head_signoff and user.has_perm("reports.signoff_report"):
            # A head's own submission carries the head's approval: sending it for a second
            # sign-off would leave a one-head unit stuck for good.
            fresh.signed_off_by = user
            _mark_submitted(fresh, now)
            action, snapshot = ReportEvent.Action.SIGNED_OFF, report_snapshot(fresh)
        elif fresh.task.plan.requires_head_signoff:
            fresh.state = ReportState.AWAITING_SIGNOFF
            action, snapshot = ReportEvent.Action.SENT_FOR_SIGNOFF, None
        else:
            _mark_submitted(fresh, now)
            action, snapshot = ReportEvent.Action.SUBMITTED, report_snapshot(fresh)
        _save(fresh, now)
        _event(fresh, action=action, actor=user, now=now, snapshot=snapshot)
        _signal_submit(fresh).send(sender=Report, report=fresh, actor=user)
    return fresh


def report_sign_off(*, user: User, report: Report) -> Report:
    """The department head approves the report; it goes to the education bureau."""
    with transaction.atomic():
        fresh = _locked(report)
        _check_own_department(user, fresh, "reports.signoff_report")
        if fresh.state != ReportState.AWAITING_SIGNOFF:
            raise ReportError(f"报告当前为“{fresh.get_state_display()}”，不在待签批状态。")
        if user.pk == fresh.submitted_by_id:
            # Sign-off is a second person's check; the one who sent it cannot approve it.
            raise ReportError("不能签批自己提交的报告，请由本单位其他负责人签批。")
        _check_open(fresh)
        now = timezone.now()
        fresh.signed_off_by = user
        _mark_submitted(fresh, now)
        _save(fresh, now)
        _event(
            fresh,
            action=ReportEvent.Action.SIGNED_OFF,
            actor=user,
            now=now,
            snapshot=report_snapshot(fresh),
        )
        signals.report_submitted_for_review.send(sender=Report, report=fresh, actor=user)
    return fresh


def report_signoff_return(*, user: User, report: Report, comment: str) -> Report:
    """The department head sends a report awaiting sign-off back to the reporter.

    Not a review outcome: `times_returned` (scored) is left alone and the report still counts
    as not yet submitted to the education bureau.
    """
    comment = _required_comment(comment)
    with transaction.atomic():
        fresh = _locked(report)
        _check_own_department(user, fresh, "reports.signoff_report")
        if fresh.state != ReportState.AWAITING_SIGNOFF:
            raise ReportError(f"报告当前为“{fresh.get_state_display()}”，不在待签批状态。")
        _check_open(fresh)
        now = timezone.now()
        fresh.state = ReportState.RETURNED
        fresh.review_comment = comment
        _save(fresh, now)
        _event(
            fresh, action=ReportEvent.Action.SIGNOFF_RETURNED, actor=user, now=now, comment=comment
        )
    return fresh


def report_withdraw(*, user: User, report: Report) -> Report:
    """The unit takes back a report nobody has signed off or reviewed yet.

    A report never reviewed goes back to draft and counts as not submitted (its on-time
    clock restarts); a resubmission after a return goes back to 已退回修改, keeping the date
    of its first submission.
    """
    with transaction.atomic():
        fresh = _locked(report)
        _check_own_department(user, fresh, "reports.submit_report")
        if fresh.state not in (ReportState.AWAITING_SIGNOFF, ReportState.SUBMITTED):
            raise ReportError(
                f"报告当前为“{fresh.get_state_display()}”，只有待签批或待审核的报告可以撤回，"
                "已审核的报告不能撤回。"
            )
        _check_open(fresh)
        now = timezone.now()
        fresh.signed_off_by = None
        if fresh.times_returned:
            fresh.state = ReportState.RETURNED
        else:
            fresh.state = ReportState.DRAFT
            fresh.first_submitted_at = fresh.submitted_at = None
        _save(fresh, now)
        _event(fresh, action=ReportEvent.Action.WITHDRAWN, actor=user, now=now)
    return fresh


def _required_comment(comment):
    comment = (comment or "").strip()
    if not comment:
        raise ReportError(
            "退回报告必须填写退回意见。", field_errors={"comment": "请填写退回意见。"}
        )
    return comment


def report_accept(*, user: User, report: Report, comment: str = "") -> Report:
    with transaction.atomic():
        fresh = _locked(report)
        _check_reviewer(user, fresh)
        _check_open(fresh)
        now = timezone.now()
        fresh.state = ReportState.ACCEPTED
        fresh.reviewed_by = user
        fresh.reviewed_at = now
        fresh.review_comment = comment.strip()
        _save(fresh, now)
        _event(fresh, action=ReportEvent.Action.ACCEPTED, actor=user, now=now, comment=comment)
        signals.report_accepted.send(sender=Report, report=fresh, actor=user)
    return fresh


def report_return(*, user: User, report: Report, comment: str) -> Report:
    comment = _required_comment(comment)
    with transaction.atomic():
        fresh = _locked(report)
        _check_reviewer(user, fresh)
        _check_open(fresh)
        now = timezone.now()
        fresh.state = ReportState.RETURNED
        fresh.reviewed_by = user
        fresh.reviewed_at = now
        fresh.review_comment = comment
        fresh.times_returned += 1
        _save(fresh, now)
        _event(fresh, action=ReportEvent.Action.RETURNED, actor=user, now=now, comment=comment)
        signals.report_returned.send(sender=Report, report=fresh, actor=user, comment=comment)
    return fresh


# --- evidence ----------------------------------------------------------------------------


def evidence_add(*, user, report, uploaded_file) -> Evidence:
    """Attach a file after checking its size and its content (not only its extension)."""
    from django.conf import settings

    with transaction.atomic():
        fresh = _locked(report)
        _check_own_department(user, fresh, "reports.add_evidence")
        _check_editable(fresh)
        _check_open(fresh)
        try:
            content_type, name = check_evidence_upload(
                uploaded_file, max_bytes=settings.EVIDENCE_MAX_BYTES
            )
        except EvidenceRejected as exc:
            raise ReportError(str(exc)) from None
        evidence = Evidence(
            report=fresh,
            file=uploaded_file,
            original_name=name,
            content_type=content_type,
            size=uploaded_file.size,
            uploaded_by=user,
        )
        evidence.full_clean()
        evidence.save()
        sync_report_summary(fresh)
    return evidence


def evidence_delete(*, user, evidence) -> None:
    """Remove a file from a draft or returned report (submitted evidence stays on record)."""
    with transaction.atomic():
        fresh = _locked(evidence.report)
        _check_own_department(user, fresh, "reports.delete_evidence")
        _check_editable(fresh)
        _check_open(fresh)
        stored = evidence.file
        evidence.delete()
        sync_report_summary(fresh)
        transaction.on_commit(lambda: stored.delete(save=False))


# --- periods -----------------------------------------------------------------------------


def _period_lock(user, plan, period_start):
    if not user.has_perm("reports.close_period"):
        raise ReportError("只有督查员可以关闭或重开填报期。")
    if not is_valid_period_start(plan, period_start):
        raise ReportError("所选填报期不在方案的填报期范围内。")
    return PeriodLock.objects.select_for_update().filter(plan=plan, period_start=period_start)


def period_close(*, user, plan, period_start) -> PeriodLock:
    """Close a period: its reports are locked for everyone until it is reopened."""
    with transaction.atomic():
        lock = _period_lock(user, plan, period_start).first()
        if lock is not None and lock.is_closed:
            raise ReportError(f"{make_period(plan, period_start).label}已经关闭。")
        lock = lock or PeriodLock(plan=plan, period_start=period_start)
        lock.is_closed = True
        lock.changed_by = user
        lock.changed_at = timezone.now()
        lock.full_clean()
        lock.save()  # simple-history keeps each close and reopen
    return lock


def period_reopen(*, user, plan, period_start) -> PeriodLock:
    with transaction.atomic():
        lock = _period_lock(user, plan, period_start).first()
        if lock is None or not lock.is_closed:
            raise ReportError(f"{make_period(plan, period_start).label}未关闭，无需重开。")
        lock.is_closed = False
        lock.changed_by = user
        lock.changed_at = timezone.now()
        lock.full_clean()
        lock.save()
    return lock
