"""Export a plan as its attachment (任务清单) in .xlsx or .docx; importing the file back and
exporting again gives the same table (tested for the Huancui plan)."""

from dataclasses import dataclass

from django.db.models import Prefetch

from tasks.deadlines import deadline_text, target_line
from tasks.docx import write_docx_table
from tasks.models import KeyArea, Target, TaskAssignment
from tasks.plan_audit import plan_export_audit
from tasks.units import join_units
from tasks.xlsx import write_task_sheet

HEADERS = ("序号", "任务内容", "牵头单位", "责任单位", "完成时限", "目标", "备注")
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class ExportTable:
    title: str
    sections: list  # [(heading text or None, [row tuples in HEADERS order])]


def export_title(plan):
    return f"{plan.title}任务清单（{plan.start_year}—{plan.end_year}年）"


def _row(task):
    by_role: dict[str, list[str]] = {TaskAssignment.Role.LEAD: [], TaskAssignment.Role.SUPPORT: []}
    for assignment in task.assignments.all():
        by_role[assignment.role].append(assignment.unit_text)
    deadline = task.deadline_text or (deadline_text(task.deadline) if task.deadline else "")
    targets = "\n".join(
        target_line(year=t.year, indicator=t.indicator, value_text=t.display_value)
        for t in task.targets.all()
    )
    return (
        task.number,
        task.content,
        join_units(by_role[TaskAssignment.Role.LEAD], task.lead_note),
        join_units(by_role[TaskAssignment.Role.SUPPORT], task.support_note) or None,
        deadline or None,
        targets or None,
        task.remark or None,
    )


def _sections(tasks):
    """Section rows come back only where the plan's key areas partition its task list in
    order (an imported attachment); a plan whose tasks serve several areas each (Huancui)
    is exported as one flat list."""
    rows = [_row(t) for t in tasks]
    areas = [list(t.key_areas.all()) for t in tasks]
    if not tasks or any(len(a) != 1 for a in areas):
        return [(None, rows)]
    sections: list[tuple[KeyArea, list[tuple]]] = []
    for (area,), row in zip(areas, rows, strict=True):
        if not sections or sections[-1][0].pk != area.pk:
            if any(s[0].pk == area.pk for s in sections):
                return [(None, rows)]  # not contiguous
            sections.append((area, []))
        sections[-1][1].append(row)
    return [(area.text, section_rows) for area, section_rows in sections]


def plan_export_table(*, plan):
    """The plan's attachment table. Runs five queries however many tasks it has."""
    tasks = list(
        plan.tasks.with_units()
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by("year", "sort_order", "id")),
            Prefetch("key_areas", queryset=KeyArea.objects.order_by("section", "number")),
        )
        .order_by("number")
    )
    return ExportTable(title=export_title(plan), sections=_sections(tasks))


def plan_export_rows(*, plan):
    """The task rows only, in order, without section headings (what the round-trip tests
    compare between an export and a re-import)."""
    return [row for _, rows in plan_export_table(plan=plan).sections for row in rows]


def plan_export_xlsx(*, plan, output):
    """Write the attachment sheet 任务清单 to a path or a binary file."""
    table = plan_export_table(plan=plan)
    return write_task_sheet(
        title=table.title, headers=HEADERS, sections=table.sections, output=output
    )


def plan_export_docx(*, plan, output):
    """Write the attachment as a Word table (header row repeated on every page)."""
    table = plan_export_table(plan=plan)
    return write_docx_table(
        title=table.title, headers=HEADERS, sections=table.sections, output=output
    )


WRITERS = {"xlsx": plan_export_xlsx, "docx": plan_export_docx}


def plan_export(*, plan, output, fmt="xlsx", request=None, user=None, channel="后台管理"):
    """Write the attachment as .xlsx or .docx and record the export in the audit trail
    (the admin's download passes `request`, the export_plan command its `channel`)."""
    WRITERS[fmt](plan=plan, output=output)
    plan_export_audit(plan=plan, request=request, user=user, channel=channel)
