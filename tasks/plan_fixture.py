"""Load a plan from its JSON fixture (fixtures/huancui_plan.json), idempotently.

The fixture holds the departments (with aliases), the plan, its key areas, and the tasks
with units and targets. Loading compares before writing: a second run saves nothing, so it
adds no history rows and no duplicates. Targets are matched by (task, year, indicator) and
never deleted here, because reports may already hold values against them.
"""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from departments.models import Department
from tasks.models import DepartmentAlias, KeyArea, Plan, Target, Task
from tasks.services import task_set_units

DEFAULT_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "huancui_plan.json"


@dataclass
class LoadSummary:
    plan: Plan
    departments: int = 0
    key_areas: int = 0
    tasks: int = 0
    targets: int = 0
    created: int = 0
    updated: int = 0


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def _upsert(summary, model, lookup, values):
    """Create the row, or update only the fields that differ (no save when nothing does)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        summary.created += 1
        return obj
    dirty = [k for k, v in values.items() if getattr(obj, k) != v]
    if dirty:
        for k in dirty:
            setattr(obj, k, values[k])
        obj.full_clean()
        obj.save()
        summary.updated += 1
    return obj


def plan_load_fixture(*, path=None):
    """Create or update the plan in the fixture. Runs a few queries per task (16 here)."""
    path = Path(path or DEFAULT_FIXTURE)
    data = json.loads(path.read_text(encoding="utf-8"))
    plan_data = dict(data["plan"])
    source_file = plan_data.pop("source_text_file", None)
    if source_file:
        plan_data["source_text"] = (path.parent / source_file).read_text(encoding="utf-8")
    for key in ("document_date", "reporting_starts_on"):
        plan_data[key] = _date(plan_data.get(key))

    with transaction.atomic():
        summary = LoadSummary(plan=None)
        departments = {}
        for row in data["departments"]:
            dept = _upsert(
                summary,
                Department,
                {"name": row["name"]},
                {
                    "short_name": row.get("short_name", ""),
                    "kind": row.get("kind", Department.Kind.GOVERNMENT),
                    "sort_order": row.get("sort_order", 0),
                },
            )
            departments[dept.name] = dept
            for alias in row.get("aliases", []):
                _upsert(summary, DepartmentAlias, {"alias": alias}, {"department": dept})
        summary.departments = len(departments)

        title = plan_data.pop("title")
        plan = _upsert(summary, Plan, {"title": title}, plan_data)
        summary.plan = plan

        areas = {}
        for row in data["key_areas"]:
            area = _upsert(
                summary,
                KeyArea,
                {"plan": plan, "section": row["section"], "number": row["number"]},
                {"label": row["label"], "title": row["title"], "text": row["text"]},
            )
            areas[(row["section"], row["number"])] = area
        summary.key_areas = len(areas)

        for row in data["tasks"]:
            created_before = summary.created
            task = _upsert(
                summary,
                Task,
                {"plan": plan, "number": row["number"]},
                {
                    "content": row["content"],
                    "lead_note": row.get("lead_note", ""),
                    "support_note": row.get("support_note", ""),
                    "deadline": _date(row.get("deadline")),
                },
            )
            units = {}
            for role in ("lead_units", "supporting_units"):
                units[role] = [
                    (departments[u], "")
                    if isinstance(u, str)
                    else (departments[u["department"]], u["written_as"])
                    for u in row.get(role, [])
                ]
            # Units and key areas of a task created just now are part of that creation.
            task_is_new = summary.created > created_before
            if (
                task_set_units(
                    task=task, lead=units["lead_units"], support=units["supporting_units"]
                )
                and not task_is_new
            ):
                summary.updated += 1
            wanted_areas = {areas[tuple(a)].pk for a in row.get("key_areas", [])}
            if set(task.key_areas.values_list("pk", flat=True)) != wanted_areas:
                task.key_areas.set(wanted_areas)
                summary.updated += 0 if task_is_new else 1
            for order, target in enumerate(row.get("targets", [])):
                value = target.get("target_value")
                _upsert(
                    summary,
                    Target,
                    {"task": task, "year": target["year"], "indicator": target["indicator"]},
                    {
                        "target_value": Decimal(value) if value is not None else None,
                        "unit": target.get("unit", ""),
                        "kind": target["kind"],
                        "source_sentence": target["source_sentence"],
                        "sort_order": order,
                    },
                )
                summary.targets += 1
            summary.tasks += 1
    return summary
