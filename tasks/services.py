"""Writes on tasks shared by the admin, the importer, amendments and load_plan.

Plan attachments are imported by tasks/plan_import.py, exported by tasks/plan_export.py and
amended by tasks/amendments.py. Every function is keyword-only and writes in one transaction.
"""

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from tasks.models import Task, TaskAssignment
from tasks.signals import task_changed


def task_set_units(*, task, lead, support, lead_note=None, support_note=None, change_reason=None):
    """Replace a task's lead and supporting units (lists of (Department, written_as)).

    Rewrites the assignments only when they differ, so re-applying the same data is a no-op.
    A unit taken off the task keeps its open reports, which it can then no longer edit or
    submit (reports.services refuses them); a unit moved to supporting loses its task-level
    figures on its next save. `change_reason` is written on every history row (amendments).
    Returns True when something changed.
    """
    wanted = [
        (role, position, dept.pk, written_as)
        for role, units in (
            (TaskAssignment.Role.LEAD, lead),
            (TaskAssignment.Role.SUPPORT, support),
        )
        for position, (dept, written_as) in enumerate(units)
    ]
    current = sorted(
        (a.role, a.position, a.department_id, a.written_as) for a in task.assignments.all()
    )
    departments = {row[2] for row in current} | {row[2] for row in wanted}
    changed = False
    with transaction.atomic():
        if sorted(wanted) != current:
            _delete_assignments(task, change_reason)
            # With history, so the task history page shows the units that replaced the old ones.
            bulk_create_with_history(
                [
                    TaskAssignment(
                        task=task,
                        role=role,
                        position=position,
                        department_id=dept_id,
                        written_as=written_as,
                    )
                    for role, position, dept_id, written_as in wanted
                ],
                TaskAssignment,
                default_change_reason=change_reason,
            )
            changed = True
            getattr(task, "_prefetched_objects_cache", {}).pop("assignments", None)
        notes = {"lead_note": lead_note, "support_note": support_note}
        dirty = [k for k, v in notes.items() if v is not None and getattr(task, k) != v]
        if dirty:
            for k in dirty:
                setattr(task, k, notes[k])
            task._change_reason = change_reason
            task.full_clean()
            task.save()
            changed = True
        if changed:
            task_changed.send(
                sender=Task, task=task, changes="承担单位", department_ids=departments
            )
    return changed


def _delete_assignments(task, change_reason):
    if change_reason is None:
        task.assignments.all().delete()
        return
    for assignment in task.assignments.all():
        assignment._change_reason = change_reason  # read by simple-history on delete
        assignment.delete()
