"""Turn the rows of a task table into a parsed plan: sections, tasks, units, deadlines,
targets, and every row that could not be read (with where it is and why). No writes."""

import re
from dataclasses import dataclass, field

from tasks.attachment_table import TaskTable
from tasks.deadlines import Deadline, parse_deadline, parse_targets
from tasks.models import Task, TaskAssignment
from tasks.units import ParsedUnits, compact

_NUMBER = re.compile(r"^\s*(\d+)\s*[.．、]?\s*$")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_EDGE_SPACES = " \t\r\n\u3000\u00a0\ufeff"
_CN_NUMERAL = "[一二三四五六七八九十]+"
# "一、重点任务", "（二）完善制度", "一）…", "第三部分 …"
SECTION = re.compile(
    rf"^\s*(?P<label>{_CN_NUMERAL}\s*[、.．]|[（(]\s*{_CN_NUMERAL}\s*[）)]|{_CN_NUMERAL}\s*[）)]"
    rf"|第{_CN_NUMERAL}[部分章节项]+)\s*(?P<title>.*)$",
    re.S,
)


@dataclass
class ParsedSection:
    label: str  # "一、", "（二）"
    title: str
    text: str  # the row as written


@dataclass
class ParsedTask:
    where: str
    number: int
    content: str
    lead: ParsedUnits
    support: ParsedUnits
    deadline: Deadline
    targets: list
    remark: str
    section: int | None  # index into ParsedPlan.sections
    section_text: str = ""

    @property
    def unit_names(self):
        return self.lead.names + self.support.names


@dataclass
class ParsedPlan:
    table: TaskTable
    sections: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # "第3行：缺少序号。" (blocks the import)
    skipped: list = field(default_factory=list)  # rows left out, with the reason

    @property
    def years(self):
        return self.table.years


def parse_number(value):
    """(number or None, whether a value was given at all)."""
    if value is None or (isinstance(value, str) and not compact(value)):
        return None, False
    if isinstance(value, bool):
        return None, True
    if isinstance(value, int | float):
        whole = float(value).is_integer() and value > 0
        return (int(value), True) if whole else (None, True)
    match = _NUMBER.match(str(value))
    if match and int(match.group(1)) > 0:
        return int(match.group(1)), True
    return None, True


def clean_content(value):
    # Attachments pasted from Word break sentences across lines; Chinese text joins without
    # a space. Inner spaces ("投资额的 30%比例") are kept verbatim.
    return _LINE_BREAKS.sub("", str(value or "")).strip(_EDGE_SPACES)


def _section(values):
    """A section heading row: one text (merged across the row), numbered like "二、"."""
    texts = {clean_content(v) for v in values.values() if clean_content(v)}
    if len(texts) != 1:
        return None
    (text,) = texts
    match = SECTION.match(text)
    if not match:
        return None
    # "一、" is stored as "一" so pages show "重点任务一" (a bracketed "（二）" stays as written).
    label = compact(match.group("label")).rstrip("、.．")
    return ParsedSection(label=label, title=match.group("title"), text=text)


def _units(values, directory, single_column):
    lead = directory.split(values.get("lead"))
    support = directory.split(values.get("support"))
    if single_column:
        # One 责任单位 column: its first unit leads.
        lead, support = (
            ParsedUnits(names=support.names[:1]),
            ParsedUnits(names=support.names[1:], note=support.note),
        )
    return lead, support


class _RowReader:
    """Reads rows one by one, keeping what later rows need (numbers seen, current section)."""

    def __init__(self, table, directory):
        self.plan = ParsedPlan(table=table)
        self.directory = directory
        self.single_column = "lead" not in table.columns
        self.seen_numbers = {}
        note_max = Task._meta.get_field("lead_note").max_length
        name_max = TaskAssignment._meta.get_field("written_as").max_length
        assert note_max is not None and name_max is not None  # both are CharFields
        self.note_max: int = note_max
        self.name_max: int = name_max

    def read(self, where, values):
        lead, support = _units(values, self.directory, self.single_column)
        content = clean_content(values.get("content"))
        number, number_given = parse_number(values.get("number"))
        has_units = bool(lead.names or support.names or lead.note or support.note)
        if number is None and not has_units:
            self._not_a_task(where, values, content, number_given)
        elif number is None:
            given = values.get("number")
            self.plan.errors.append(
                f"{where}：序号“{given}”不是正整数。" if number_given else f"{where}：缺少序号。"
            )
        else:
            self._task_row(where, number, content, lead, support, values)

    def _task_row(self, where, number, content, lead, support, values):
        problems = self._problems(number, where, content, lead, support)
        if problems:
            self.plan.errors.append(f"{where}：{'；'.join(problems)}。")
        else:
            self.plan.tasks.append(self._task(where, number, content, lead, support, values))

    def _not_a_task(self, where, values, content, number_given):
        section = _section(values)
        if section:
            self.plan.sections.append(section)
        elif content or number_given:
            text = content or clean_content(values.get("number"))
            self.plan.skipped.append(
                f"{where}：“{text[:30]}”既无序号也无单位，不是任务行，已跳过。"
            )

    def _problems(self, number, where, content, lead, support):
        problems = []
        if number in self.seen_numbers:
            problems.append(f"序号 {number} 与{self.seen_numbers[number]}重复")
        else:
            self.seen_numbers[number] = where
        if not content:
            problems.append("任务内容为空")
        if not lead.names:
            problems.append("缺少牵头单位")
        for note in (lead.note, support.note):
            if len(note) > self.note_max:
                problems.append(f"单位附注“{note}”超过 {self.note_max} 个字")
        seen = set()
        for name in lead.names + support.names:
            dept = self.directory.get(name)
            key = dept.pk if dept else compact(name)
            if key in seen:
                problems.append(f"单位“{name}”重复列出")
            elif len(compact(name)) > self.name_max:
                problems.append(f"单位名称“{name}”超过 {self.name_max} 个字")
            seen.add(key)
        return problems

    def _task(self, where, number, content, lead, support, values):
        deadline = parse_deadline(values.get("deadline"))
        if not deadline.readable:
            self.plan.skipped.append(f"{where}：完成时限“{deadline.text}”无法识别，已按原文保留。")
        return ParsedTask(
            where=where,
            number=number,
            content=content,
            lead=lead,
            support=support,
            deadline=deadline,
            targets=parse_targets(values.get("target")),
            remark=str(values.get("remark") or "").strip(),
            section=len(self.plan.sections) - 1 if self.plan.sections else None,
            section_text=self.plan.sections[-1].text if self.plan.sections else "",
        )


def parse_task_table(table, directory):
    """Every row of the table read; nothing written. Unknown unit names are left to the caller."""
    reader = _RowReader(table, directory)
    for where, values in table.rows:
        reader.read(where, values)
    if not reader.plan.tasks and not reader.plan.errors:
        reader.plan.errors.append("文件中没有任务行。")
    return reader.plan
