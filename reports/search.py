"""The header search: tasks (by number or words), units, and reports (progress, problems,
next steps), each through the same visibility rule as its pages.

Higher apps add their own results (supervision orders as they land) by registering a
section with `register_search_section(fn)` where `fn(user, q)` returns None or
{"title": ..., "template": ..., "items": [...]}; reports never imports them.
Each section reads at most SEARCH_LIMIT rows, so the page's queries do not grow with the data.
"""

from dataclasses import dataclass, field

from django.db.models import Case, Q, When

from departments.models import Department
from reports.models import Report
from tasks.models import Task

SEARCH_LIMIT = 20
MAX_QUERY = 100
SNIPPET = 40

_SECTIONS = []


def register_search_section(section):
    if section not in _SECTIONS:
        _SECTIONS.append(section)
    return section


@dataclass
class SearchResults:
    q: str
    tasks: list = field(default_factory=list)
    units: list = field(default_factory=list)
    reports: list = field(default_factory=list)  # [(report, field label, snippet)]
    extra_sections: list = field(default_factory=list)

    @property
    def total(self):
        return (
            len(self.tasks)
            + len(self.units)
            + len(self.reports)
            + sum(len(s.get("items", ())) for s in self.extra_sections)
        )


def clean_query(raw):
    """The query as searched: trimmed, inner whitespace collapsed, at most MAX_QUERY chars."""
    return " ".join(str(raw or "").split())[:MAX_QUERY]


def _snippet(text, q):
    index = text.lower().find(q.lower())
    if index < 0:
        return text[: SNIPPET * 2]
    start = max(0, index - SNIPPET)
    end = min(len(text), index + len(q) + SNIPPET)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


REPORT_FIELDS = (
    ("work_done", "本期工作进展"),
    ("problems", "存在问题"),
    ("next_steps", "下一步计划"),
)


def search(user, raw_q):
    """Everything `user` may see that matches; a number also matches task numbers."""
    q = clean_query(raw_q)
    results = SearchResults(q=q)
    if not q:
        return results
    task_match = Q(content__icontains=q)
    number = int(q) if q.isdigit() and len(q) < 6 else None
    if number is not None:
        task_match |= Q(number=number)
    # A task whose number is the query comes first ("5" finds 任务 5 before "2025年…").
    results.tasks = list(
        Task.objects.visible_to(user)
        .filter(task_match)
        .annotate(by_number=Case(When(number=number, then=0), default=1))
        .select_related("plan")
        .distinct()
        .order_by("by_number", "plan__title", "number")[:SEARCH_LIMIT]
    )
    results.units = list(
        Department.objects.active()
        .filter(Q(name__icontains=q) | Q(short_name__icontains=q))
        .order_by("sort_order", "name")[:SEARCH_LIMIT]
    )
    text_match = Q()
    for name, _ in REPORT_FIELDS:
        text_match |= Q(**{f"{name}__icontains": q})
    reports = (
        Report.objects.visible_to(user)
        .filter(text_match)
        .select_related("task__plan", "department")
        .order_by("-period_start", "task__number", "pk")[:SEARCH_LIMIT]
    )
    for report in reports:
        for name, label in REPORT_FIELDS:
            text = getattr(report, name)
            if q.lower() in text.lower():
                results.reports.append((report, label, _snippet(text, q)))
                break
    results.extra_sections = [s for fn in _SECTIONS if (s := fn(user, q)) is not None]
    return results
