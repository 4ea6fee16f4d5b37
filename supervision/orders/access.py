"""The one place deciding who may see or act on an order, a verification or their files.

Units named on an order (主办 or 协办) read it; supervisors, leaders and administrators read
all; anybody else gets 404, so an order's existence does not leak.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from supervision.orders.models import OrderUnit, SupervisionFile, SupervisionOrder, Verification


def get_order_for_user(user, pk, *, as_host=False):
    """The order `pk` if `user` may read it; with as_host, also act for its 主办 unit (403)."""
    order = get_object_or_404(
        SupervisionOrder.objects.visible_to(user)
        .select_related("task__plan", "plan", "issued_by", "report")
        .distinct(),
        pk=pk,
    )
    if as_host and not can_handle(user, order.units.filter(role=OrderUnit.Role.HOST)):
        raise PermissionDenied("只有主办单位的填报人员和负责人可以办理此督办单。")
    return order


def can_handle(user, units):
    """Whether `user` acts for the order's 主办 unit: department staff of that unit with the
    handle_order permission. `units` are the order's OrderUnit rows (or the 主办 ones)."""
    if not (user.is_department_staff and user.has_perm("supervision.handle_order")):
        return False
    return any(
        u.department_id == user.department_id and u.role == OrderUnit.Role.HOST for u in units
    )


def verifications_visible_to(user):
    if not user.is_authenticated:
        return Verification.objects.none()
    if user.sees_all_departments:
        return Verification.objects.all()
    if user.department_id is None:
        return Verification.objects.none()
    return Verification.objects.filter(department_id=user.department_id)


def get_verification_for_user(user, pk):
    return get_object_or_404(
        verifications_visible_to(user).select_related(
            "task__plan", "department", "recorded_by", "report", "order"
        ),
        pk=pk,
    )


def get_file_for_user(user, pk):
    """A file of an order or verification the user may read; 404 otherwise."""
    row = get_object_or_404(SupervisionFile, pk=pk)
    try:
        if row.order_id:
            get_order_for_user(user, row.order_id)
        else:
            get_verification_for_user(user, row.verification_id)
    except Http404:
        raise Http404("没有找到该文件。") from None
    return row
