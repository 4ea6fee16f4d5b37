"""Import a plan attachment: preview what would be written, then write it in one transaction.

`plan_import_preview()` reads the file and matches units without writing anything;
`plan_import_apply()` creates the plan from a preview and the admin's choices for every unit
name the directory does not know (map it to an existing unit, or create it). Called the same
way from the admin, `import_plan` and tests.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from simple_history.utils import bulk_create_with_history

from departments.models import Department
from huancui_vet.xlsx import SpreadsheetError
from tasks.attachment_table import find_task_table, title_name
from tasks.attachments import read_attachment
from tasks.models import DepartmentAlias, KeyArea, Plan, Target, Task, TaskAssignment
from tasks.plan_audit import plan_import_audit
from tasks.plan_parse import ParsedPlan, parse_task_table
from tasks.units import UnitDirectory, compact

BATCH_SIZE = 500
IMPORT_REASON = "导入方案附件"


class PlanImportError(Exception):
    """The attachment cannot be imported; `errors` are Chinese sentences, one per problem."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("；".join(self.errors))


@dataclass
class UnknownUnit:
    name: str
    wheres: list  # ["第3行", …]
    suggestion: Department | None

    def describe(self):
        hint = f"，可能是“{self.suggestion.name}”" if self.suggestion else ""
        return f"“{self.name}”（{'、'.join(self.wheres)}{hint}）"


@dataclass
class ImportPreview:
    """Everything the admin sees before confirming; nothing has been written."""

    parsed: ParsedPlan
    directory: UnitDirectory
    filename: str
    format: str
    matched: dict = field(default_factory=dict)  # written name -> Department
    unknown: list = field(default_factory=list)  # [UnknownUnit]
    diff: list = field(default_factory=list)  # amendments only: [sentence]

    @property
    def tasks(self):
        return self.parsed.tasks

    @property
    def errors(self):
        return self.parsed.errors

    @property
    def title_guess(self):
        return title_name(self.parsed.table.title)

    @property
    def years(self):
        return self.parsed.table.years

    @property
    def deadline_count(self):
        return sum(1 for t in self.tasks if t.deadline.text)

    @property
    def target_count(self):
        return sum(len(t.targets) for t in self.tasks)


def _match_units(preview):
    unknown: dict[str, list[str]] = {}
    for task in preview.tasks:
        for name in task.unit_names:
            dept = preview.directory.get(name)
            if dept is not None:
                preview.matched[compact(name)] = dept
            else:
                unknown.setdefault(compact(name), []).append(task.where)
    preview.unknown = [
        UnknownUnit(name, wheres, preview.directory.suggest(name))
        for name, wheres in unknown.items()
    ]


def plan_import_preview(*, file, filename=""):
    """Read an attachment and match its units (a few queries, no writes).

    Raises PlanImportError when the file cannot be read at all; row problems are in
    `preview.errors` so the page can show them next to everything that was read.
    """
    try:
        grid, fmt = read_attachment(file=file, filename=filename)
        table = find_task_table(grid)
    except SpreadsheetError as exc:
        raise PlanImportError([exc.message]) from exc
    directory = UnitDirectory.load()
    parsed = parse_task_table(table, directory)
    preview = ImportPreview(parsed=parsed, directory=directory, filename=filename, format=fmt)
    _match_units(preview)
    return preview


def unit_choices_errors(preview, unit_map):
    """Chinese sentences for unknown unit names the caller has not decided on."""
    undecided = [u for u in preview.unknown if u.name not in unit_map]
    if not undecided:
        return []
    listed = "；".join(u.describe() for u in undecided)
    return [
        f"以下 {len(undecided)} 个单位不在单位名录中：{listed}。请为每个单位选择对应的现有单位"
        "（将记为别称）或创建新单位后重新导入（命令行：--map 写法=单位名称，或 --new 写法）。"
    ]


def apply_unit_choices(preview, unit_map):
    """Record each decision: an alias for a name mapped to a unit, or a new unit.

    `unit_map`: {written name: Department, or None to create a unit of that name}.
    """
    directory = preview.directory
    next_order = (Department.objects.aggregate(m=Max("sort_order"))["m"] or 0) + 1
    created: list[Department] = []
    for unknown in preview.unknown:
        target = unit_map[unknown.name]
        if target is None:
            dept = Department(name=unknown.name, sort_order=next_order + len(created))
            dept.full_clean(validate_unique=False)
            dept.save()
            created.append(dept)
        else:
            alias = DepartmentAlias(alias=unknown.name, department=target)
            alias.full_clean()
            alias.save()
            dept = target
        directory.add_spelling(unknown.name, dept)
    return created


def _plan(*, preview, title, issuer, document_date, start_year, end_year):
    errors = list(preview.errors)
    if not title:
        errors.append("请填写方案名称。")
    elif Plan.objects.filter(title=title).exists():
        errors.append(f"已存在名为“{title}”的方案，请换一个名称。")
    years = (start_year, end_year) if start_year and end_year else preview.years
    if not years:
        errors.append(
            "未能从附件标题读出方案年度（如“（2020—2023年）”），请填写起始年度和截止年度。"
        )
        return None, errors
    plan = Plan(
        title=title,
        issuer=issuer or "",
        document_date=document_date,
        start_year=years[0],
        end_year=years[1],
    )
    try:
        plan.full_clean()
    except ValidationError as exc:
        errors.extend(m for ms in exc.message_dict.values() for m in ms)
    return plan, errors


def build_task(plan, parsed):
    """An unsaved Task for a parsed row."""
    return Task(
        plan=plan,
        number=parsed.number,
        content=parsed.content,
        lead_note=parsed.lead.note,
        support_note=parsed.support.note,
        deadline=parsed.deadline.date,
        deadline_text=parsed.deadline.text,
        remark=parsed.remark,
    )


def build_assignments(task_id, parsed, directory):
    """Unsaved TaskAssignments for a parsed row (written names that differ are kept)."""
    assignments = []
    for role, units in (
        (TaskAssignment.Role.LEAD, parsed.lead),
        (TaskAssignment.Role.SUPPORT, parsed.support),
    ):
        for position, name in enumerate(units.names):  # names are compacted already
            dept = directory.get(name)
            # *_id assignment skips the related-object descriptors (2,000-task imports
            # build ~10,000 of these).
            assignments.append(
                TaskAssignment(
                    task_id=task_id,
                    department_id=dept.pk,
                    role=role,
                    position=position,
                    written_as="" if name == dept.name else name,
                )
            )
    return assignments


def build_targets(task, parsed, *, default_year):
    """Unsaved Targets for a parsed row; a target without a year falls on the deadline's year
    (or the plan's last year), one without a number is a milestone kept as text."""
    year_of_deadline = parsed.deadline.date.year if parsed.deadline.date else default_year
    targets = []
    for order, item in enumerate(parsed.targets):
        if item.value is None:
            kind = Target.Kind.MILESTONE
        else:
            kind = Target.Kind.PERCENTAGE if item.unit == "%" else Target.Kind.COUNT
        targets.append(
            Target(
                task_id=task.pk,
                year=item.year or year_of_deadline,
                indicator=item.indicator[:200],
                target_value=item.value,
                unit=item.unit[:20],
                kind=kind,
                source_sentence=item.sentence,
                sort_order=order,
            )
        )
    return targets


def _key_areas(plan, sections):
    areas = [
        KeyArea(
            plan=plan,
            section=KeyArea.Section.KEY_TASK,
            number=index,
            label=s.label[:10],
            title=(s.title or s.text)[:200],
            text=s.text,
        )
        for index, s in enumerate(sections, start=1)
    ]
    return KeyArea.objects.bulk_create(areas)


def _write_tasks(plan, preview, areas, user):
    tasks = bulk_create_with_history(
        [build_task(plan, row) for row in preview.tasks],
        Task,
        batch_size=BATCH_SIZE,
        default_user=user,
        default_change_reason=IMPORT_REASON,
    )
    assignments, targets, links = [], [], []
    through = Task.key_areas.through
    for task, row in zip(tasks, preview.tasks, strict=True):
        assignments += build_assignments(task.pk, row, preview.directory)
        targets += build_targets(task, row, default_year=plan.end_year)
        if row.section is not None:
            links.append(through(task_id=task.pk, keyarea_id=areas[row.section].pk))
    # Plain bulk_create: a freshly imported plan has no earlier units to compare with, the
    # task's own history row records the import, and assignment history rows would double
    # the rows written (the import must stay within 2× a plain bulk_create, bench/).
    # Later changes of units (task_set_units, amendments, the admin) are recorded.
    TaskAssignment.objects.bulk_create(assignments, batch_size=BATCH_SIZE * 2)
    Target.objects.bulk_create(targets, batch_size=BATCH_SIZE)
    through.objects.bulk_create(links, batch_size=BATCH_SIZE * 2)
    return tasks, assignments


@dataclass
class PlanImportResult:
    plan: Plan
    task_count: int
    assignment_count: int
    key_area_count: int = 0
    created_departments: list = field(default_factory=list)


def plan_import_apply(
    *,
    preview,
    title=None,
    unit_map=None,
    user=None,
    issuer="",
    document_date=None,
    start_year=None,
    end_year=None,
    request=None,
    channel="后台管理",
):
    """Create the plan of a preview, all or nothing; PlanImportError lists every problem.
    Recorded in the audit trail (`request` from the admin, `channel` from a command).

    Cost: a fixed handful of queries plus one INSERT per 500 tasks, assignments, targets
    and history rows.
    """
    unit_map = unit_map or {}
    title = (title or preview.title_guess or "").strip()
    plan, errors = _plan(
        preview=preview,
        title=title,
        issuer=issuer,
        document_date=document_date,
        start_year=start_year,
        end_year=end_year,
    )
    errors += unit_choices_errors(preview, unit_map)
    audit = {"request": request, "user": user, "channel": channel}
    if errors:
        plan_import_audit(detail=f"导入方案附件被拒绝：{len(errors)} 处错误", **audit)
        raise PlanImportError(errors)
    with transaction.atomic():
        created = apply_unit_choices(preview, unit_map)
        plan.save()
        areas = _key_areas(plan, preview.parsed.sections)
        tasks, assignments = _write_tasks(plan, preview, areas, user)
        plan_import_audit(detail=f"{IMPORT_REASON}《{plan.title}》：{len(tasks)} 项任务", **audit)
    return PlanImportResult(
        plan=plan,
        task_count=len(tasks),
        assignment_count=len(assignments),
        key_area_count=len(areas),
        created_departments=[d.name for d in created],
    )


def create_unlike_units(preview, unit_map):
    """Decide "create" for every unknown name the caller left open that resembles no known
    unit. A name that resembles one ("区人社局") stays open: creating it would split one
    department in two, so the caller must map it or ask for it by name."""
    for unknown in preview.unknown:
        if unknown.suggestion is None:
            unit_map.setdefault(unknown.name, None)
    return unit_map


def plan_import_file(*, file, filename="", create_departments=False, unit_map=None, **kwargs):
    """Preview and apply in one call (the command and scripts); `create_departments=True`
    creates the unknown units that resemble no known unit (see create_unlike_units)."""
    preview = plan_import_preview(file=file, filename=filename)
    unit_map = dict(unit_map or {})
    if create_departments:
        create_unlike_units(preview, unit_map)
    return plan_import_apply(preview=preview, unit_map=unit_map, **kwargs)
