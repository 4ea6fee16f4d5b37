"""年度考评: a plan year's evaluation, its adjustments, its timeline and its frozen result."""

from django.conf import settings
from django.db import models

from supervision.orders.models import Verification, supervision_upload_to


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "提交审定"
    PUBLISHED = "published", "已发布"


class Evaluation(models.Model):
    """One plan year's evaluation. Draft and submitted evaluations compute their figures
    live; publishing (the leader's 审定) freezes them into EvaluationLine rows."""

    plan = models.ForeignKey(
        "tasks.Plan", on_delete=models.PROTECT, related_name="+", verbose_name="实施方案"
    )
    year = models.PositiveSmallIntegerField("考评年度")
    as_of = models.DateField("统计截至")
    status = models.CharField(
        "状态", max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="编制人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审定人",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    # The ScoringSettings values the published figures were computed with.
    settings_used = models.JSONField("采用的评分设置", default=dict, blank=True)

    class Meta:
        verbose_name = "年度考评"
        verbose_name_plural = "年度考评"
        ordering = ["-year", "plan_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="evaluation_one_per_plan_year")
        ]
        permissions = [
            ("manage_evaluation", "编制年度考评（加减分、提交审定）"),
            ("approve_evaluation", "审定并发布年度考评"),
        ]

    def __str__(self):
        return f"{self.plan} {self.year}年度考评"

    @property
    def is_published(self):
        return self.status == EvaluationStatus.PUBLISHED

    @property
    def is_draft(self):
        return self.status == EvaluationStatus.DRAFT


class AdjustmentQuerySet(models.QuerySet):
    def in_force(self):
        """Adjustments that count: a withdrawn one stays on record but never in a figure."""
        return self.filter(withdrawn_at__isnull=True)


class EvaluationAdjustment(models.Model):
    """A 加分 or 扣分 for one unit, with its reason, attachment and who added it when.

    While the evaluation is a draft a supervisor may withdraw (撤销) it with a reason; the row
    stays (who, when, why) so the timeline and the attachment remain, but it no longer counts.
    """

    class Kind(models.TextChoices):
        BONUS = "bonus", "加分"
        DEDUCTION = "deduction", "扣分"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="adjustments")
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, related_name="+", verbose_name="单位"
    )
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    amount = models.DecimalField("分值", max_digits=5, decimal_places=1)
    reason = models.TextField("事由")
    verification = models.ForeignKey(
        Verification,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="关联督查核实",
    )
    file = models.FileField("附件", upload_to=supervision_upload_to, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="撤销人",
    )
    withdrawn_reason = models.TextField("撤销理由", blank=True)

    objects = AdjustmentQuerySet.as_manager()

    class Meta:
        verbose_name = "考评加减分"
        verbose_name_plural = "考评加减分"
        ordering = ["department_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="evaluation_adjustment_amount_positive"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}{self.amount}分"


class EvaluationEvent(models.Model):
    """The evaluation's timeline: every step with who, when and (for a return) why."""

    class Action(models.TextChoices):
        OPENED = "opened", "创建草稿"
        ADJUSTED = "adjusted", "录入加减分"
        WITHDRAWN = "withdrawn", "撤销加减分"
        SUBMITTED = "submitted", "提交审定"
        RETURNED = "returned", "退回修改"
        PUBLISHED = "published", "审定并发布"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    text = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "考评记录"
        verbose_name_plural = "考评记录"
        ordering = ["at", "id"]

    def __str__(self):
        return self.get_action_display()


class EvaluationLine(models.Model):
    """One unit's frozen figures of a published evaluation (never recomputed)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="lines")
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, related_name="+"
    )
    department_name = models.CharField("单位", max_length=100)
    position = models.PositiveSmallIntegerField("顺序")
    group = models.CharField("排名组", max_length=10)
    lead_tasks = models.PositiveSmallIntegerField("牵头任务数")
    support_tasks = models.PositiveSmallIntegerField("配合任务数")
    expected_reports = models.PositiveIntegerField("应报报告数")
    computed_score = models.DecimalField("计算得分", max_digits=5, decimal_places=1, null=True)
    components = models.JSONField("分项得分", default=list)
    bonus = models.DecimalField("加分", max_digits=5, decimal_places=1)
    deduction = models.DecimalField("扣分", max_digits=5, decimal_places=1)
    final_score = models.DecimalField("考评得分", max_digits=5, decimal_places=1, null=True)
    insufficient = models.BooleanField("样本不足")
    rank = models.PositiveSmallIntegerField("组内排名", null=True)
    grade = models.CharField("等级", max_length=10)

    class Meta:
        verbose_name = "考评结果"
        verbose_name_plural = "考评结果"
        ordering = ["evaluation_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "department"], name="evaluation_line_one_per_unit"
            )
        ]

    def __str__(self):
        return f"{self.department_name} {self.final_score}"
