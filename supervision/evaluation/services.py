"""Writes of the year-end evaluation (年度考评): one keyword-only function per step.

Each step runs in one transaction: permission and state checks, the write, a timeline event
and (for submit/return/publish) a signal from supervision.signals. Bad input raises
EvaluationError with a Chinese message and changes nothing.
"""

from decimal import Decimal

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from reports.evidence_check import EvidenceRejected, check_evidence_upload
from supervision import signals
from supervision.evaluation.models import (
    Evaluation,
    EvaluationAdjustment,
    EvaluationEvent,
    EvaluationLine,
    EvaluationStatus,
)
from supervision.evaluation.selectors import compute_lines, evaluation_as_of, settings_snapshot
from supervision.models import ScoringSettings
from tasks.models import TaskAssignment

MANAGE = "supervision.manage_evaluation"
APPROVE = "supervision.approve_evaluation"
Action = EvaluationEvent.Action


class EvaluationError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _require(user, perm):
    if not user.has_perm(perm):
        raise EvaluationError("您没有此项操作权限。")


def _locked(evaluation):
    return Evaluation.objects.select_for_update().select_related("plan").get(pk=evaluation.pk)


def _event(evaluation, action, user, text=""):
    EvaluationEvent.objects.create(evaluation=evaluation, action=action, actor=user, text=text)


def evaluation_open(*, user, plan, year):
    """A draft evaluation of `plan`'s `year`; one per plan and year."""
    _require(user, MANAGE)
    if not plan.start_year <= year <= plan.end_year:
        raise EvaluationError(f"考评年度须在方案期限内（{plan.start_year}—{plan.end_year}年）。")
    with transaction.atomic():
        if Evaluation.objects.filter(plan=plan, year=year).exists():
            raise EvaluationError(f"该方案{year}年度考评已经创建。")
        evaluation = Evaluation.objects.create(
            plan=plan,
            year=year,
            as_of=evaluation_as_of(plan, year, timezone.localdate()),
            created_by=user,
        )
        _event(evaluation, Action.OPENED, user)
    return evaluation


def _unit_totals(evaluation, department):
    totals: dict[str, Decimal] = {
        EvaluationAdjustment.Kind.BONUS: Decimal(0),
        EvaluationAdjustment.Kind.DEDUCTION: Decimal(0),
    }
    for kind, amount in (
        EvaluationAdjustment.objects.in_force()
        .filter(evaluation=evaluation, department=department)
        .values_list("kind", "amount")
    ):
        totals[kind] += amount
    return totals


def adjustment_add(
    *, user, evaluation, department, kind, amount, reason, uploaded_file, verification=None
):
    """A 加分/扣分 for one unit of a draft; the unit's year total must stay within the limits
    set in 评分设置 (max_bonus / max_deduction)."""
    _require(user, MANAGE)
    if user.department_id == department.pk:
        raise EvaluationError("不能为本单位录入加减分。")
    if amount is None or amount <= 0:
        raise EvaluationError("分值必须大于0。")
    if not reason.strip():
        raise EvaluationError("请填写加减分事由。")
    try:
        content_type, name = check_evidence_upload(
            uploaded_file, max_bytes=django_settings.EVIDENCE_MAX_BYTES
        )
    except EvidenceRejected as exc:
        raise EvaluationError(f"附件：{exc}") from None
    with transaction.atomic():
        evaluation = _locked(evaluation)
        if not evaluation.is_draft:
            raise EvaluationError("只有草稿状态的考评可以录入加减分。")
        if not TaskAssignment.objects.filter(
            task__plan=evaluation.plan, department=department
        ).exists():
            raise EvaluationError("该单位没有承担本方案的任务，不在考评范围内。")
        if verification is not None and (
            verification.plan_id != evaluation.plan_id
            or verification.department_id != department.pk
            or not verification.is_untrue
        ):
            raise EvaluationError("只能关联本方案中该单位“不属实”的督查核实结论。")
        limits = ScoringSettings.for_plan(evaluation.plan)
        limit = (
            limits.max_bonus if kind == EvaluationAdjustment.Kind.BONUS else limits.max_deduction
        )
        label = EvaluationAdjustment.Kind(kind).label
        already = _unit_totals(evaluation, department)[kind]
        if already + amount > limit:
            raise EvaluationError(
                f"{label}超出上限：该单位本年度{label}上限为{limit}分，"
                f"已录入{already}分，本次最多还可{label}{max(limit - already, 0)}分。"
            )
        adjustment = EvaluationAdjustment(
            evaluation=evaluation,
            department=department,
            kind=kind,
            amount=amount,
            reason=reason.strip(),
            verification=verification,
            file=uploaded_file,
            original_name=name,
            content_type=content_type,
            size=uploaded_file.size,
            created_by=user,
        )
        adjustment.full_clean()
        adjustment.save()
        _event(
            evaluation,
            Action.ADJUSTED,
            user,
            f"{department.display_name} {label}{amount}分：{reason.strip()}",
        )
    return adjustment


def adjustment_withdraw(*, user, adjustment, reason):
    """撤销: a supervisor takes back a 加分/扣分 of a draft (e.g. after the leader returned it);
    the row and its attachment stay on record, the figures no longer count it."""
    _require(user, MANAGE)
    if not reason.strip():
        raise EvaluationError("请填写撤销理由。")
    with transaction.atomic():
        evaluation = _locked(adjustment.evaluation)
        if not evaluation.is_draft:
            raise EvaluationError("只有草稿状态的考评可以撤销加减分。")
        adjustment = (
            EvaluationAdjustment.objects.select_for_update()
            .select_related("department")
            .get(pk=adjustment.pk)
        )
        if adjustment.withdrawn_at is not None:
            raise EvaluationError("该项加减分已经撤销。")
        adjustment.withdrawn_at = timezone.now()
        adjustment.withdrawn_by = user
        adjustment.withdrawn_reason = reason.strip()
        adjustment.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
        _event(
            evaluation,
            Action.WITHDRAWN,
            user,
            f"{adjustment.department.display_name} {adjustment.get_kind_display()}"
            f"{adjustment.amount}分（{adjustment.reason}）：{reason.strip()}",
        )
    return adjustment


def evaluation_submit(*, user, evaluation):
    _require(user, MANAGE)
    with transaction.atomic():
        evaluation = _locked(evaluation)
        if not evaluation.is_draft:
            raise EvaluationError("只有草稿可以提交审定。")
        evaluation.status = EvaluationStatus.SUBMITTED
        evaluation.save(update_fields=["status"])
        _event(evaluation, Action.SUBMITTED, user)
        signals.evaluation_submitted.send(Evaluation, evaluation=evaluation, actor=user)
    return evaluation


def evaluation_return(*, user, evaluation, comment):
    _require(user, APPROVE)
    if not comment.strip():
        raise EvaluationError("请填写退回意见。")
    with transaction.atomic():
        evaluation = _locked(evaluation)
        if evaluation.status != EvaluationStatus.SUBMITTED:
            raise EvaluationError("只有提交审定的考评可以退回。")
        evaluation.status = EvaluationStatus.DRAFT
        evaluation.save(update_fields=["status"])
        _event(evaluation, Action.RETURNED, user, comment.strip())
        signals.evaluation_returned.send(
            Evaluation, evaluation=evaluation, actor=user, comment=comment.strip()
        )
    return evaluation


def evaluation_approve(*, user, evaluation):
    """审定: the leader approves; the result is frozen (figures and settings) and published."""
    _require(user, APPROVE)
    with transaction.atomic():
        evaluation = _locked(evaluation)
        if evaluation.status != EvaluationStatus.SUBMITTED:
            raise EvaluationError("只有提交审定的考评可以审定发布。")
        settings = ScoringSettings.for_plan(evaluation.plan)
        lines = compute_lines(evaluation, user=user, settings=settings)
        EvaluationLine.objects.bulk_create(
            EvaluationLine(
                evaluation=evaluation,
                department_id=line.department_id,
                department_name=line.department_name,
                position=position,
                group=line.group,
                lead_tasks=line.lead_tasks,
                support_tasks=line.support_tasks,
                expected_reports=line.expected_reports,
                computed_score=line.computed_score,
                components=line.components,
                bonus=line.bonus,
                deduction=line.deduction,
                final_score=line.final_score,
                insufficient=line.insufficient,
                rank=line.rank,
                grade=line.grade,
            )
            for position, line in enumerate(lines)
        )
        evaluation.status = EvaluationStatus.PUBLISHED
        evaluation.approved_by = user
        evaluation.published_at = timezone.now()
        evaluation.settings_used = {**settings_snapshot(settings), "as_of": str(evaluation.as_of)}
        evaluation.save(update_fields=["status", "approved_by", "published_at", "settings_used"])
        _event(evaluation, Action.PUBLISHED, user)
        signals.evaluation_published.send(Evaluation, evaluation=evaluation, actor=user)
    return evaluation
