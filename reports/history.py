"""Change history as people read it, from django-simple-history records.

The report history page and the task history page both show who changed which field from
what to what; the values are formatted here, once.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

from departments.models import Department
from tasks.models import Target, TaskAssignment

HISTORY_TYPE_LABELS = {"+": "新建", "~": "修改", "-": "删除"}

# What a supervisor needs to follow a task's wording and targets; `plan`, `task` and
# `sort_order` are bookkeeping that the admin changes without changing the plan.
TASK_FIELDS = [
    "number",
    "content",
    "lead_note",
    "support_note",
    "deadline",
    "deadline_text",
    "remark",
]
TARGET_FIELDS = ["year", "indicator", "target_value", "unit", "kind", "source_sentence"]
ASSIGNMENT_FIELDS = ["department", "role", "position"]


def display_value(field, value, names=None):
    """A historical value as people read it: choice labels, local dates, plain numbers,
    related objects by name (`names`: {pk: object} for the foreign keys shown)."""
    if value in (None, ""):
        return ""
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "Y年n月j日 H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "Y年n月j日")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if field.is_relation:
        return str((names or {}).get(value, value))
    return value


@dataclass(frozen=True)
class Change:
    label: str
    old: object
    new: object


@dataclass(frozen=True)
class HistoryEntry:
    """One saved version: its record (who, when), what it is about, and what changed."""

    record: Any
    subject: str
    changes: list

    @property
    def kind(self):
        return HISTORY_TYPE_LABELS.get(self.record.history_type, self.record.history_type)


def _changes(record, previous, fields, names=None):
    """Field changes of `record` against the version before it (None for a creation).

    `names`: {pk: object} for the foreign keys among `fields`, shown by name."""
    meta = record.instance_type._meta
    if record.history_type == "~" and previous is not None:
        delta = record.diff_against(previous, included_fields=fields)
        pairs = [(meta.get_field(c.field), c.old, c.new) for c in delta.changes]
        # diff_against sorts by attribute name; show them in the page's field order.
        pairs.sort(key=lambda pair: fields.index(pair[0].name))
    else:
        # A creation (or the oldest record kept) shows what was entered, a deletion what
        # was removed.
        pairs = []
        for name in fields:
            value = getattr(record, name)
            if value in (None, ""):
                continue
            old, new = (value, None) if record.history_type == "-" else (None, value)
            pairs.append((meta.get_field(name), old, new))
    return [
        Change(
            field.verbose_name, display_value(field, old, names), display_value(field, new, names)
        )
        for field, old, new in pairs
    ]


def _entries(records, fields, subject, names=None):
    """Entries for the records of one object, newest first; saves that changed none of
    `fields` (e.g. the admin re-saving a task to edit its targets) are left out."""
    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = _changes(record, previous, fields, names)
        if changes or record.history_type != "~" or previous is None:
            entries.append(HistoryEntry(record, subject(record), changes))
    return entries


def _records_by_object(history_manager, task):
    """{object id: its records newest first}, in one query with the users joined."""
    by_object: dict = {}
    records = (
        history_manager.filter(task_id=task.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    for record in records:
        by_object.setdefault(record.id, []).append(record)
    return by_object


def task_history(task):
    """Every change of the task, its units and its targets (deleted ones too), newest first.

    Runs four queries however long the history is (the users come with the records).
    """
    task_records = list(
        task.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    target_records = _records_by_object(Target.history, task)
    assignment_records = _records_by_object(TaskAssignment.history, task)
    departments = Department.objects.in_bulk(
        {r.department_id for records in assignment_records.values() for r in records}
    )

    def unit_subject(record):
        department = departments.get(record.department_id)
        return f"单位：{department.name if department else record.department_id}"

    entries = _entries(task_records, TASK_FIELDS, lambda r: "任务")
    for records in target_records.values():
        entries += _entries(records, TARGET_FIELDS, lambda r: f"目标：{r.year}年 {r.indicator}")
    for records in assignment_records.values():
        entries += _entries(records, ASSIGNMENT_FIELDS, unit_subject, departments)
    entries.sort(key=lambda e: (e.record.history_date, e.record.history_id), reverse=True)
    return entries
