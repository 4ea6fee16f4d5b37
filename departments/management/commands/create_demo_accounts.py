"""Create (or refresh) one demo account per role, for trying the portal locally.

Idempotent: re-running resets each account's password, group and department, so the printed
lines are always true. The passwords are fixed and public: demo use only. The command
refuses to run with DEBUG off unless --force is given.
"""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from departments.models import Department, Role, User

# Demo-only credential, printed on every run; it passes Django's password validators.
DEMO_PASSWORD = "Huancui-demo-2023"  # noqa: S105

# (username, full name, role, department name or None). The department names are looked
# up in the database: they come from the plan that load_plan imported.
DEMO_ACCOUNTS = [
    ("edu_reporter", "张填报", Role.REPORTER, "区教育体育局"),
    ("edu_head", "李主任", Role.HEAD, "区教育体育局"),
    ("hr_reporter", "王填报", Role.REPORTER, "区人力资源社会保障局"),
    ("hr_head", "孙主任", Role.HEAD, "区人力资源社会保障局"),
    ("drc_reporter", "吴填报", Role.REPORTER, "区发改局"),
    ("edu_supervisor", "陈督查", Role.SUPERVISOR, "区教育体育局"),
    ("supervisor", "周督查", Role.SUPERVISOR, None),
    ("leader", "刘区长", Role.LEADER, None),
    ("admin", "系统管理员", Role.ADMINISTRATOR, None),
]
NO_DEPARTMENT = "（无）"


class Command(BaseCommand):
    help = "创建或重置演示账号（每个角色至少一个），每行输出：用户名 密码 角色 单位。仅供演示。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="在 DEBUG 关闭（生产）时也创建演示账号。",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "当前为生产配置（DEBUG 关闭），拒绝创建密码公开的演示账号；如确需创建请加 --force。"
            )
        departments = self._departments()
        groups = {g.name: g for g in Group.objects.filter(name__in=[r.label for r in Role])}
        missing_groups = [r.label for r in Role if r.label not in groups]
        if missing_groups:
            raise CommandError(
                f"缺少角色用户组：{'、'.join(missing_groups)}。请先运行 python manage.py migrate。"
            )

        lines = []
        with transaction.atomic():
            for username, full_name, role, dept_name in DEMO_ACCOUNTS:
                department = departments[dept_name] if dept_name else None
                user = User.objects.filter(username=username).first() or User(username=username)
                user.full_name = full_name
                user.department = department
                user.is_active = True
                user.is_staff = role == Role.ADMINISTRATOR
                user.is_superuser = False
                validate_password(DEMO_PASSWORD, user)
                user.set_password(DEMO_PASSWORD)
                user.save()
                user.groups.set([groups[role.label]])
                # A demo account locked out by earlier attempts works again after a re-run.
                axes_reset(username=username)
                lines.append(
                    f"{username} {DEMO_PASSWORD} {role.label} "
                    f"{department.name if department else NO_DEPARTMENT}"
                )
        for line in lines:
            self.stdout.write(line)

    def _departments(self):
        wanted = {name for *_, name in DEMO_ACCOUNTS if name}
        found = {d.name: d for d in Department.objects.filter(name__in=wanted)}
        missing = sorted(wanted - found.keys())
        if missing:
            raise CommandError(
                f"未找到单位：{'、'.join(missing)}。"
                "请先运行 python manage.py load_plan 导入实施方案。"
            )
        return found
