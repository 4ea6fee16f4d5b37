"""Writes of the supervision-order feature: one keyword-only function per step.

Each runs in one transaction: checks, writes, the timeline event and the step's signal (sent
inside the transaction, so a failing receiver rolls the step back). Bad input raises
OrderError with a Chinese message and changes nothing.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from reports.evidence_check import EvidenceRejected, check_evidence_upload
from reports.models import Report, ReportState
from supervision import signals
from supervision.orders.models import (
    UNIT_TURN,
    OrderEvent,
    OrderNumberCounter,
    OrderSettings,
    OrderStatus,
    OrderUnit,
    ReportUrging,
    SupervisionFile,
    SupervisionOrder,
    Verification,
)

Action = OrderEvent.Action


class OrderError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def today():
    return timezone.localdate()


# --- numbering -------------------------------------------------------------------------


def order_number_allocate(*, prefix, year, using=None):
    """The next sequence number for `prefix` and `year`; call inside a transaction.

    The counter is bumped with one UPDATE … SET last = last + 1 before it is read, so two
    concurrent issuers are serialised by the row lock (PostgreSQL) or the write lock
    (SQLite) and never get the same number. A rolled-back issue rolls its increment back
    too, so the number no order ever carried is handed out again; a committed one never is.
    `using`: a database alias (tests race threads on a file SQLite database).
    """
    counters = OrderNumberCounter.objects.db_manager(using)
    counter = counters.filter(prefix=prefix, year=year)
    if not counter.update(last=F("last") + 1):
        # First number of the year. A concurrent first insert violates the unique
        # constraint; the savepoint lets us retry the UPDATE on the row it created.
        try:
            with transaction.atomic(using=using):
                counters.create(prefix=prefix, year=year, last=1)
                return 1
        except IntegrityError:  # someone else created it first
            counter.update(last=F("last") + 1)
    return counter.values_list("last", flat=True).get()


def format_number(prefix, year, sequence):
    return f"{prefix}〔{year}〕{sequence}号"


# --- files -----------------------------------------------------------------------------


def _checked_files(files):
    """Check every upload before anything is written; returns [(file, type, name)]."""
    checked = []
    for uploaded in files:
        try:
            content_type, name = check_evidence_upload(
                uploaded, max_bytes=settings.EVIDENCE_MAX_BYTES
            )
        except EvidenceRejected as exc:
            raise OrderError(f"{uploaded.name}：{exc}") from None
        checked.append((uploaded, content_type, name))
    return checked


def _save_files(checked, *, user, order=None, event=None, verification=None):
    for uploaded, content_type, name in checked:
        row = SupervisionFile(
            order=order,
            event=event,
            verification=verification,
            file=uploaded,
            original_name=name,
            content_type=content_type,
            size=uploaded.size,
            uploaded_by=user,
        )
        row.full_clean()
        row.save()


# --- checks ----------------------------------------------------------------------------


def _require(user, perm, message="您没有此项操作权限。"):
    if not user.has_perm(perm):
        raise OrderError(message)


def _locked(order):
    return SupervisionOrder.objects.select_for_update().get(pk=order.pk)


def _check_host(user, order):
    """Only the 主办 unit's reporters and head act on an order for the units."""
    _require(user, "supervision.handle_order")
    is_host = OrderUnit.objects.filter(
        order=order, department_id=user.department_id, role=OrderUnit.Role.HOST
    ).exists()
    if not (user.department_id and is_host):
        raise OrderError("只有主办单位可以办理此督办单。")


def _check_independent(user, order=None, departments=()):
    """Supervisors do not supervise their own unit (as reviewers do not review it)."""
    if user.department_id is None:
        return
    named = {d.pk for d in departments}
    if order is not None:
        named |= set(order.units.values_list("department_id", flat=True))
    if user.department_id in named:
        raise OrderError("不能对本单位下发、审核或催办督办单，请由其他督查人员办理。")


def _check_status(order, allowed, message):
    if order.status not in allowed:
        raise OrderError(message)


def _event(order, action, user, *, text="", new_deadline=None, at=None):
    return OrderEvent.objects.create(
        order=order,
        action=action,
        actor=user,
        at=at or timezone.now(),
        text=text,
        new_deadline=new_deadline,
    )


def _text(value, message):
    value = (value or "").strip()
    if not value:
        raise OrderError(message)
    return value


# --- the lifecycle -----------------------------------------------------------------------


def order_issue(
    *,
    user,
    task,
    host,
    assisting=(),
    reason,
    requirement,
    deadline: datetime.date,
    level=SupervisionOrder.Level.NORMAL,
    source=SupervisionOrder.Source.TASK,
    report=None,
    period_start=None,
    verification=None,
    files=(),
) -> SupervisionOrder:
    """Issue an order to `host` (主办) and `assisting` (协办) units on `task`."""
    _require(user, "supervision.issue_order")
    reason = _text(reason, "请填写督办事由。")
    requirement = _text(requirement, "请填写整改要求。")
    if deadline < today():
        raise OrderError("办理时限不能早于今天。")
    assisting = [d for d in assisting if d.pk != host.pk]
    _check_independent(user, departments=[host, *assisting])
    checked = _checked_files(files)
    settings_row = OrderSettings.for_plan(task.plan)
    now = timezone.now()
    with transaction.atomic():
        year = timezone.localtime(now).year
        sequence = order_number_allocate(prefix=settings_row.number_prefix, year=year)
        order = SupervisionOrder(
            number=format_number(settings_row.number_prefix, year, sequence),
            year=year,
            sequence=sequence,
            plan_id=task.plan_id,
            task=task,
            reason=reason,
            requirement=requirement,
            deadline=deadline,
            original_deadline=deadline,
            level=level,
            source=source,
            report=report,
            period_start=period_start,
            issued_by=user,
            issued_at=now,
        )
        order.full_clean()
        order.save()
        OrderUnit.objects.create(order=order, department=host, role=OrderUnit.Role.HOST)
        for department in assisting:
            OrderUnit.objects.create(order=order, department=department, role=OrderUnit.Role.ASSIST)
        event = _event(order, Action.ISSUED, user, text=requirement, new_deadline=deadline, at=now)
        _save_files(checked, user=user, order=order, event=event)
        if verification is not None:
            Verification.objects.filter(pk=verification.pk).update(order=order)
        signals.order_issued.send(sender=SupervisionOrder, order=order, actor=user)
    return order


def order_acknowledge(*, user, order) -> SupervisionOrder:
    with transaction.atomic():
        order = _locked(order)
        _check_host(user, order)
        _check_status(order, (OrderStatus.ISSUED,), "该督办单已签收。")
        order.status = OrderStatus.ACKNOWLEDGED
        order.acknowledged_at = timezone.now()
        order.save(update_fields=["status", "acknowledged_at"])
        _event(order, Action.ACKNOWLEDGED, user, at=order.acknowledged_at)
        signals.order_acknowledged.send(sender=SupervisionOrder, order=order, actor=user)
    return order


def order_reply(*, user, order, text, files=()) -> SupervisionOrder:
    """The unit's reply (反馈): text plus evidence files, checked like report evidence."""
    text = _text(text, "请填写反馈内容。")
    checked = _checked_files(files)
    with transaction.atomic():
        order = _locked(order)
        _check_host(user, order)
        _check_status(
            order,
            (OrderStatus.ACKNOWLEDGED, OrderStatus.SENT_BACK),
            "请先签收督办单；已反馈或已办结的督办单不能再次反馈。",
        )
        now = timezone.now()
        order.status = OrderStatus.REPLIED
        order.replied_at = now
        order.first_replied_at = order.first_replied_at or now
        order.save(update_fields=["status", "replied_at", "first_replied_at"])
        event = _event(order, Action.REPLIED, user, text=text, at=now)
        _save_files(checked, user=user, order=order, event=event)
        signals.order_replied.send(sender=SupervisionOrder, order=order, actor=user)
    return order


def order_send_back(*, user, order, reason) -> SupervisionOrder:
    _require(user, "supervision.issue_order")
    reason = _text(reason, "请填写退回理由。")
    with transaction.atomic():
        order = _locked(order)
        _check_independent(user, order)
        _check_status(order, (OrderStatus.REPLIED,), "只能退回已反馈的督办单。")
        order.status = OrderStatus.SENT_BACK
        order.times_sent_back += 1
        order.save(update_fields=["status", "times_sent_back"])
        _event(order, Action.SENT_BACK, user, text=reason)
        signals.order_sent_back.send(sender=SupervisionOrder, order=order, actor=user)
    return order


def order_close(*, user, order, comment="") -> SupervisionOrder:
    _require(user, "supervision.issue_order")
    with transaction.atomic():
        order = _locked(order)
        _check_independent(user, order)
        _check_status(order, (OrderStatus.REPLIED,), "只能办结已反馈的督办单。")
        order.status = OrderStatus.CLOSED
        order.closed_at = timezone.now()
        order.save(update_fields=["status", "closed_at"])
        _event(order, Action.CLOSED, user, text=(comment or "").strip(), at=order.closed_at)
        signals.order_closed.send(sender=SupervisionOrder, order=order, actor=user)
    return order


def pending_extension(order):
    """The open extension request (an OrderEvent) of an order, or None."""
    last = (
        order.events.filter(
            action__in=(
                Action.EXTENSION_REQUESTED,
                Action.EXTENSION_GRANTED,
                Action.EXTENSION_REFUSED,
            )
        )
        .order_by("-at", "-id")
        .first()
    )
    return last if last and last.action == Action.EXTENSION_REQUESTED else None


def order_extension_request(*, user, order, reason, new_deadline) -> OrderEvent:
    reason = _text(reason, "请填写延期理由。")
    with transaction.atomic():
        order = _locked(order)
        _check_host(user, order)
        _check_status(order, UNIT_TURN, "已反馈或已办结的督办单不能申请延期。")
        if new_deadline is None or new_deadline <= order.deadline:
            raise OrderError("申请的新时限必须晚于当前办理时限。")
        if pending_extension(order) is not None:
            raise OrderError("已有待审批的延期申请。")
        event = _event(
            order, Action.EXTENSION_REQUESTED, user, text=reason, new_deadline=new_deadline
        )
        signals.order_extension_requested.send(sender=SupervisionOrder, order=order, actor=user)
    return event


def order_extension_grant(*, user, order, new_deadline, comment="") -> SupervisionOrder:
    _require(user, "supervision.issue_order")
    with transaction.atomic():
        order = _locked(order)
        _check_independent(user, order)
        if pending_extension(order) is None:
            raise OrderError("没有待审批的延期申请。")
        if new_deadline is None or new_deadline <= order.deadline:
            raise OrderError("批准的新时限必须晚于当前办理时限。")
        order.deadline = new_deadline
        order.save(update_fields=["deadline"])
        _event(order, Action.EXTENSION_GRANTED, user, text=comment, new_deadline=new_deadline)
        signals.order_extension_decided.send(
            sender=SupervisionOrder, order=order, actor=user, granted=True
        )
    return order


def order_extension_refuse(*, user, order, comment) -> SupervisionOrder:
    _require(user, "supervision.issue_order")
    comment = _text(comment, "请填写不同意延期的理由。")
    with transaction.atomic():
        order = _locked(order)
        _check_independent(user, order)
        if pending_extension(order) is None:
            raise OrderError("没有待审批的延期申请。")
        _event(order, Action.EXTENSION_REFUSED, user, text=comment)
        signals.order_extension_decided.send(
            sender=SupervisionOrder, order=order, actor=user, granted=False
        )
    return order


def order_urge(*, user, order, message) -> OrderEvent:
    _require(user, "supervision.issue_order")
    message = _text(message, "请填写催办内容。")
    with transaction.atomic():
        order = _locked(order)
        _check_independent(user, order)
        if not order.is_open:
            raise OrderError("已办结的督办单不能催办。")
        event = _event(order, Action.URGED, user, text=message)
        signals.order_urged.send(sender=SupervisionOrder, order=order, actor=user)
    return event


def order_instruct(*, user, order, text) -> OrderEvent:
    """领导批示: any order, any status."""
    _require(user, "supervision.instruct_order")
    text = _text(text, "请填写批示内容。")
    with transaction.atomic():
        event = _event(order, Action.INSTRUCTED, user, text=text)
        signals.order_instructed.send(sender=SupervisionOrder, order=order, actor=user)
    return event


def report_urge(*, user, task, department, period_start, message) -> ReportUrging:
    """催办 a unit's missing or late report of one period."""
    _require(user, "supervision.issue_order")
    _check_independent(user, departments=[department])
    message = _text(message, "请填写催办内容。")
    if not task.assignments.filter(department=department).exists():
        raise OrderError("该单位不承担此任务。")
    submitted = Report.objects.filter(
        task=task,
        department=department,
        period_start=period_start,
        state__in=(ReportState.SUBMITTED, ReportState.ACCEPTED),
    ).exists()
    if submitted:
        raise OrderError("该单位本期报告已报送，无需催办。")
    with transaction.atomic():
        urging = ReportUrging.objects.create(
            task=task,
            department=department,
            period_start=period_start,
            message=message,
            urged_by=user,
            at=timezone.now(),
        )
        signals.report_urged.send(sender=ReportUrging, urging=urging, actor=user)
    return urging


def verification_record(
    *,
    user,
    task,
    department,
    checked_on,
    method,
    scope,
    finding,
    notes="",
    report=None,
    files=(),
) -> Verification:
    """督查核实. `report` (optional) must be this unit's report on this task."""
    _require(user, "supervision.issue_order")
    _check_independent(user, departments=[department])
    scope = _text(scope, "请填写核实内容。")
    if checked_on > today():
        raise OrderError("核实日期不能晚于今天。")
    if not task.assignments.filter(department=department).exists():
        raise OrderError("该单位不承担此任务。")
    if report is not None and (report.task_id != task.pk or report.department_id != department.pk):
        raise OrderError("所选报告不属于该单位的此项任务。")
    checked = _checked_files(files)
    with transaction.atomic():
        verification = Verification(
            plan_id=task.plan_id,
            task=task,
            department=department,
            report=report,
            checked_on=checked_on,
            method=method,
            scope=scope,
            finding=finding,
            notes=(notes or "").strip(),
            recorded_by=user,
            recorded_at=timezone.now(),
        )
        verification.full_clean()
        verification.save()
        _save_files(checked, user=user, verification=verification)
        signals.verification_recorded.send(
            sender=Verification, verification=verification, actor=user
        )
    return verification
