"""本单位账号: a unit head adds, deactivates, re-activates, resets and re-roles the unit's
accounts. Every lookup goes through `people.get_unit_user_for_manager` (404 for anyone else's
account); every write through a `people` service (audited)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from departments import people
from departments.forms import UnitRoleForm, UnitUserForm
from departments.models import Role

MANAGE = people.MANAGE_PERMISSION


def _error_text(exc):
    return "；".join(exc.messages)


@require_safe
@permission_required(MANAGE, raise_exception=True)
def people_list(request):
    users = list(people.unit_users_for(request.user))
    return render(
        request,
        "departments/people_list.html",
        {"unit_users": users, "role_form": UnitRoleForm(), "roles": people.UNIT_ROLES},
    )


@permission_required(MANAGE, raise_exception=True)
def people_add(request):
    form = UnitUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = people.unit_user_add(
                manager=request.user,
                username=form.cleaned_data["username"],
                full_name=form.cleaned_data["full_name"],
                email=form.cleaned_data["email"],
                role=Role(form.cleaned_data["role"]),
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            return render(
                request,
                "departments/people_password.html",
                {"target": created.user, "password": created.initial_password, "is_new": True},
            )
    return render(request, "departments/people_add.html", {"form": form})


def _set_active(request, pk, *, active):
    target = people.get_unit_user_for_manager(request.user, pk)
    try:
        people.unit_user_set_active(
            manager=request.user, user=target, active=active, request=request
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        verb = "启用" if active else "停用"
        messages.success(request, f"已{verb}账号 {target.username}。")
    return redirect("people_list")


@require_POST
@permission_required(MANAGE, raise_exception=True)
def people_deactivate(request, pk):
    return _set_active(request, pk, active=False)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def people_activate(request, pk):
    return _set_active(request, pk, active=True)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def people_reset_password(request, pk):
    target = people.get_unit_user_for_manager(request.user, pk)
    try:
        password = people.unit_user_reset_password(
            manager=request.user, user=target, request=request
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("people_list")
    return render(
        request,
        "departments/people_password.html",
        {"target": target, "password": password, "is_new": False},
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def people_change_role(request, pk):
    target = people.get_unit_user_for_manager(request.user, pk)
    form = UnitRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择部门填报员或部门负责人。")
        return redirect("people_list")
    role = Role(form.cleaned_data["role"])
    try:
        people.unit_user_change_role(manager=request.user, user=target, role=role, request=request)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"已将 {target.username} 的角色改为{role.label}。")
    return redirect("people_list")
