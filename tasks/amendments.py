"""方案调整: a revised attachment applied to an existing plan as one recorded amendment.

A revised row keeps its task (and so the task's reports) when its wording is the same,
or its 序号 is the same and its wording close, or another task reads almost the same
(renumbered because a task was inserted or removed). `plan_amendment_diff()` says what
would change (tasks added, removed, reworded, renumbered; units added, removed, moved
between lead and support; deadlines, targets, notes) without writing; `plan_amend()`
applies it in one transaction and records a PlanAmendment. Every history row it writes
carries "方案调整（文号）", so the task history page shows the amendment. Units taken off
a task go through task_set_units, exactly as when an administrator re-assigns a task:
their open reports stay and can no longer be submitted. A task or target that already
has reports is never deleted: the amendment is refused.
"""

import difflib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, ProtectedError

from tasks.models import KeyArea, PlanAmendment, Task, TaskAssignment
from tasks.plan_audit import plan_import_audit
from tasks.plan_import import (
    PlanImportError,
    apply_unit_choices,
    build_assignments,
    build_targets,
    build_task,
    unit_choices_errors,
)
from tasks.plan_parse import ParsedTask
from tasks.services import task_set_units
from tasks.signals import task_changed
from tasks.units import compact

_LEAD, _SUPPORT = TaskAssignment.Role.LEAD, TaskAssignment.Role.SUPPORT
# How alike (difflib ratio) a revised row must read to keep an existing task: at its own
# 序号 (reworded), or at another one (renumbered because a task was inserted or removed).
SAME_NUMBER_SIMILARITY = 0.4
MOVED_SIMILARITY = 0.6
RENUMBER_OFFSET = 1_000_000


def _short(text, size=30):
    return text if len(text) <= size else text[:size] + "…"


def _current_tasks(plan):
    return {
        t.number: t for t in plan.tasks.with_units().prefetch_related("targets").order_by("number")
    }


def _unit_key(directory, name):
    dept = directory.get(name)
    return (dept.pk, dept.name) if dept else (None, compact(name))


def _units_diff(task, row, directory):
    old = {a.department_id: (a.role, a.department.name) for a in task.assignments.all()}
    new = {}
    for role, names in ((_LEAD, row.lead.names), (_SUPPORT, row.support.names)):
        for name in names:
            pk, label = _unit_key(directory, name)
            new[pk or label] = (role, label)
    lines = []
    for key, (role, label) in new.items():
        if key not in old:
            lines.append(f"新增{TaskAssignment.Role(role).label}单位：{label}")
        elif old[key][0] != role:
            was, now = TaskAssignment.Role(old[key][0]).label, TaskAssignment.Role(role).label
            lines.append(f"{label} 由{was}单位改为{now}单位")
    for key, (role, label) in old.items():
        if key not in new:
            lines.append(f"删除{TaskAssignment.Role(role).label}单位：{label}")
    return lines


def _target_keys(targets):
    return {(t.year, t.indicator): (t.target_value, t.unit) for t in targets}


def _targets_diff(task, row, default_year):
    old = _target_keys(task.targets.all())
    new = _target_keys(build_targets(task, row, default_year=default_year))
    lines = [f"新增目标：{y}年 {_short(i)}" for (y, i) in new.keys() - old.keys()]
    lines += [f"删除目标：{y}年 {_short(i)}" for (y, i) in old.keys() - new.keys()]
    lines += [
        f"目标值修改：{y}年 {_short(i)}"
        for (y, i) in old.keys() & new.keys()
        if old[(y, i)][0] != new[(y, i)][0] or old[(y, i)][1] != new[(y, i)][1]
    ]
    return sorted(lines)


def _fields_diff(task, row):
    lines = []
    if task.number != row.number:
        lines.append(f"原为任务 {task.number}（序号调整）")
    if task.content != row.content:
        lines.append(f"内容修改：{_short(task.content)} → {_short(row.content)}")
    if (task.deadline, task.deadline_text) != (row.deadline.date, row.deadline.text):
        old = task.deadline_text or task.deadline or "（无）"
        lines.append(f"完成时限：{old} → {row.deadline.text or '（无）'}")
    for label, old, new in (
        ("牵头单位附注", task.lead_note, row.lead.note),
        ("责任单位附注", task.support_note, row.support.note),
        ("备注", task.remark, row.remark),
    ):
        if old != new:
            lines.append(f"{label}：{_short(old) or '（无）'} → {_short(new) or '（无）'}")
    return lines


@dataclass
class TaskDiff:
    number: int
    kind: str  # "added", "removed", "changed"
    lines: list
    row: ParsedTask | None = None  # added/changed
    task: Task | None = None  # current task (removed/changed)

    def sentences(self):
        if self.kind == "added":
            assert self.row is not None  # an added task always has its row
            return [f"新增任务 {self.number}：{_short(self.row.content)}"]
        if self.kind == "removed":
            assert self.task is not None  # a removed task always has its task
            return [f"删除任务 {self.number}：{_short(self.task.content)}"]
        return [f"任务 {self.number} {line}" for line in self.lines]


def _similarity(a, b):
    return difflib.SequenceMatcher(None, a, b).ratio()


def _pair_tasks(current, rows):
    """[(task or None, row or None)]: a revised row keeps its task (and the task's reports)
    when the wording is the same, else when the 序号 is the same and the wording close,
    else when another unmatched task reads almost the same (a task renumbered and reworded).
    """
    unmatched = dict(current)  # number -> task
    by_content = {t.content: t for t in current.values()}
    pairs, rest = [], []
    for row in rows:
        task = by_content.get(row.content)
        if task is not None and unmatched.pop(task.number, None) is not None:
            pairs.append((task, row))
        else:
            rest.append(row)
    leftover = []
    for row in rest:
        task = unmatched.get(row.number)
        if task is not None and _similarity(task.content, row.content) >= SAME_NUMBER_SIMILARITY:
            pairs.append((unmatched.pop(row.number), row))
        else:
            leftover.append(row)
    for row in leftover:
        best = max(
            unmatched.values(), key=lambda t: _similarity(t.content, row.content), default=None
        )
        if best is not None and _similarity(best.content, row.content) >= MOVED_SIMILARITY:
            pairs.append((unmatched.pop(best.number), row))
        else:
            pairs.append((None, row))
    return pairs + [(task, None) for task in unmatched.values()]


def plan_amendment_diff(*, plan, preview):
    """[TaskDiff] between the plan and a preview of its revised attachment (no writes)."""
    directory = preview.directory
    diffs = []
    for task, row in _pair_tasks(_current_tasks(plan), preview.tasks):
        if task is None:
            diffs.append(TaskDiff(row.number, "added", [], row=row))
        elif row is None:
            diffs.append(TaskDiff(task.number, "removed", [], task=task))
        else:
            lines = _fields_diff(task, row) + _units_diff(task, row, directory)
            lines += _targets_diff(task, row, plan.end_year)
            if lines:
                diffs.append(TaskDiff(row.number, "changed", lines, row=row, task=task))
    order = {"removed": 0, "changed": 1, "added": 2}
    return sorted(diffs, key=lambda d: (d.number, order[d.kind]))


def _section_area(plan, preview, row):
    if row.section is None:
        return None
    section = preview.parsed.sections[row.section]
    area = KeyArea.objects.filter(plan=plan, text=section.text).first()
    if area is None:
        number = (plan.key_areas.filter(section=KeyArea.Section.KEY_TASK).count()) + 1
        area = KeyArea.objects.create(
            plan=plan,
            section=KeyArea.Section.KEY_TASK,
            number=number,
            label=section.label[:10],
            title=(section.title or section.text)[:200],
            text=section.text,
        )
    return area


def _add_task(plan, preview, row, reason):
    task = build_task(plan, row)
    task._change_reason = reason
    task.full_clean()
    task.save()
    TaskAssignment.objects.bulk_create(build_assignments(task.pk, row, preview.directory))
    for target in build_targets(task, row, default_year=plan.end_year):
        target._change_reason = reason
        target.save()
    area = _section_area(plan, preview, row)
    if area:
        task.key_areas.add(area)


def _units(row, directory):
    def resolved(names):
        return [
            (directory.get(n), "" if compact(n) == directory.get(n).name else compact(n))
            for n in names
        ]

    return resolved(row.lead.names), resolved(row.support.names)


def _update_targets(task, row, plan, reason):
    wanted = {
        (t.year, t.indicator): t for t in build_targets(task, row, default_year=plan.end_year)
    }
    for target in task.targets.all():
        new = wanted.pop((target.year, target.indicator), None)
        target._change_reason = reason
        if new is None:
            _delete_target(task, target)
        elif (target.target_value, target.unit) != (new.target_value, new.unit):
            target.target_value, target.unit, target.kind = new.target_value, new.unit, new.kind
            target.save()
    for target in wanted.values():
        target._change_reason = reason
        target.save()


def _delete_target(task, target):
    try:
        with transaction.atomic():
            target.delete()
    except ProtectedError as exc:
        raise PlanImportError(
            [
                f"任务 {task.number} 的目标“{_short(target.indicator)}”已有填报数值，"
                "不能在方案调整中删除。"
            ]
        ) from exc


def _change_task(plan, preview, diff, reason):
    task, row = diff.task, diff.row
    lead, support = _units(row, preview.directory)
    task_set_units(
        task=task,
        lead=lead,
        support=support,
        lead_note=row.lead.note,
        support_note=row.support.note,
        change_reason=reason,
    )
    task.number, task.content, task.remark = row.number, row.content, row.remark
    task.deadline, task.deadline_text = row.deadline.date, row.deadline.text
    task._change_reason = reason
    task.full_clean()
    task.save()
    _update_targets(task, row, plan, reason)
    # The units on the task hear what the amendment changed (notifications, same transaction).
    task_changed.send(
        sender=Task,
        task=task,
        changes=f"{reason}涉及的内容",
        department_ids=set(task.assignments.values_list("department_id", flat=True)),
    )


def _remove_task(diff, reason):
    try:
        with transaction.atomic():
            diff.task.targets.all().delete()
            diff.task._change_reason = reason
            diff.task.delete()
    except ProtectedError as exc:
        raise PlanImportError(
            [f"任务 {diff.number} 已有填报记录，不能在方案调整中删除：请保留该任务或先处理其报告。"]
        ) from exc


def plan_amend(
    *,
    plan,
    preview,
    document_number,
    effective_date,
    unit_map=None,
    user=None,
    request=None,
    channel="后台管理",
):
    """Apply a revised attachment to `plan` as one PlanAmendment (all or nothing), recorded
    in the audit trail (`request` from the admin, `channel` from a command)."""
    unit_map = unit_map or {}
    errors = list(preview.errors) + unit_choices_errors(preview, unit_map)
    if not (document_number or "").strip():
        errors.append("请填写调整文号。")
    if effective_date is None:
        errors.append("请填写生效日期。")
    if errors:
        raise PlanImportError(errors)
    with transaction.atomic():
        apply_unit_choices(preview, unit_map)
        diffs = plan_amendment_diff(plan=plan, preview=preview)
        if not diffs:
            raise PlanImportError(["修订后的附件与现行方案完全相同，没有需要调整的内容。"])
        amendment = PlanAmendment(
            plan=plan,
            document_number=document_number.strip(),
            effective_date=effective_date,
            source_name=(preview.filename or "")[:200],
            changes=[s for d in diffs for s in d.sentences()],
            created_by=user,
        )
        amendment.full_clean()
        amendment.save()
        plan_import_audit(
            detail=f"已调整《{plan.title}》：{len(amendment.changes)} 处变更。",
            request=request,
            user=user,
            channel=channel,
        )
        _apply(plan, preview, diffs, amendment.change_reason)
    return amendment


def _apply(plan, preview, diffs, reason):
    """Removals first (they free their numbers), renumbered tasks parked on free numbers so
    that no two tasks ever share one (a database constraint), then changes, then additions."""
    for diff in diffs:
        if diff.kind == "removed":
            _remove_task(diff, reason)
    moved = [d.task.pk for d in diffs if d.kind == "changed" and d.task.number != d.row.number]
    if moved:
        Task.objects.filter(pk__in=moved).update(number=F("number") + RENUMBER_OFFSET)
    for diff in diffs:
        if diff.kind == "changed":
            _change_task(plan, preview, diff, reason)
    for diff in diffs:
        if diff.kind == "added":
            _add_task(plan, preview, diff.row, reason)
