from django.db import models


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
