import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from departments.models import Department
from huancui_vet.text import plain_number


class Plan(models.Model):
    """An implementation plan (实施方案) whose attachment lists the tasks to supervise."""

    class ReportingCycle(models.TextChoices):
        MONTHLY = "monthly", "按月"
        QUARTERLY = "quarterly", "按季度"

    title = models.CharField("方案名称", max_length=200, unique=True)
    short_title = models.CharField("简称", max_length=60, blank=True)
    issuer = models.CharField("发文机关", max_length=100, blank=True)
    document_date = models.DateField("印发日期", null=True, blank=True)
    start_year = models.PositiveSmallIntegerField("起始年度")
    end_year = models.PositiveSmallIntegerField("截止年度")
    is_public = models.BooleanField("公开发布", default=False)
    source_text = models.TextField("方案原文", blank=True)
    reporting_cycle = models.CharField(
        "填报周期", max_length=20, choices=ReportingCycle.choices, default=ReportingCycle.MONTHLY
    )
    reporting_starts_on = models.DateField(
        "首个填报期",
        null=True,
        blank=True,
        help_text="留空则从印发日期所在月份（或起始年度1月）开始。",
    )
    due_days_after_period = models.PositiveSmallIntegerField(
        "报送期限（期末后天数）",
        default=5,
        validators=[MaxValueValidator(60)],
        help_text="例如 5 表示每期结束后第 5 天内报送。",
    )
    requires_head_signoff = models.BooleanField("需部门负责人签批", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    # Settings changes (cycle, due rule, sign-off) change past figures: keep every version.
    # The source text is large and only ever re-imported, so it stays out of the history.
    history = HistoricalRecords(excluded_fields=["source_text"])

    class Meta:
        verbose_name = "实施方案"
        verbose_name_plural = "实施方案"
        # import/export gate the admin's spreadsheet buttons (IMPORT_EXPORT_*_PERMISSION_CODE).
        default_permissions = ("add", "change", "delete", "view", "import", "export")
        ordering = ["-document_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="plan_end_year_not_before_start",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def display_title(self):
        return self.short_title or self.title

    @property
    def first_period_start(self):
        if self.reporting_starts_on:
            return self.reporting_starts_on.replace(day=1)
        if self.document_date:
            return self.document_date.replace(day=1)
        return datetime.date(self.start_year, 1, 1)

    @property
    def last_day(self):
        return datetime.date(self.end_year, 12, 31)


class KeyArea(models.Model):
    """A numbered section of the plan's body: a 重点任务 or a 工作保障 item, verbatim."""

    class Section(models.TextChoices):
        KEY_TASK = "key_task", "重点任务"
        SAFEGUARD = "safeguard", "工作保障"

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="key_areas", verbose_name="实施方案"
    )
    section = models.CharField("部分", max_length=20, choices=Section.choices)
    number = models.PositiveSmallIntegerField("序号")
    label = models.CharField("编号", max_length=10, help_text="原文编号，如“（三）”。")
    title = models.CharField("标题", max_length=200)
    text = models.TextField("原文")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "重点领域"
        verbose_name_plural = "重点领域"
        ordering = ["plan", "section", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "section", "number"], name="keyarea_unique_number_per_section"
            )
        ]

    def __str__(self):
        return f"{self.get_section_display()}{self.label}{self.title}"


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Tasks the user may open: every task for users who see every department
        (User.sees_all_departments), else the tasks their department leads or supports."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_all_departments:
            return self.all()
        if user.department_id is None:
            return self.none()
        return self.filter(assignments__department_id=user.department_id)

    def with_units(self):
        """Prefetch ordered assignments with their departments (two queries in all)."""
        return self.prefetch_related(
            models.Prefetch(
                "assignments",
                queryset=TaskAssignment.objects.select_related("department").order_by(
                    "role", "position"
                ),
            )
        )


class Task(models.Model):
    """A row of the plan's attachment: 序号, 任务内容, 牵头单位, 责任单位."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name="实施方案"
    )
    number = models.PositiveIntegerField("序号")
    content = models.TextField("任务内容")
    lead_note = models.CharField(
        "牵头单位附注", max_length=100, blank=True, help_text="原文中的开放表述，如“等”。"
    )
    support_note = models.CharField(
        "责任单位附注",
        max_length=100,
        blank=True,
        help_text="原文中的开放表述，如“等”“及有关行业主管部门”。",
    )
    key_areas = models.ManyToManyField(
        KeyArea, verbose_name="对应重点领域", blank=True, related_name="tasks"
    )
    deadline = models.DateField("完成时限", null=True, blank=True)
    deadline_text = models.CharField(
        "完成时限原文",
        max_length=100,
        blank=True,
        help_text="附件中的写法，如“2021年底前”“长期坚持”；导出时原样写回。",
    )
    remark = models.TextField("备注", blank=True)
    history = HistoricalRecords()

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        default_permissions = ("add", "change", "delete", "view", "import", "export")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="task_unique_number_per_plan")
        ]

    def __str__(self):
        return f"{self.number}. {self.content[:30]}"

    # The helpers below read the prefetched `assignments` (see TaskQuerySet.with_units)
    # so that lists never run one query per task.
    def _assignments(self, role):
        return [a for a in self.assignments.all() if a.role == role]

    @property
    def lead_departments(self):
        return [a.department for a in self._assignments(TaskAssignment.Role.LEAD)]

    @property
    def supporting_departments(self):
        return [a.department for a in self._assignments(TaskAssignment.Role.SUPPORT)]

    @property
    def principal_lead(self):
        leads = self.lead_departments
        return leads[0] if leads else None

    @property
    def lead_units_text(self):
        return "、".join(d.name for d in self.lead_departments) + self.lead_note

    @property
    def supporting_units_text(self):
        return "、".join(d.name for d in self.supporting_departments) + self.support_note

    def role_of(self, department):
        for a in self.assignments.all():
            if a.department_id == getattr(department, "pk", department):
                return a.role
        return None


class TaskAssignment(models.Model):
    """A department's place on a task: lead (牵头) or supporting (责任), in the plan's order."""

    class Role(models.TextChoices):
        LEAD = "lead", "牵头"
        SUPPORT = "support", "责任"

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="assignments", verbose_name="任务"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="assignments", verbose_name="单位"
    )
    role = models.CharField("角色", max_length=10, choices=Role.choices)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    written_as = models.CharField(
        "原文写法",
        max_length=100,
        blank=True,
        help_text="附件中的写法与单位名称不同时填写（如“税务局”），导出时原样写回。",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "任务分工"
        verbose_name_plural = "任务分工"
        ordering = ["task", "role", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "department"], name="assignment_unique_department_per_task"
            )
        ]
        indexes = [models.Index(fields=["department", "task"], name="assignment_dept_task")]

    def __str__(self):
        return f"{self.task_id}:{self.department}({self.get_role_display()})"

    @property
    def unit_text(self):
        """The unit as the attachment writes it (export uses this to reproduce the table)."""
        return self.written_as or self.department.name


class DepartmentAlias(models.Model):
    """Another spelling of a department's name that plan attachments use (税务局 = 区税务局).

    Data, not code: the importer resolves names through Department.name and these aliases.
    """

    alias = models.CharField("别称", max_length=100, unique=True)
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="aliases", verbose_name="单位"
    )

    class Meta:
        verbose_name = "单位别称"
        verbose_name_plural = "单位别称"
        ordering = ["department", "alias"]

    def __str__(self):
        return f"{self.alias} → {self.department}"


def is_yes_no(target_value) -> bool:
    """Whether a target is done or not rather than a number to reach: the plan gives it no
    number (milestones, policies; the form asks for 1 or 0 and Target.is_met_by counts 1 as
    done). Its actual value is 1 (是) or 0 (否), nothing else. A target with a number is
    reached by counting, whatever its kind."""
    return target_value is None


def actual_text(actual, *, yes_no, unit="") -> str:
    """The one display rule of a target's actual value: a yes/no target's 1/0 reads 是/否
    (no unit: "是个" reads wrong), any other value its plain number and unit (what is stored
    is unchanged)."""
    text = plain_number(actual)  # also reads a snapshot's "1.00"
    if yes_no and text in ("0", "1"):
        return "是" if text == "1" else "否"
    return f"{text}{unit}"


class Target(models.Model):
    """A dated target the plan states for a task (e.g. 2022: 50% “双师型” teachers)."""

    class Kind(models.TextChoices):
        COUNT = "count", "数量"
        PERCENTAGE = "percentage", "比例"
        MILESTONE = "milestone", "节点目标（是/否）"
        RECURRING = "recurring", "每年持续"
        POLICY = "policy", "政策落实"

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="targets", verbose_name="任务"
    )
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    indicator = models.CharField("指标", max_length=200)
    target_value = models.DecimalField(
        "目标值", max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField("单位", max_length=20, blank=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    source_sentence = models.TextField("原文依据")
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "目标"
        verbose_name_plural = "目标"
        default_permissions = ("add", "change", "delete", "view", "import", "export")
        ordering = ["task", "year", "sort_order", "id"]

    def __str__(self):
        return f"{self.year}年 {self.indicator}"

    @property
    def due_date(self):
        return datetime.date(self.year, 12, 31)

    @property
    def display_value(self):
        """The target as written in the plan: "50%", "1个" ("" when there is no number)."""
        if self.target_value is None:
            return ""
        return f"{plain_number(self.target_value)}{self.unit}"

    @property
    def is_yes_no(self):
        """Done or not (is_yes_no above): its actual value is 1 (是) or 0 (否), nothing else."""
        return is_yes_no(self.target_value)

    def display_actual(self, actual):
        """An actual value as shown on every page: 是/否 for a yes/no target, else the number."""
        return actual_text(actual, yes_no=self.is_yes_no, unit=self.unit)

    def is_met_by(self, actual):
        """Whether an actual value meets this target (milestones: 1 = done)."""
        if actual is None:
            return False
        if self.is_yes_no:
            return actual >= 1
        return actual >= self.target_value


class OpenEndedPhrase(models.Model):
    """Wording in a unit cell that names no unit ("各地有关部门", "各镇街").

    Data an administrator extends: the importer keeps these as the task's note and never
    turns them into departments.
    """

    text = models.CharField("表述", max_length=50, unique=True)

    class Meta:
        verbose_name = "开放表述（不作为单位）"
        verbose_name_plural = "开放表述（不作为单位）"
        ordering = ["text"]

    def __str__(self):
        return self.text


class PlanAmendment(models.Model):
    """A 方案调整: a revised attachment applied to an existing plan, as one recorded change."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="amendments", verbose_name="实施方案"
    )
    document_number = models.CharField("调整文号", max_length=100)
    effective_date = models.DateField("生效日期")
    source_name = models.CharField("附件文件名", max_length=200, blank=True)
    changes = models.JSONField("调整内容", default=list, help_text="每项变更一句话。")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "方案调整"
        verbose_name_plural = "方案调整"
        ordering = ["plan", "-effective_date", "-created_at"]

    def __str__(self):
        return f"{self.plan.display_title}：{self.document_number}"

    @property
    def change_reason(self):
        """What the history rows written by this amendment say."""
        return f"方案调整（{self.document_number}）"
