"""Create real users from an xlsx list with the columns 姓名, 用户名, 单位, 角色.

All or nothing: if any row is wrong, every error is printed and nothing is created.
Each new user's random initial password is printed once, here only; hand it over and
ask the user to change it after the first sign-in (修改密码).
"""

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from departments.services import UserImportError, read_user_list, users_import


class Command(BaseCommand):
    help = "从 Excel（列：姓名、用户名、单位、角色）批量创建用户；任一行有误则全部不导入。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="用户名单 .xlsx 文件路径")

    def handle(self, *args, path, **options):
        try:
            with open(path, "rb") as handle:
                rows = read_user_list(File(handle, name=path))
                imported = users_import(actor="import_users command", rows=rows)
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{path}") from exc
        except UserImportError as exc:
            for error in exc.errors:
                where = f"第 {error.row} 行" if error.row else "文件"
                self.stderr.write(f"{where} [{error.column}] {error.reason}")
            raise CommandError(f"导入失败：共 {len(exc.errors)} 处错误，未创建任何用户。") from exc
        self.stdout.write(f"已创建 {len(imported)} 个用户（初始密码只显示这一次）：")
        for item in imported:
            user = item.user
            self.stdout.write(
                f"{user.username} {item.initial_password} {user.role_label} "
                f"{user.department.name if user.department else '（无）'}"
            )
