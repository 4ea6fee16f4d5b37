"""A unit head managing the unit's own accounts: add, deactivate/activate, reset a password,
change the role between 部门填报员 and 部门负责人.

`unit_users_for(manager)` is the one home of "whose account may this head touch": users of
the head's own department whose role is a department role (or none yet). Supervisors,
leaders and administrators who happen to belong to the unit are never in it, nor is any
other unit's user; `get_unit_user_for_manager` answers 404 for them (existence does not leak).
Every write is audited in the SecurityEvent trail.
"""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404

from departments.audit import security_event_record
from departments.models import Role, SecurityEvent, User
from departments.services import ImportedUser, generate_initial_password

MANAGE_PERMISSION = "departments.manage_unit_users"
# The roles a unit head may give; everything else is the administrator's job.
UNIT_ROLES = (Role.REPORTER, Role.HEAD)
_OTHER_ROLE_LABELS = [r.label for r in Role if r not in UNIT_ROLES]


def can_manage_unit(manager):
    """Who may manage a unit's accounts: a holder of the permission who belongs to a unit."""
    return manager.has_perm(MANAGE_PERMISSION) and manager.department_id is not None


def unit_users_for(manager):
    """Accounts `manager` may manage: own department, department roles only, no staff."""
    if not can_manage_unit(manager):
        return User.objects.none()
    return (
        User.objects.filter(department_id=manager.department_id, is_superuser=False, is_staff=False)
        .exclude(groups__name__in=_OTHER_ROLE_LABELS)
        .prefetch_related("groups")
        .order_by("-is_active", "username")
    )


def get_unit_user_for_manager(manager, pk):
    return get_object_or_404(unit_users_for(manager), pk=pk)


def _check_manager(manager):
    if not can_manage_unit(manager):
        raise PermissionDenied("只有单位负责人可以管理本单位账号。")


def _check_not_self(manager, user, action):
    if user.pk == manager.pk:
        raise ValidationError(f"不能{action}自己的账号。")


def _role_group(role):
    if role not in UNIT_ROLES:
        raise ValidationError("只能设为部门填报员或部门负责人。")
    return Group.objects.get(name=role.label)


@transaction.atomic
def unit_user_add(*, manager, username, full_name, email, role, request=None) -> ImportedUser:
    """Create an account in the manager's unit with a one-time initial password."""
    _check_manager(manager)
    group = _role_group(role)
    password = generate_initial_password()
    user = User(
        username=username, full_name=full_name, email=email, department_id=manager.department_id
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.set([group])
    security_event_record(
        kind=SecurityEvent.Kind.USER_ADDED,
        request=request,
        user=manager,
        detail=f"新增账号 {user.username}（{role.label}）",
    )
    return ImportedUser(user=user, initial_password=password)


@transaction.atomic
def unit_user_set_active(*, manager, user, active, request=None):
    """Deactivate (the user's next request goes to the login page) or re-activate."""
    _check_manager(manager)
    if not active:
        _check_not_self(manager, user, "停用")
    user.is_active = active
    user.save(update_fields=["is_active"])
    kind = SecurityEvent.Kind.USER_ACTIVATED if active else SecurityEvent.Kind.USER_DEACTIVATED
    security_event_record(kind=kind, request=request, user=manager, detail=f"账号 {user.username}")
    return user


@transaction.atomic
def unit_user_reset_password(*, manager, user, request=None) -> str:
    """Give the user a new random password (shown once); their open sessions end."""
    _check_manager(manager)
    _check_not_self(manager, user, "在此重置")
    password = generate_initial_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    security_event_record(
        kind=SecurityEvent.Kind.PASSWORD_RESET_BY_HEAD,
        request=request,
        user=manager,
        detail=f"重置账号 {user.username} 的密码",
    )
    return password


@transaction.atomic
def unit_user_change_role(*, manager, user, role, request=None):
    """Switch the user between the unit roles."""
    _check_manager(manager)
    _check_not_self(manager, user, "变更")
    group = _role_group(role)
    before = user.role_label
    user.groups.set([group])
    security_event_record(
        kind=SecurityEvent.Kind.ROLE_CHANGED,
        request=request,
        user=manager,
        detail=f"账号 {user.username}：{before} → {role.label}",
    )
    return user
