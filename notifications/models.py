"""Notices (the in-app inbox), the outbox of deliveries, and who wants what where.

A `Notice` is one message for one user, shown in the portal. A `Delivery` is one message
to send outside the portal (a mail to a user, a post to a unit's group bot); it is the
outbox: written in the same transaction as the change that caused it, sent later by
`send_notifications`. Both carry a unique `dedupe_key` so an event, a reminder or a
digest is stored once per recipient however many times (or on how many hosts) it runs.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from departments.models import Department


class Kind(models.TextChoices):
    REPORT_RETURNED = "report_returned", "报告被退回"
    REPORT_ACCEPTED = "report_accepted", "报告审核通过"
    AWAITING_SIGNOFF = "awaiting_signoff", "待我签批"
    AWAITING_REVIEW = "awaiting_review", "待我审核"
    DUE_SOON = "due_soon", "填报即将到期"
    DUE_TODAY = "due_today", "今日填报截止"
    OVERDUE = "overdue", "填报已逾期"
    TASK_CHANGED = "task_changed", "任务调整"
    SUPERVISOR_DIGEST = "supervisor_digest", "督查每日汇总"
    EMAIL_DIGEST = "email_digest", "每日消息汇总邮件"
    # Supervision orders (督办单): wired to the supervision app's signals.
    ORDER_ISSUED = "order_issued", "督办单下达"
    ORDER_URGED = "order_urged", "督办催办"
    ORDER_SENT_BACK = "order_sent_back", "督办办理情况被退回"
    ORDER_LEVEL_CHANGED = "order_level_changed", "督办单亮灯升级"
    ORDER_EXTENSION_DECIDED = "order_extension_decided", "延期申请已答复"
    ORDER_CLOSED = "order_closed", "督办单办结"
    # Year-end evaluations (年度考评): wired to the supervision app's signals.
    EVALUATION_SUBMITTED = "evaluation_submitted", "年度考评待审定"
    EVALUATION_RETURNED = "evaluation_returned", "年度考评被退回"
    EVALUATION_PUBLISHED = "evaluation_published", "年度考评结果发布"
    # Background jobs (我的导出): the user's own export or import finished or failed.
    JOB_FINISHED = "job_finished", "导出与后台任务"


class Notice(models.Model):
    """One in-app message for one user; `url` is a portal path (never an outside address)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name="接收人",
    )
    kind = models.CharField("类型", max_length=40, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    dedupe_key = models.CharField("去重键", max_length=200, unique=True)
    created_at = models.DateTimeField("时间", db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The bell's count and the inbox's unread filter.
            models.Index(fields=["recipient", "read_at"], name="notice_recipient_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notice_recipient_newest"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None


class Channel(models.TextChoices):
    EMAIL = "email", "电子邮件"
    WECOM = "wecom", "企业微信群机器人"
    DINGTALK = "dingtalk", "钉钉群机器人"


class UnitWebhook(models.Model):
    """A unit's group bot in 企业微信 or 钉钉; every notice for the unit is posted there."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="webhooks", verbose_name="单位"
    )
    channel = models.CharField(
        "平台",
        max_length=20,
        choices=[(Channel.WECOM, Channel.WECOM.label), (Channel.DINGTALK, Channel.DINGTALK.label)],
    )
    url = models.URLField("Webhook 地址", max_length=500)
    secret = models.CharField(
        "加签密钥",
        max_length=200,
        blank=True,
        help_text="钉钉机器人“加签”安全设置的密钥（SEC 开头）",
    )
    disabled_kinds = models.JSONField("不推送的消息类型", default=list, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "单位群机器人"
        verbose_name_plural = "单位群机器人"
        permissions = [("manage_unit_webhooks", "可设置本单位群机器人")]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "channel"], name="unitwebhook_one_per_unit_channel"
            )
        ]

    def __str__(self):
        return f"{self.department} {self.get_channel_display()}"

    def clean(self):
        if not self.url.startswith("https://") and not settings.NOTIFY_WEBHOOK_ALLOW_HTTP:
            raise ValidationError({"url": "Webhook 地址必须以 https:// 开头。"})
        if self.channel == Channel.WECOM and self.secret:
            raise ValidationError({"secret": "企业微信群机器人不使用加签密钥，请留空。"})


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", "即时发送"
    DIGEST = "digest", "每日汇总一封"


class NotificationSettings(models.Model):
    """A user's choices; users without a row get the defaults (immediate mail, everything)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name="用户",
    )
    email_mode = models.CharField(
        "邮件方式", max_length=20, choices=EmailMode.choices, default=EmailMode.IMMEDIATE
    )
    # Kinds the user does not want by mail (the role's required kinds are always sent).
    email_disabled_kinds = models.JSONField("不接收邮件的消息类型", default=list, blank=True)

    class Meta:
        verbose_name = "提醒设置"
        verbose_name_plural = "提醒设置"

    def __str__(self):
        return f"{self.user} 的提醒设置"


class Delivery(models.Model):
    """The outbox: one message to send by mail or to a group bot, with its retry state."""

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    channel = models.CharField("渠道", max_length=20, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="收件人",
    )
    webhook = models.ForeignKey(
        UnitWebhook,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name="群机器人",
    )
    kind = models.CharField("类型", max_length=40, choices=Kind.choices)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    url = models.CharField("链接", max_length=300, blank=True)
    dedupe_key = models.CharField("去重键", max_length=200, unique=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间")
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息发送记录"
        verbose_name_plural = "消息发送记录"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(channel="email", recipient__isnull=False, webhook__isnull=True)
                    | (
                        models.Q(channel__in=["wecom", "dingtalk"])
                        & models.Q(recipient__isnull=True, webhook__isnull=False)
                    )
                ),
                name="delivery_email_to_user_bot_to_webhook",
            )
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.subject}"
