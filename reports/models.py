import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from departments.models import Department
from huancui_vet.dates import chinese_month
from tasks.models import Plan, Target, Task, TaskAssignment


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未启动"
    ON_TRACK = "on_track", "正常推进"
    BEHIND = "behind", "进度滞后"
    BLOCKED = "blocked", "受阻"
    DONE = "done", "已完成"


class ReportState(models.TextChoices):
    DRAFT = "draft", "草稿"
    AWAITING_SIGNOFF = "awaiting_signoff", "待负责人签批"
    SUBMITTED = "submitted", "已报送待审核"
    ACCEPTED = "accepted", "审核通过"
    RETURNED = "returned", "已退回修改"


EDITABLE_STATES = (ReportState.DRAFT, ReportState.RETURNED)

# CSS classes from static/css/portal.css for each state, so every page colours them alike.
STATE_BADGE: dict[str, str] = {
    ReportState.DRAFT: "",
    ReportState.AWAITING_SIGNOFF: "badge--blue",
    ReportState.SUBMITTED: "badge--blue",
    ReportState.ACCEPTED: "badge--green",
    ReportState.RETURNED: "badge--red",
}
STATUS_LIGHT: dict[str, str] = {
    ProgressStatus.NOT_STARTED: "light--grey",
    ProgressStatus.ON_TRACK: "light--green",
    ProgressStatus.BEHIND: "light--amber",
    ProgressStatus.BLOCKED: "light--red",
    ProgressStatus.DONE: "light--green",
}


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reports the user may read (no extra query beyond the report query itself).

        Supervisors, leaders and administrators read everything. Department staff read their
        own department's reports, every report on tasks their department leads (so the lead
        sees its supporting units' contributions) and the lead reports of tasks it supports.
        """
        if not user.is_authenticated:
            return self.none()
        if user.sees_all_departments:
            return self
        if user.department_id is None:
            return self.none()
        assigned = TaskAssignment.objects.filter(department_id=user.department_id)
        led = assigned.filter(role=TaskAssignment.Role.LEAD).values("task_id")
        return self.filter(
            models.Q(department_id=user.department_id)
            | models.Q(task_id__in=led)
            | models.Q(role=TaskAssignment.Role.LEAD, task_id__in=assigned.values("task_id"))
        )


class Report(models.Model):
    """One department's progress report on one task for one reporting period.

    Lead departments report the task's status, percent and target values; supporting
    departments report only their own contribution (status and percent stay empty).
    """

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="reports")
    period_start = models.DateField("填报期")
    role = models.CharField("分工", max_length=10, choices=TaskAssignment.Role.choices)
    state = models.CharField(
        "流转状态", max_length=20, choices=ReportState.choices, default=ReportState.DRAFT
    )
    progress_status = models.CharField(
        "推进状态", max_length=20, choices=ProgressStatus.choices, blank=True
    )
    percent = models.PositiveSmallIntegerField(
        "完成百分比", null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    work_done = models.TextField("本期工作进展", blank=True)
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下一步计划", blank=True)
    # Optimistic lock: every save through the services bumps it; a stale form is refused.
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="填报人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    first_submitted_at = models.DateTimeField("首次报送时间", null=True, blank=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="报送人",
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="签批人",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_comment = models.TextField("审核意见", blank=True)
    times_returned = models.PositiveSmallIntegerField("退回次数", default=0)
    history = HistoricalRecords()

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["-period_start", "task__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "department", "period_start"],
                name="report_one_per_task_department_period",
            ),
            models.CheckConstraint(
                condition=models.Q(percent__isnull=True) | models.Q(percent__lte=100),
                name="report_percent_at_most_100",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "period_start"], name="report_dept_period"),
            models.Index(fields=["state", "submitted_at"], name="report_state_submitted"),
            # The review queue filtered by plan counts a plan's submitted reports: this reads
            # only those (an index of the backlog), not every report of the plan's tasks.
            models.Index(
                fields=["task"],
                condition=models.Q(state="submitted"),
                name="report_submitted_task",
            ),
        ]
        permissions = [
            ("submit_report", "可填报本部门进展"),
            ("signoff_report", "可签批本部门进展"),
            ("review_report", "可审核进展报告"),
            ("view_all_reports", "可查看全部单位进展"),
            ("close_period", "可关闭或重开填报期"),
        ]

    def __str__(self):
        return f"{self.task.number}号任务 {self.department} {chinese_month(self.period_start)}"

    @property
    def is_lead_report(self):
        return self.role == TaskAssignment.Role.LEAD

    @property
    def is_editable_state(self):
        return self.state in EDITABLE_STATES

    @property
    def state_badge(self):
        return STATE_BADGE.get(self.state, "")

    @property
    def status_light(self):
        return STATUS_LIGHT.get(self.progress_status, "light--grey")


class TargetValue(models.Model):
    """The actual value a lead department reports for one of the task's targets."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="target_values")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="values")
    actual_value = models.DecimalField("实际值", max_digits=12, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "目标实际值"
        verbose_name_plural = "目标实际值"
        constraints = [
            models.UniqueConstraint(fields=["report", "target"], name="targetvalue_one_per_report")
        ]

    def __str__(self):
        return f"{self.target}: {self.actual_value}"


def evidence_upload_to(instance, filename):
    # Server-chosen, non-guessable name; the original name is kept only in the database.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}.{extension}"


class Evidence(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("文件", upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    # Types a browser shows by itself; uploads of them are verified by magic bytes and
    # scanned for markup (reports/evidence_check.py), so they may open inline.
    INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})

    @property
    def opens_inline(self):
        return self.content_type in self.INLINE_TYPES


class ReportEvent(models.Model):
    """One workflow transition of a report: who did what, when, with which comment.

    `snapshot` holds the report's content at submission so two submissions can be compared.
    """

    class Action(models.TextChoices):
        CREATED = "created", "创建草稿"
        EDITED = "edited", "修改"
        SENT_FOR_SIGNOFF = "sent_for_signoff", "提交负责人签批"
        SIGNED_OFF = "signed_off", "负责人签批"
        SIGNOFF_RETURNED = "signoff_returned", "负责人退回修改"
        WITHDRAWN = "withdrawn", "撤回"
        SUBMITTED = "submitted", "报送"
        ACCEPTED = "accepted", "审核通过"
        RETURNED = "returned", "退回修改"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    at = models.DateTimeField("时间")
    comment = models.TextField("意见", blank=True)
    snapshot = models.JSONField("内容快照", null=True, blank=True)

    class Meta:
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["report", "at"], name="event_report_at")]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class PeriodLockQuerySet(models.QuerySet):
    def closed(self):
        """Locks that hold: a reopened period keeps its row with is_closed False."""
        return self.filter(is_closed=True)


class PeriodLock(models.Model):
    """A reporting period a supervisor has closed; its reports are locked for everyone."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="period_locks")
    period_start = models.DateField("填报期")
    is_closed = models.BooleanField("已关闭", default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    changed_at = models.DateTimeField("操作时间")
    history = HistoricalRecords()  # every close and reopen is kept

    objects = PeriodLockQuerySet.as_manager()

    class Meta:
        verbose_name = "填报期关闭记录"
        verbose_name_plural = "填报期关闭记录"
        constraints = [
            models.UniqueConstraint(fields=["plan", "period_start"], name="periodlock_unique")
        ]

    def __str__(self):
        state = "已关闭" if self.is_closed else "已重开"
        return f"{self.plan} {chinese_month(self.period_start)} {state}"


class ReportSummary(models.Model):
    """A narrow projection of a report for dashboards and scorecards.

    Kept up to date in the same transaction as every change to its report
    (`reports.summary.sync_report_summary`), so read pages never scan report text.
    """

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="summary")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    due_date = models.DateField()
    is_lead = models.BooleanField()
    state = models.CharField(max_length=20, choices=ReportState.choices)
    progress_status = models.CharField(max_length=20, choices=ProgressStatus.choices, blank=True)
    percent = models.PositiveSmallIntegerField(null=True)
    first_submitted_at = models.DateTimeField(null=True)
    submitted_at = models.DateTimeField(null=True)
    accepted_at = models.DateTimeField(null=True)
    times_returned = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "进展汇总"
        verbose_name_plural = "进展汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["task", "department", "period_start"], name="summary_unique"
            )
        ]
        indexes = [
            models.Index(fields=["plan", "period_start"], name="summary_plan_period"),
            models.Index(fields=["department", "period_start"], name="summary_dept_period"),
            # Each task's standing and the scorecard's completion read only accepted lead
            # rows (about 7% of a plan's): EXPLAIN ANALYZE 48 → 24 ms and 35 → 3 ms on a
            # 100,000-report plan (supervision.facts).
            models.Index(
                fields=["plan", "task", "period_start"],
                condition=models.Q(is_lead=True, accepted_at__isnull=False),
                name="summary_lead_accepted",
            ),
        ]
        permissions = [("view_dashboard", "可查看督查看板与部门评分")]

    def __str__(self):
        return f"summary of report {self.report_id}"

    @property
    def status_light(self):
        return STATUS_LIGHT.get(self.progress_status, "light--grey")
