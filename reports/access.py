"""The one place that decides who may read or change a report or see a task.

Outsiders get 404 (a report's existence does not leak); users who may read but not change
get 403. Every view, export and download goes through these helpers.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from reports.models import Evidence, Report
from tasks.models import Task, TaskAssignment


def get_report_for_user(user, pk, *, for_edit=False):
    """The report `pk` if `user` may see it; with for_edit, also that they may change it."""
    report = get_object_or_404(
        Report.objects.visible_to(user).select_related(
            "task__plan",
            "department",
            "created_by",
            "submitted_by",
            "signed_off_by",
            "reviewed_by",
        ),
        pk=pk,
    )
    if for_edit and not (
        user.is_department_staff
        and user.department_id == report.department_id
        and user.has_perm("reports.change_report")
    ):
        raise PermissionDenied("只能修改本部门的报告。")
    return report


def visible_assignments(user, task) -> list:
    """The task's assignments whose reporting record `user` sees: all of them
    (sees_every_unit_of_task), else the user's own unit's."""
    assignments = list(task.assignments.all())
    if sees_every_unit_of_task(user, task):
        return assignments
    return [a for a in assignments if a.department_id == user.department_id]


def sees_every_unit_of_task(user, task):
    """Whether `user` sees every responsible unit's reporting record on `task` (supervisors,
    leaders, admins and the lead unit); a supporting unit sees only its own.

    `task` should have its assignments prefetched (Task.objects.with_units()).
    """
    if user.sees_all_departments:
        return True
    return user.department_id is not None and (
        task.role_of(user.department_id) == TaskAssignment.Role.LEAD
    )


def get_task_for_user(user, pk, *, with_details=False):
    """A task the user may open (404 otherwise). `with_details` also prefetches its units,
    key areas and targets, for the task page and its print view."""
    tasks = Task.objects.visible_to(user).select_related("plan")
    if with_details:
        tasks = tasks.with_units().prefetch_related("key_areas", "targets")
    return get_object_or_404(tasks, pk=pk)


def get_evidence_for_user(user, pk, *, for_edit=False):
    """An evidence file whose report the user may see (or change, with for_edit)."""
    evidence = get_object_or_404(Evidence.objects.select_related("report"), pk=pk)
    try:
        get_report_for_user(user, evidence.report_id, for_edit=for_edit)
    except Http404:
        raise Http404("没有找到该文件。") from None
    return evidence
