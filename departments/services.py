"""Writes on users: importing real accounts from an xlsx list.

The import is all-or-nothing: every row is validated first; if any row is wrong nothing is
written and the caller gets every error (row number, column, reason in Chinese).
New users get a random initial password that is returned once (printed by the command,
shown once in the admin) and never stored in clear; they change it after signing in.
"""

import io
import secrets
import string
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook

from departments.audit import security_event_record
from departments.directory import UnitDirectory
from departments.models import Department, Role, SecurityEvent, User
from huancui_vet.xlsx import (
    FORMULA_REFUSED,
    Formula,
    RowError,
    RowErrors,
    SpreadsheetError,
    cell_text,
    open_uploaded_xlsx,
    read_rows,
    set_text,
)

USER_IMPORT_COLUMNS = ("姓名", "用户名", "单位", "角色")
USER_IMPORT_MAX_ROWS = 1000
# Roles whose users must belong to a department (they report for it).
DEPARTMENT_ROLES = (Role.REPORTER, Role.HEAD)
# No look-alike characters (0/O, 1/l/I) in passwords read aloud over the phone.
_PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


@dataclass(frozen=True)
class ImportedUser:
    user: User
    initial_password: str


class UserImportError(RowErrors):
    """The user list has errors; `.errors` is a list of RowError, nothing was written."""


def generate_initial_password(length=12):
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def user_list_template():
    """An empty user list (xlsx bytes) with a second sheet listing valid units and roles."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "用户名单"
    sheet.append(list(USER_IMPORT_COLUMNS))
    for letter, width in zip("ABCD", (12, 16, 30, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    help_sheet = workbook.create_sheet("可填写的单位和角色")
    help_sheet.append(["单位", "角色"])
    names = list(Department.objects.active().values_list("name", flat=True))
    roles = [r.label for r in Role]
    for index in range(max(len(names), len(roles))):
        row = help_sheet.max_row + 1
        if index < len(names):
            set_text(help_sheet.cell(row=row, column=1), names[index])
        if index < len(roles):
            help_sheet.cell(row=row, column=2, value=roles[index])
    help_sheet.column_dimensions["A"].width = 30
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_user_list(uploaded_file):
    """Parse an uploaded xlsx into [(row_number, {column: text})]. Raises UserImportError."""
    try:
        workbook = open_uploaded_xlsx(uploaded_file)
    except SpreadsheetError as exc:
        raise UserImportError([RowError(0, "文件", exc.message)]) from exc
    try:
        rows = read_rows(workbook.worksheets[0], max_rows=USER_IMPORT_MAX_ROWS)
    except SpreadsheetError as exc:
        raise UserImportError([RowError(0, "文件", exc.message)]) from exc
    finally:
        workbook.close()
    if not rows:
        raise UserImportError([RowError(1, "表头", "文件是空的。")])
    header_row, header = rows[0]
    names = [cell_text(v) for v in header]
    missing = [c for c in USER_IMPORT_COLUMNS if c not in names]
    if missing:
        raise UserImportError(
            [
                RowError(header_row, c, "缺少该列（表头须为：姓名、用户名、单位、角色）。")
                for c in missing
            ]
        )
    index = {c: names.index(c) for c in USER_IMPORT_COLUMNS}
    return [
        (
            row_number,
            {c: cell_text(values[i]) if i < len(values) else "" for c, i in index.items()},
        )
        for row_number, values in rows[1:]
    ]


@dataclass
class _Lookups:
    """What every row of a user import is checked against (loaded once, five queries)."""

    directory: UnitDirectory
    short_names: dict
    groups: dict
    taken: set

    @classmethod
    def load(cls, rows):
        # Names resolve like everywhere else (name or DepartmentAlias, whitespace ignored),
        # plus the department's short name (人社局).
        usernames = [values["用户名"] for _, values in rows if values["用户名"]]
        return cls(
            directory=UnitDirectory.load(),
            short_names={d.short_name: d for d in Department.objects.exclude(short_name="")},
            groups={g.name: g for g in Group.objects.filter(name__in=[r.label for r in Role])},
            taken=set(
                User.objects.filter(username__in=usernames).values_list("username", flat=True)
            ),
        )


def _check_username(row_number, username, lookups, seen):
    if not username:
        return [RowError(row_number, "用户名", "用户名不能为空。")]
    if username in lookups.taken:
        return [RowError(row_number, "用户名", f"用户名“{username}”已存在。")]
    if username in seen:
        message = f"用户名“{username}”与第 {seen[username]} 行重复。"
        return [RowError(row_number, "用户名", message)]
    seen[username] = row_number
    return []


def _role_and_department(row_number, values, lookups):
    """(role, department, errors) of one row."""
    errors = []
    role_label, dept_name = values["角色"], values["单位"]
    role = Role.from_group_name(role_label)
    if role is None or role.label not in lookups.groups:
        valid = "、".join(r.label for r in Role)
        errors.append(RowError(row_number, "角色", f"角色“{role_label}”不存在，应为：{valid}。"))
    department = None
    if dept_name:
        department = lookups.directory.get(dept_name) or lookups.short_names.get(dept_name)
        if department is None:
            errors.append(RowError(row_number, "单位", f"单位“{dept_name}”不存在。"))
    elif role in DEPARTMENT_ROLES:
        errors.append(RowError(row_number, "单位", f"{role.label}必须填写所属单位。"))
    return role, department, errors


def _planned_user(row_number, values, lookups, seen):
    """(unsaved User with its group, []) for a valid row, else (None, [RowError])."""
    formulas = [
        RowError(row_number, column, FORMULA_REFUSED)
        for column, value in values.items()
        if isinstance(value, Formula)
    ]
    if formulas:
        return None, formulas
    errors = [] if values["姓名"] else [RowError(row_number, "姓名", "姓名不能为空。")]
    errors += _check_username(row_number, values["用户名"], lookups, seen)
    role, department, more = _role_and_department(row_number, values, lookups)
    errors += more
    if errors:
        return None, errors
    user = User(
        username=values["用户名"],
        full_name=values["姓名"],
        department=department,
        is_staff=role == Role.ADMINISTRATOR,
    )
    try:
        user.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            column = {"username": "用户名", "full_name": "姓名"}.get(field, field)
            errors.extend(RowError(row_number, column, m) for m in messages)
    return (user, lookups.groups.get(role.label)), errors


def _create_users(planned):
    imported = []
    with transaction.atomic():
        for user, group in planned:
            password = generate_initial_password()
            user.set_password(password)
            user.save()
            user.groups.set([group])
            imported.append(ImportedUser(user=user, initial_password=password))
    return imported


def users_import(*, actor, rows) -> list[ImportedUser]:
    """Create users from parsed rows, all or nothing. Returns [ImportedUser].

    Runs five queries to validate (departments, aliases, short names, groups, existing
    usernames), then a few inserts per user.
    """
    lookups = _Lookups.load(rows)
    errors: list[RowError] = []
    planned: list[tuple] = []
    seen: dict[str, int] = {}
    for row_number, values in rows:
        plan, row_errors = _planned_user(row_number, values, lookups, seen)
        errors.extend(row_errors)
        if plan is not None:
            planned.append(plan)
    if errors:
        raise UserImportError(errors)
    if not planned:
        raise UserImportError([RowError(2, "文件", "没有可导入的用户行。")])
    imported = _create_users(planned)
    security_event_record(
        kind=SecurityEvent.Kind.IMPORT,
        user=actor if getattr(actor, "pk", None) else None,
        username="" if getattr(actor, "pk", None) else str(actor or "命令行"),
        detail=f"导入用户 {len(imported)} 个：" + "、".join(i.user.username for i in imported),
    )
    return imported
