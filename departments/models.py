from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from simple_history.models import HistoricalRecords


class DepartmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class DepartmentManager(models.Manager.from_queryset(DepartmentQuerySet)):  # type: ignore[misc]  # django-stubs cannot follow from_queryset in a base list
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Department(models.Model):
    """An accountable unit, named exactly as the plan's attachment writes it."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", "政府部门"
        PARTY = "party", "党委部门"
        PEOPLES_ORG = "peoples_org", "人民团体"
        SCHOOL = "school", "学校"
        OTHER = "other", "其他"

    name = models.CharField("单位名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=40, blank=True)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices, default=Kind.GOVERNMENT)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    objects = DepartmentManager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["sort_order", "name"]
        default_permissions = ("add", "change", "delete", "view", "import", "export")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)

    @property
    def display_name(self):
        return self.short_name or self.name


class Role(models.TextChoices):
    """Portal roles. Each is a Django group (named by its Chinese label) created by a migration."""

    REPORTER = "reporter", "部门填报员"
    HEAD = "head", "部门负责人"
    SUPERVISOR = "supervisor", "督查员"
    LEADER = "leader", "领导"
    ADMINISTRATOR = "administrator", "系统管理员"

    @classmethod
    def from_group_name(cls, group_name):
        for role in cls:
            if role.label == group_name:
                return role
        return None


class RoleHistory(HistoricalRecords):
    """History of a user's department and roles (groups); a sign-in (which only stamps
    last_login) is not a change worth a version."""

    def post_save(self, instance, created, using=None, **kwargs):
        if kwargs.get("update_fields") == frozenset({"last_login"}):
            return
        super().post_save(instance, created, using=using, **kwargs)


class User(AbstractUser):
    """A portal user. Belongs to one department; the role comes from the user's group."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name="所属单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    phone = models.CharField("联系电话", max_length=30, blank=True)

    objects = UserManager()  # type: ignore[misc]  # the custom manager replaces AbstractUser's
    history = RoleHistory(m2m_fields=["groups"], excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        permissions = [("manage_unit_users", "管理本单位账号")]

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username

    @property
    def role(self):
        """The user's portal role, from group membership (cached per instance).

        Administrators (superusers) rank first; otherwise the broadest role wins.
        """
        if not hasattr(self, "_role_cache"):
            self._role_cache = self._compute_role()
        return self._role_cache

    def _compute_role(self):
        if self.is_superuser:
            return Role.ADMINISTRATOR
        names = {g.name for g in self.groups.all()}
        for role in (Role.ADMINISTRATOR, Role.SUPERVISOR, Role.LEADER, Role.HEAD, Role.REPORTER):
            if role.label in names:
                return role
        return None

    @property
    def role_label(self):
        return self.role.label if self.role else "未分配角色"

    @property
    def sees_all_departments(self):
        """Whether the user reads every department's work: the one home of that rule.

        Built on the permission (held by the supervisor, leader and administrator groups,
        departments/roles.py), not on role names, so every visible_to(user) — tasks,
        reports, the supervision facts — agrees with what the groups grant.
        """
        return self.is_active and self.has_perm("reports.view_all_reports")

    @property
    def is_department_staff(self):
        return self.role in (Role.REPORTER, Role.HEAD) and self.department_id is not None


class SecurityEvent(models.Model):
    """An append-only audit record of sign-ins, refusals, imports and exports (留痕).

    Written only through `departments.audit.security_event_record`; the admin shows it
    read-only to everyone, so no one can edit or delete the trail from the portal.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", "登录成功"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKED_OUT = "locked_out", "账号锁定"
        LOGOUT = "logout", "退出登录"
        ACCESS_DENIED = "access_denied", "拒绝访问"
        IMPORT = "import", "导入"
        EXPORT = "export", "导出"
        PASSWORD_CHANGE_FAILED = "pw_change_failed", "修改密码时原密码错误"
        THROTTLED = "throttled", "尝试次数过多被限制"
        # A unit head managing the unit's accounts (departments/people.py).
        USER_ADDED = "user_added", "新增本单位账号"
        USER_DEACTIVATED = "user_deactivated", "停用账号"
        USER_ACTIVATED = "user_activated", "启用账号"
        PASSWORD_RESET_BY_HEAD = "pw_reset_by_head", "负责人重置密码"
        ROLE_CHANGED = "role_changed", "变更角色"
        # Self-service reset by e-mail (departments/views.py).
        PASSWORD_RESET_REQUESTED = "pw_reset_request", "申请邮件重置密码"
        PASSWORD_RESET_MAILED = "pw_reset_mailed", "发送重置密码邮件"
        PASSWORD_RESET_DONE = "pw_reset_done", "通过邮件重置密码"

    at = models.DateTimeField("时间", db_index=True)
    kind = models.CharField("事件", max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        User,
        verbose_name="用户",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    path = models.CharField("请求路径", max_length=300, blank=True)
    detail = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "安全审计记录"
        verbose_name_plural = "安全审计记录"
        ordering = ["-at", "-id"]
        default_permissions = ("view",)
        # The throttles count recent failures per IP and per user (departments/throttle.py).
        indexes = [
            models.Index(fields=["ip_address", "kind", "at"], name="securityevent_ip_kind_at"),
            models.Index(fields=["user", "kind", "at"], name="securityevent_user_kind_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"
