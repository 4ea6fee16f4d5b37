"""Writes on plans and tasks: import a plan attachment, export it, set a task's units.

Called the same way from management commands, the admin and tests. Every function is
keyword-only and writes inside one transaction.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from simple_history.utils import bulk_create_with_history

from departments.models import Department
from huancui_vet.xlsx import SpreadsheetError, read_upload
from tasks.models import Plan, Task, TaskAssignment
from tasks.signals import task_changed
from tasks.units import UnitDirectory, compact, join_units, split_units
from tasks.xlsx import read_task_sheet, write_task_sheet

BATCH_SIZE = 500
_NUMBER = re.compile(r"^\s*(\d+)\s*[.．、]?\s*$")
_YEAR = re.compile(r"(20\d{2})年")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_EDGE_SPACES = " \t\r\n\u3000\u00a0\ufeff"


class PlanImportError(Exception):
    """The attachment cannot be imported; `errors` are Chinese sentences, one per problem."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("；".join(self.errors))


@dataclass
class PlanImportResult:
    plan: Plan
    task_count: int
    assignment_count: int
    created_departments: list = field(default_factory=list)
    dry_run: bool = False
    rows: list = field(default_factory=list)  # [(序号, 任务内容, 牵头单位, 责任单位)] as read


@dataclass
class _Row:
    excel_row: int
    number: int
    content: str
    lead: list  # names as written
    lead_note: str
    support: list
    support_note: str


def _parse_number(value):
    if value is None or (isinstance(value, str) and not compact(value)):
        return None, False
    if isinstance(value, bool):
        return None, True
    if isinstance(value, int):
        return (value, True) if value > 0 else (None, True)
    if isinstance(value, float):
        return (int(value), True) if value.is_integer() and value > 0 else (None, True)
    match = _NUMBER.match(str(value))
    if match and int(match.group(1)) > 0:
        return int(match.group(1)), True
    return None, True


def _clean_content(value):
    # Attachments pasted from Word break sentences across lines; Chinese text joins without
    # a space. Inner spaces ("投资额的 30%比例") are kept verbatim.
    return _LINE_BREAKS.sub("", str(value or "")).strip(_EDGE_SPACES)


def _parse_rows(sheet, directory):
    """Validate every row; returns (rows, errors, unknown {name: [row numbers]})."""
    single_column = "lead" not in sheet.columns
    rows, errors, unknown, seen_numbers = [], [], {}, {}
    lead_max = TaskAssignment._meta.get_field("written_as").max_length
    note_max = Task._meta.get_field("lead_note").max_length
    for excel_row, values in sheet.rows:
        content = _clean_content(values.get("content"))
        lead = split_units(values.get("lead"), directory.__contains__)
        support = split_units(values.get("support"), directory.__contains__)
        if single_column:
            lead, support = (
                type(support)(names=support.names[:1]),
                type(support)(names=support.names[1:], note=support.note),
            )
        has_units = bool(lead.names or support.names or lead.note or support.note)
        number, number_given = _parse_number(values.get("number"))
        if not content and not has_units and not number_given:
            continue  # blank line
        if number is None:
            if not has_units:
                continue  # a section heading such as "一、重点任务" between tasks
            if number_given:
                errors.append(f"第{excel_row}行：序号“{values.get('number')}”不是正整数。")
            else:
                errors.append(f"第{excel_row}行：缺少序号。")
            continue
        problems = []
        if number in seen_numbers:
            problems.append(f"序号 {number} 与第{seen_numbers[number]}行重复")
        else:
            seen_numbers[number] = excel_row
        if not content:
            problems.append("任务内容为空")
        if not lead.names:
            problems.append("缺少牵头单位")
        for note in (lead.note, support.note):
            if len(note) > note_max:
                problems.append(f"单位附注“{note}”超过 {note_max} 个字")
        seen_units = set()
        for name in lead.names + support.names:
            dept = directory.get(name)
            key = dept.pk if dept else compact(name)
            if key in seen_units:
                problems.append(f"单位“{name}”重复列出")
            seen_units.add(key)
            if len(name) > lead_max:
                problems.append(f"单位名称“{name}”过长")
            elif dept is None:
                unknown.setdefault(name, []).append(excel_row)
        if problems:
            errors.append(f"第{excel_row}行：" + "；".join(problems) + "。")
            continue
        rows.append(
            _Row(
                excel_row=excel_row,
                number=number,
                content=content,
                lead=lead.names,
                lead_note=lead.note,
                support=support.names,
                support_note=support.note,
            )
        )
    if not rows and not errors:
        errors.append("文件中没有任务行。")
    return rows, errors, unknown


def _default_years(rows, start_year):
    years = [int(y) for row in rows for y in _YEAR.findall(row.content)]
    plausible = [y for y in years if start_year <= y <= start_year + 15]
    return max([start_year, *plausible])


def _create_departments(names, directory):
    next_order = (Department.objects.aggregate(m=Max("sort_order"))["m"] or 0) + 1
    new = []
    for offset, name in enumerate(names):
        dept = Department(name=compact(name), sort_order=next_order + offset)
        dept.full_clean(validate_unique=False)
        new.append(dept)
    created = Department.objects.bulk_create(new)
    for dept in created:
        directory.add(dept)
    return created


def plan_import_xlsx(
    *,
    file,
    title,
    create_departments=False,
    user=None,
    issuer="",
    document_date=None,
    start_year=None,
    end_year=None,
    dry_run=False,
):
    """Create a plan with its tasks and units from an attachment spreadsheet.

    All or nothing: any bad row raises PlanImportError listing every problem, and nothing is
    written. Unknown units are created only with `create_departments=True`. With
    `dry_run=True` everything runs and is then rolled back (the admin's preview).
    Cost: a fixed handful of queries plus one INSERT per 500 tasks, assignments and history
    rows (bulk_create); history rows are written in bulk too (`bulk_create_with_history`).
    """
    try:
        sheet = read_task_sheet(read_upload(file))
    except SpreadsheetError as exc:
        raise PlanImportError([exc.message]) from exc

    errors = []
    title = (title or "").strip()
    if not title:
        errors.append("请填写方案名称。")
    elif Plan.objects.filter(title=title).exists():
        errors.append(f"已存在名为“{title}”的方案，请换一个名称。")
    directory = UnitDirectory.load()
    rows, row_errors, unknown = _parse_rows(sheet, directory)
    errors.extend(row_errors)
    if unknown and not create_departments:
        listed = "；".join(
            f"“{name}”（第{'、'.join(str(r) for r in row_numbers)}行）"
            for name, row_numbers in unknown.items()
        )
        errors.append(
            f"以下 {len(unknown)} 个单位不在单位名录中：{listed}。"
            "请先在后台添加这些单位或其别称，或勾选“创建新单位”后重新导入。"
        )
    if errors:
        raise PlanImportError(errors)

    start_year = start_year or (document_date.year if document_date else None)
    start_year = start_year or datetime.date.today().year
    end_year = end_year or _default_years(rows, start_year)
    plan = Plan(
        title=title,
        issuer=issuer,
        document_date=document_date,
        start_year=start_year,
        end_year=end_year,
    )
    try:
        plan.full_clean()
    except ValidationError as exc:
        raise PlanImportError([m for ms in exc.message_dict.values() for m in ms]) from exc

    with transaction.atomic():
        created = _create_departments(list(unknown), directory) if unknown else []
        plan.save()
        tasks = [
            Task(
                plan=plan,
                number=row.number,
                content=row.content,
                lead_note=row.lead_note,
                support_note=row.support_note,
            )
            for row in rows
        ]
        # bulk_create skips save() and signals; bulk_create_with_history writes the
        # "created" history rows in bulk as well, so the audit trail starts at the import.
        tasks = bulk_create_with_history(
            tasks,
            Task,
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason="导入方案附件",
        )
        assignments = []
        for task, row in zip(tasks, rows, strict=True):
            for role, names in (
                (TaskAssignment.Role.LEAD, row.lead),
                (TaskAssignment.Role.SUPPORT, row.support),
            ):
                for position, name in enumerate(names):
                    dept = directory.get(name)
                    # *_id assignment skips the related-object descriptors (2,000-task
                    # imports build ~10,000 of these).
                    assignments.append(
                        TaskAssignment(
                            task_id=task.pk,
                            department_id=dept.pk,
                            role=role,
                            position=position,
                            written_as="" if compact(name) == dept.name else compact(name),
                        )
                    )
        # Plain bulk_create: a freshly imported plan has no earlier units to compare with, the
        # task's own history row records the import, and assignment history rows would double
        # the rows written (the import must stay within 2× a plain bulk_create, bench/).
        # Later changes of units (task_set_units, the admin) are recorded.
        TaskAssignment.objects.bulk_create(assignments, batch_size=BATCH_SIZE * 2)
        if dry_run:
            transaction.set_rollback(True)
    return PlanImportResult(
        plan=plan,
        task_count=len(tasks),
        assignment_count=len(assignments),
        created_departments=[d.name for d in created],
        dry_run=dry_run,
        rows=[
            (
                row.number,
                row.content,
                join_units(row.lead, row.lead_note),
                join_units(row.support, row.support_note),
            )
            for row in rows
        ],
    )


def plan_export_rows(*, plan):
    """The attachment table of a plan: [(序号, 任务内容, 牵头单位, 责任单位)] (two queries)."""
    rows = []
    for task in plan.tasks.with_units().order_by("number"):
        by_role = {TaskAssignment.Role.LEAD: [], TaskAssignment.Role.SUPPORT: []}
        for assignment in task.assignments.all():
            by_role[assignment.role].append(assignment.unit_text)
        rows.append(
            (
                task.number,
                task.content,
                join_units(by_role[TaskAssignment.Role.LEAD], task.lead_note),
                join_units(by_role[TaskAssignment.Role.SUPPORT], task.support_note),
            )
        )
    return rows


def plan_export_xlsx(*, plan, output):
    """Write the plan's task list as the attachment sheet 任务清单 to a path or binary file."""
    return write_task_sheet(plan_export_rows(plan=plan), output)


def task_set_units(*, task, lead, support, lead_note=None, support_note=None):
    """Replace a task's lead and supporting units (lists of (Department, written_as)).

    Rewrites the assignments only when they differ, so re-applying the same data is a no-op.
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
            task.assignments.all().delete()
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
            )
            changed = True
            getattr(task, "_prefetched_objects_cache", {}).pop("assignments", None)
        notes = {"lead_note": lead_note, "support_note": support_note}
        dirty = [k for k, v in notes.items() if v is not None and getattr(task, k) != v]
        if dirty:
            for k in dirty:
                setattr(task, k, notes[k])
            task.full_clean()
            task.save()
            changed = True
        if changed:
            task_changed.send(
                sender=Task, task=task, changes="承担单位", department_ids=departments
            )
    return changed
