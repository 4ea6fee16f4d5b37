"""使用说明: one short page per portal role, reachable from the header.

`/help/` opens the page of the signed-in user's role; every role's page can be read by any
signed-in user (nothing in them is confidential), so a head can see what reporters are told.
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from departments.models import Role


@require_safe
def help_index(request):
    role = request.user.role or Role.REPORTER
    return redirect("help_role", role=role.value)


@require_safe
def help_role(request, role):
    try:
        role = Role(role)
    except ValueError:
        raise Http404("没有这个角色的使用说明。") from None
    return render(
        request,
        f"help/{role.value}.html",
        {"role": role, "roles": list(Role), "is_own_role": request.user.role == role},
    )
