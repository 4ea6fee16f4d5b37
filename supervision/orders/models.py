"""督办单 (supervision orders), urgings, on-site verifications and their settings.

Colours are never stored: `supervision.orders.colours` computes them from the deadline, the
as-of date and the urgings each time an order is shown.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce


class OrderSettings(models.Model):
    """Numbering, colour thresholds and scoring penalties of supervision orders, per plan.

    A row with no plan is the default; with no row at all the field defaults apply.
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
    number_prefix = models.CharField(
        "文号前缀",
        max_length=20,
        default="环教督",
        help_text="督办单编号形如：前缀〔年份〕序号号。",
    )
    amber_days = models.PositiveSmallIntegerField(
        "黄色预警天数（N）",
        default=3,
        validators=[MaxValueValidator(365)],
        help_text="距办理时限不足N天（含当天）时显示黄色。",
    )
    red_urgings = models.PositiveSmallIntegerField(
        "变红催办次数（M）",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="催办达到M次即显示红色；第一次催办即为黄色。",
    )
    escalate_days = models.PositiveSmallIntegerField(
        "领导督办天数（K）",
        default=7,
        validators=[MaxValueValidator(365)],
        help_text="红色超过K天的督办单列入领导看板的“领导督办”。",
    )
    urging_penalty = models.PositiveSmallIntegerField(
        "每次催办扣分比例（%）", default=10, validators=[MaxValueValidator(100)]
    )
    send_back_penalty = models.PositiveSmallIntegerField(
        "每次退回重办扣分比例（%）", default=20, validators=[MaxValueValidator(100)]
    )
    partly_true_credit = models.PositiveSmallIntegerField(
        "核实“基本属实”得分比例（%）", default=50, validators=[MaxValueValidator(100)]
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "督办设置"
        verbose_name_plural = "督办设置"
        constraints = [
            models.UniqueConstraint(
                Coalesce("plan", models.Value(0)),
                name="ordersettings_one_default",
                violation_error_message="每个方案（含默认设置）只能有一条督办设置。",
            ),
        ]

    def __str__(self):
        return f"督办设置（{self.plan or '默认'}）"

    @classmethod
    def for_plan(cls, plan):
        """The plan's settings, else the default row, else unsaved defaults (one query)."""
        rows = list(cls.objects.filter(models.Q(plan=plan) | models.Q(plan__isnull=True)))
        for row in rows:
            if row.plan_id == plan.pk:
                return row
        return rows[0] if rows else cls()


class OrderNumberCounter(models.Model):
    """The last number used per prefix and year. Only ever incremented: numbers are never reused."""

    prefix = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "督办单编号计数"
        verbose_name_plural = "督办单编号计数"
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="ordercounter_prefix_year")
        ]

    def __str__(self):
        return f"{self.prefix}〔{self.year}〕{self.last}"


class OrderStatus(models.TextChoices):
    ISSUED = "issued", "已下发"
    ACKNOWLEDGED = "acknowledged", "已签收"
    REPLIED = "replied", "已反馈"
    SENT_BACK = "sent_back", "退回重办"
    CLOSED = "closed", "已办结"


OPEN_STATUSES = (
    OrderStatus.ISSUED,
    OrderStatus.ACKNOWLEDGED,
    OrderStatus.REPLIED,
    OrderStatus.SENT_BACK,
)
# The unit has to act: the clock runs. A replied order waits for the supervisor.
UNIT_TURN = (OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED, OrderStatus.SENT_BACK)


class OrderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Supervisors, leaders and admins read every order; a unit only orders it is named on."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_all_departments:
            return self
        if user.department_id is None:
            return self.none()
        return self.filter(units__department_id=user.department_id)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class SupervisionOrder(models.Model):
    class Level(models.TextChoices):
        NORMAL = "normal", "一般"
        KEY = "key", "重点"

    class Source(models.TextChoices):
        TASK = "task", "任务页"
        DASHBOARD = "dashboard", "督查看板"
        COMPLIANCE = "compliance", "报送明细"
        REPORT = "report", "退回的报告"
        VERIFICATION = "verification", "督查核实"

    number = models.CharField("编号", max_length=40, unique=True)
    year = models.PositiveSmallIntegerField("年份")
    sequence = models.PositiveIntegerField("序号")
    plan = models.ForeignKey("tasks.Plan", on_delete=models.PROTECT, related_name="+")
    task = models.ForeignKey(
        "tasks.Task", on_delete=models.PROTECT, related_name="+", verbose_name="任务"
    )
    reason = models.TextField("事由")
    requirement = models.TextField("整改要求")
    deadline = models.DateField("办理时限", help_text="批准延期后为新的时限。")
    original_deadline = models.DateField("原定时限")
    level = models.CharField("级别", max_length=10, choices=Level.choices, default=Level.NORMAL)
    status = models.CharField(
        "状态", max_length=20, choices=OrderStatus.choices, default=OrderStatus.ISSUED
    )
    source = models.CharField("来源", max_length=20, choices=Source.choices, default=Source.TASK)
    report = models.ForeignKey(
        "reports.Report",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="相关报告",
    )
    period_start = models.DateField("相关填报期", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="下发人"
    )
    issued_at = models.DateTimeField("下发时间")
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    first_replied_at = models.DateTimeField("首次反馈时间", null=True, blank=True)
    replied_at = models.DateTimeField("最近反馈时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    times_sent_back = models.PositiveSmallIntegerField("退回次数", default=0)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("original_deadline")),
                name="order_deadline_not_before_original",
            ),
        ]
        indexes = [models.Index(fields=["plan", "status"], name="order_plan_status")]
        permissions = [
            ("issue_order", "可下发、催办、办结督办单和督查核实"),
            ("handle_order", "可签收、反馈本单位督办单"),
            ("instruct_order", "可批示督办单"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


class OrderUnit(models.Model):
    class Role(models.TextChoices):
        HOST = "host", "主办"
        ASSIST = "assist", "协办"

    order = models.ForeignKey(SupervisionOrder, on_delete=models.CASCADE, related_name="units")
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, related_name="+", verbose_name="单位"
    )
    role = models.CharField("分工", max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = "督办单位"
        verbose_name_plural = "督办单位"
        # The host (主办) first, then the assisting units in the district's order: "host"
        # sorts after "assist", hence descending.
        ordering = ["-role", "department__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "department"], name="orderunit_once"),
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(role="host"), name="orderunit_one_host"
            ),
        ]
        indexes = [models.Index(fields=["department", "role"], name="orderunit_dept_role")]

    def __str__(self):
        return f"{self.department}（{self.get_role_display()}）"


class OrderEvent(models.Model):
    """One step of an order's life: the timeline, who and when."""

    class Action(models.TextChoices):
        ISSUED = "issued", "下发"
        ACKNOWLEDGED = "acknowledged", "签收"
        REPLIED = "replied", "反馈"
        SENT_BACK = "sent_back", "退回重办"
        CLOSED = "closed", "办结"
        EXTENSION_REQUESTED = "extension_requested", "申请延期"
        EXTENSION_GRANTED = "extension_granted", "同意延期"
        EXTENSION_REFUSED = "extension_refused", "不同意延期"
        URGED = "urged", "催办"
        INSTRUCTED = "instructed", "领导批示"

    order = models.ForeignKey(SupervisionOrder, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=30, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    at = models.DateTimeField("时间")
    text = models.TextField("内容", blank=True)
    new_deadline = models.DateField("时限", null=True, blank=True)

    class Meta:
        verbose_name = "督办记录"
        verbose_name_plural = "督办记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "action", "at"], name="orderevent_order_action")]

    def __str__(self):
        return f"{self.order} {self.get_action_display()}"


class ReportUrging(models.Model):
    """催办 of a unit's missing or late report (an order's urgings are OrderEvents)."""

    task = models.ForeignKey("tasks.Task", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField("填报期")
    message = models.TextField("催办内容")
    urged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="催办人"
    )
    at = models.DateTimeField("催办时间")

    class Meta:
        verbose_name = "报告催办"
        verbose_name_plural = "报告催办"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["department", "at"], name="reporturging_dept_at")]

    def __str__(self):
        return f"{self.department} {self.period_start:%Y-%m}"


class Verification(models.Model):
    """督查核实: a supervisor's check of a task for a unit."""

    class Method(models.TextChoices):
        SITE = "site", "实地查看"
        DOCUMENTS = "documents", "查阅资料"
        INTERVIEW = "interview", "座谈走访"
        UNANNOUNCED = "unannounced", "暗访"

    class Finding(models.TextChoices):
        TRUE = "true", "属实"
        MOSTLY_TRUE = "mostly_true", "基本属实"
        UNTRUE = "untrue", "不属实"

    plan = models.ForeignKey("tasks.Plan", on_delete=models.PROTECT, related_name="+")
    task = models.ForeignKey(
        "tasks.Task", on_delete=models.PROTECT, related_name="+", verbose_name="任务"
    )
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, related_name="+", verbose_name="单位"
    )
    report = models.ForeignKey(
        "reports.Report",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="核实的报告",
        help_text="核实对象为已审核通过的报告时，“不属实”会在各处标注该报告。",
    )
    checked_on = models.DateField("核实日期")
    method = models.CharField("核实方式", max_length=20, choices=Method.choices)
    scope = models.TextField("核实内容")
    finding = models.CharField("核实结论", max_length=20, choices=Finding.choices)
    notes = models.TextField("备注", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="核实人"
    )
    recorded_at = models.DateTimeField("记录时间")
    order = models.ForeignKey(
        SupervisionOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verifications",
        verbose_name="据此下发的督办单",
    )

    class Meta:
        verbose_name = "督查核实"
        verbose_name_plural = "督查核实"
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["plan", "checked_on"], name="verification_plan_day")]

    def __str__(self):
        return f"{self.task.number}号任务 {self.department} {self.checked_on}"

    @property
    def is_untrue(self):
        return self.finding == self.Finding.UNTRUE


def supervision_upload_to(instance, filename):
    # Server-chosen, non-guessable name, as for report evidence.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"supervision/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}.{extension}"


class SupervisionFile(models.Model):
    """An attachment of an order (at issue or with a reply) or a verification's evidence."""

    order = models.ForeignKey(
        SupervisionOrder, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    event = models.ForeignKey(
        OrderEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    verification = models.ForeignKey(
        Verification, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    file = models.FileField("文件", upload_to=supervision_upload_to, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "督办附件"
        verbose_name_plural = "督办附件"
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(order__isnull=False, verification__isnull=True)
                | models.Q(order__isnull=True, verification__isnull=False),
                name="supervisionfile_one_owner",
            )
        ]

    def __str__(self):
        return self.original_name
