import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from supervision.choices import Grade


class ReportDelivery(models.Model):
    """One scheduled mailing of the leadership workbook; failed ones are retried next run."""

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    plan = models.ForeignKey("tasks.Plan", on_delete=models.CASCADE, related_name="+")
    schedule = models.CharField("周期", max_length=20, default="weekly")
    as_of = models.DateField("统计截至")
    recipients = models.TextField("收件人", help_text="逗号分隔")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "报表发送记录"
        verbose_name_plural = "报表发送记录"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "schedule", "as_of"], name="delivery_unique_per_schedule_day"
            )
        ]

    def __str__(self):
        return f"{self.plan} {self.as_of} {self.get_status_display()}"


class FiguresVersion(models.Model):
    """A plan's figures token: a random value the database's triggers replace whenever a row
    the plan's figures are computed from changes (supervision/figure_triggers.py), so
    supervision.figure_cache can keep computed figures between requests under it.

    Written only by the triggers (and renew_all); plan_id is not a foreign key because rows
    of deleted plans are harmless and the global row (GLOBAL_FIGURES) has no plan.
    """

    plan_id = models.BigIntegerField("方案", primary_key=True)
    token = models.BigIntegerField("版本标记")

    class Meta:
        verbose_name = "统计数据版本"
        verbose_name_plural = "统计数据版本"

    def __str__(self):
        return f"{self.plan_id}: {self.token}"

    @classmethod
    def renew_all(cls):
        """New tokens for every plan (after a restore: the database's past state may differ
        from what was cached under its tokens)."""
        # One new value for every row is enough: a key names the plan as well as its token.
        cls.objects.update(token=secrets.randbits(62))


class ScoringSettings(models.Model):
    """Weights and grade bands of the department scorecard, edited by administrators.

    A row with no plan is the default for every plan; a row for a plan overrides it.
    With no row at all the field defaults below apply (documented on the scorecard page).
    """

    plan = models.OneToOneField(
        "tasks.Plan",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="适用方案",
        help_text="留空表示所有方案的默认设置。",
    )
    weight_timeliness = models.PositiveSmallIntegerField(
        "报送及时性权重", default=40, validators=[MaxValueValidator(100)]
    )
    weight_completion = models.PositiveSmallIntegerField(
        "任务与目标完成权重", default=30, validators=[MaxValueValidator(100)]
    )
    weight_review = models.PositiveSmallIntegerField(
        "审核结果权重", default=20, validators=[MaxValueValidator(100)]
    )
    weight_orders = models.PositiveSmallIntegerField(
        "督办单办理权重", default=10, validators=[MaxValueValidator(100)]
    )
    lead_factor = models.DecimalField(
        "牵头任务加权系数",
        max_digits=4,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(Decimal("1.00")), MaxValueValidator(Decimal("10.00"))],
        help_text="牵头任务的每一项按此倍数计权，责任（配合）任务按 1 计权。",
    )
    late_credit = models.PositiveSmallIntegerField(
        "逾期得分比例（%）",
        default=50,
        validators=[MaxValueValidator(100)],
        help_text="逾期报送、逾期完成的事项按满分的此比例计分。",
    )
    band_excellent = models.PositiveSmallIntegerField(
        "优秀分数线", default=90, validators=[MaxValueValidator(100)]
    )
    band_good = models.PositiveSmallIntegerField(
        "良好分数线", default=80, validators=[MaxValueValidator(100)]
    )
    band_fair = models.PositiveSmallIntegerField(
        "一般分数线", default=60, validators=[MaxValueValidator(100)]
    )
    # Fair ranking (分类考核): see supervision.scoring.fair_ranking.
    ranking_rule = models.CharField(
        "排名规则",
        max_length=10,
        choices=[("grouped", "分类排名（牵头单位、仅配合单位分组）"), ("single", "统一排名")],
        default="grouped",
        help_text="分类排名：牵头任务的单位与只承担配合任务的单位分组排名，避免事少的单位排在前面。",
    )
    min_expected_reports = models.PositiveSmallIntegerField(
        "最少应报报告数",
        default=3,
        validators=[MaxValueValidator(1000)],
        help_text="评分期内应报报告少于此数的单位显示为“样本不足”，不参加排名。",
    )
    # Year-end evaluation (年度考评) adjustment limits, per unit and year.
    max_bonus = models.DecimalField(
        "年度考评加分上限",
        max_digits=5,
        decimal_places=1,
        default=Decimal("5.0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="每个单位一个年度的加分合计不得超过此数。",
    )
    max_deduction = models.DecimalField(
        "年度考评扣分上限",
        max_digits=5,
        decimal_places=1,
        default=Decimal("10.0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="每个单位一个年度的扣分合计不得超过此数。",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "评分设置"
        verbose_name_plural = "评分设置"
        constraints = [
            # The OneToOneField keeps one row per plan; this keeps one default row (plan NULL).
            models.UniqueConstraint(
                Coalesce("plan", models.Value(0)),
                name="scoring_one_default",
                violation_error_message="每个方案（含默认设置）只能有一条评分设置。",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    weight_timeliness=100
                    - models.F("weight_completion")
                    - models.F("weight_review")
                    - models.F("weight_orders")
                ),
                name="scoring_weights_sum_100",
                violation_error_message="四项权重之和必须等于100。",
            ),
            models.CheckConstraint(
                condition=models.Q(band_excellent__gt=models.F("band_good"))
                & models.Q(band_good__gt=models.F("band_fair")),
                name="scoring_bands_ordered",
                violation_error_message="等级分数线必须依次递减：优秀 > 良好 > 一般。",
            ),
        ]

    def __str__(self):
        return f"评分设置（{self.plan or '默认'}）"

    WEIGHT_FIELDS = ("weight_timeliness", "weight_completion", "weight_review", "weight_orders")

    def clean(self):
        errors = {}
        weights = [getattr(self, name) or 0 for name in self.WEIGHT_FIELDS]
        if sum(weights) != 100:
            errors["weight_orders"] = f"四项权重之和必须等于100，当前为{sum(weights)}。"
        excellent, good, fair = self.band_excellent, self.band_good, self.band_fair
        if None not in (excellent, good, fair) and not (excellent > good > fair):
            errors["band_good"] = "等级分数线必须依次递减：优秀 > 良好 > 一般。"
        if errors:
            raise ValidationError(errors)

    def grade_for(self, score):
        if score is None:
            return "暂无评分"
        if score >= self.band_excellent:
            return Grade.EXCELLENT.label
        if score >= self.band_good:
            return Grade.GOOD.label
        if score >= self.band_fair:
            return Grade.FAIR.label
        return Grade.POOR.label

    @classmethod
    def for_plan(cls, plan):
        """The plan's settings, else the default row, else unsaved defaults (one query)."""
        rows = list(cls.objects.filter(models.Q(plan=plan) | models.Q(plan__isnull=True)))
        for row in rows:
            if row.plan_id == plan.pk:
                return row
        return rows[0] if rows else cls()


# Supervision orders live in their own module; imported here so Django registers them.
# Year-end evaluations (年度考评): supervision/evaluation/.
from supervision.evaluation.models import (  # noqa: E402, F401
    Evaluation,
    EvaluationAdjustment,
    EvaluationEvent,
    EvaluationLine,
)
from supervision.orders.models import (  # noqa: E402, F401
    OrderEvent,
    OrderNumberCounter,
    OrderSettings,
    OrderUnit,
    ReportUrging,
    SupervisionFile,
    SupervisionOrder,
    Verification,
)
