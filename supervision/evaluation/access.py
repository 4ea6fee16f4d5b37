"""The one place deciding who sees which evaluation and which of its lines.

Supervisors, leaders and administrators see every evaluation and every line. A unit's
reporters and head see nothing of an evaluation until it is published (drafts, adjustments
in progress and live figures stay internal), then only their own unit's line; any other
line, or an unpublished evaluation, is 404 for them.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from supervision.evaluation.models import Evaluation, EvaluationAdjustment, EvaluationStatus


def evaluations_visible_to(user):
    if not user.is_authenticated:
        return Evaluation.objects.none()
    if user.sees_all_departments:
        return Evaluation.objects.all()
    if not user.is_department_staff:
        return Evaluation.objects.none()
    return Evaluation.objects.filter(
        status=EvaluationStatus.PUBLISHED, lines__department_id=user.department_id
    )


def get_evaluation_for_user(user, pk):
    return get_object_or_404(
        evaluations_visible_to(user).select_related("plan", "created_by", "approved_by"), pk=pk
    )


def check_line_visible(user, department_id):
    if not user.sees_all_departments and department_id != user.department_id:
        raise Http404("没有找到该单位的考评结果。")


def get_adjustment_file_for_user(user, pk):
    row = get_object_or_404(EvaluationAdjustment.objects.select_related("evaluation"), pk=pk)
    get_evaluation_for_user(user, row.evaluation_id)
    try:
        check_line_visible(user, row.department_id)
    except Http404:
        raise Http404("没有找到该文件。") from None
    return row


def get_adjustment_for_manager(user, pk):
    """An adjustment of an evaluation `user` sees (managers see every evaluation)."""
    row = get_object_or_404(EvaluationAdjustment.objects.select_related("evaluation"), pk=pk)
    get_evaluation_for_user(user, row.evaluation_id)
    return row


def get_full_result_evaluation_for_user(user, pk):
    """A published evaluation whose whole result (every unit: print view, workbook) `user`
    may take: 403 for units, who only ever see their own line; 404 before publication."""
    if not user.sees_all_departments:
        raise PermissionDenied("只有督查人员和领导可以导出完整考评结果。")
    evaluation = get_evaluation_for_user(user, pk)
    if not evaluation.is_published:
        raise Http404("考评结果尚未发布。")
    return evaluation


def events_visible_to(user, evaluation):
    """The evaluation's timeline (who adjusted, submitted, returned): internal to those who
    see every unit."""
    if not user.sees_all_departments:
        return evaluation.events.none()
    return evaluation.events.select_related("actor")
