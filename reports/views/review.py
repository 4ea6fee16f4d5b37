"""The education bureau's side: review queue, comparing submissions, a report's history."""

import difflib

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from departments.models import Department, User
from huancui_vet.admin_lists import EstimatedCountPaginator
from huancui_vet.querystrings import query_without, query_without_page
from huancui_vet.sorting import Sorting
from reports.access import get_report_for_user
from reports.forms import REPORT_FIELD_LABELS, ReviewFilterForm
from reports.history import display_value
from reports.models import Report, ReportState, TargetValue
from reports.services import snapshot_label
from tasks.models import Plan, Task

HISTORY_PER_PAGE = 30
QUEUE_PAGE_SIZE = 50
# Sortable columns of the review queue: key → (header, ordering); `id` keeps pages stable.
QUEUE_COLUMNS = {
    "submitted": ("报送时间", ("submitted_at", "id")),
    "department": ("单位", ("department__sort_order", "department__name", "id")),
    "task": ("任务", ("task__plan_id", "task__number", "id")),
    "period": ("填报期", ("period_start", "id")),
    "returned": ("退回次数", ("times_returned", "submitted_at", "id")),
}


@require_safe
@permission_required("reports.review_report", raise_exception=True)
def review_queue(request):
    """Submitted reports, oldest first; five queries whatever the queue length.

    The count is a plain COUNT over the (state, submitted_at) index up to 10,000 reports,
    PostgreSQL's estimate beyond (huancui_vet.admin_lists.EstimatedCountPaginator); the
    dropdowns read the Plan, Department and (for the chosen plan only) Task tables.
    """
    plan_id = _queue_plan_id(request.GET)
    form = ReviewFilterForm(
        request.GET or None,
        plans=Plan.objects.order_by("-start_year", "title").only("pk", "title", "short_title"),
        departments=Department.objects.only("pk", "name", "short_name"),
        tasks=(
            list(
                Task.objects.filter(plan_id=plan_id)
                .order_by("number")
                .only("pk", "number", "content")
            )
            if plan_id
            else []
        ),
    )
    sorting = Sorting(request, QUEUE_COLUMNS, default="submitted")
    reports = (
        Report.objects.filter(state=ReportState.SUBMITTED)
        .select_related("task", "department", "submitted_by")
        .order_by(*sorting.order_by())
    )
    if form.is_bound and form.is_valid():
        for field, lookup in (
            ("plan", "task__plan_id"),
            ("department", "department_id"),
            ("task", "task_id"),
        ):
            if form.cleaned_data[field]:
                reports = reports.filter(**{lookup: form.cleaned_data[field]})
    # A backlog past 10,000 reports is counted by PostgreSQL's estimate (an exact COUNT over
    # 150,000 submitted reports took 0.7 s at province scale).
    page = EstimatedCountPaginator(reports, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/review_queue.html",
        {"form": form, "page": page, "query": query_without_page(request), "sorting": sorting},
    )


def _queue_plan_id(params):
    """The plan whose tasks fill the task dropdown: the chosen one, else the plan of the task
    a link filtered on (`?task=` alone, as the supervision pages link), else none."""
    for key in ("plan", "task"):
        try:
            value = int(params.get(key) or 0)
        except ValueError:
            return None
        if value and key == "plan":
            return value
        if value:
            return Task.objects.filter(pk=value).values_list("plan_id", flat=True).first()
    return None


def _segments(old, new):
    """Character-level diff of two texts as [(kind, text)] with kind equal/del/ins."""
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    segments = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", old[a1:a2]))
            continue
        if a2 > a1:
            segments.append(("del", old[a1:a2]))
        if b2 > b1:
            segments.append(("ins", new[b1:b2]))
    return segments


def compare_snapshots(old, new, targets=()):
    """Rows (label, old, new, changed, segments) for every field of two submission snapshots;
    a value of one of `targets` (the task's) reads as the pages show it (a milestone's 是/否)."""
    by_label = {snapshot_label(t): t for t in targets}

    def shown(label, value):
        target = by_label.get(label)
        return target.display_actual(value) if target is not None and value else value

    rows = []
    labels = {**REPORT_FIELD_LABELS, "evidence": "佐证材料"}
    for key, label in labels.items():
        a, b = old.get(key, ""), new.get(key, "")
        if isinstance(a, list):
            a, b = "、".join(a), "、".join(b or [])
        rows.append((label, a, b, a != b, _segments(str(a), str(b))))
    values_old, values_new = old.get("target_values", {}), new.get("target_values", {})
    for indicator in sorted(set(values_old) | set(values_new)):
        a = shown(indicator, values_old.get(indicator, ""))
        b = shown(indicator, values_new.get(indicator, ""))
        rows.append((f"实际值：{indicator}", a, b, a != b, _segments(a, b)))
    return rows


@require_safe
@permission_required("reports.view_report", raise_exception=True)
def report_compare(request, pk):
    report = get_report_for_user(request.user, pk)
    submissions = list(report.events.filter(snapshot__isnull=False).select_related("actor"))
    if len(submissions) < 2:
        return render(
            request,
            "reports/report_compare.html",
            {"report": report, "submissions": submissions, "rows": None},
        )
    by_id = {str(e.pk): e for e in submissions}
    older = by_id.get(request.GET.get("a"), submissions[-2])
    newer = by_id.get(request.GET.get("b"), submissions[-1])
    if older.pk == newer.pk:
        raise Http404("请选择两次不同的报送。")
    if older.at > newer.at:
        older, newer = newer, older
    context = {
        "report": report,
        "submissions": submissions,
        "older": older,
        "newer": newer,
        "rows": compare_snapshots(older.snapshot, newer.snapshot, report.task.targets.all()),
    }
    return render(request, "reports/report_compare.html", context)


HISTORY_SKIPPED_FIELDS = ["version", "updated_at"]


def _history_rows(records):
    """(record, [(field label, old, new)]) newest first, from simple-history records.

    Runs one extra query for the names of the users the records point to.
    """
    records = list(records)
    pairs = []
    user_ids: set[int] = set()
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=HISTORY_SKIPPED_FIELDS)
            changes = delta.changes
            user_ids.update(v for c in changes for v in (c.old, c.new) if isinstance(v, int) and v)
        pairs.append((record, changes))
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    rows = []
    for record, changes in pairs:
        labelled = []
        for change in changes:
            field = record.instance_type._meta.get_field(change.field)
            labelled.append(
                (
                    field.verbose_name,
                    display_value(field, change.old, users),
                    display_value(field, change.new, users),
                )
            )
        rows.append((record, labelled))
    return rows


@require_safe
@permission_required("reports.view_all_reports", raise_exception=True)
def report_history(request, pk):
    """Every saved version of the report and its target values (django-simple-history),
    HISTORY_PER_PAGE a page each (a draft saved many times has many versions)."""
    report = get_report_for_user(request.user, pk)
    report_records = report.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )
    value_records = (
        TargetValue.history.filter(report_id=report.pk)
        .select_related("history_user", "target")
        .order_by("-history_date", "-history_id")
    )
    # One page of versions, plus the version before the page's oldest for its diff.
    page = Paginator(report_records, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    start = page.start_index() - 1 if page.paginator.count else 0
    rows = _history_rows(report_records[start : start + HISTORY_PER_PAGE + 1])
    values = Paginator(value_records, HISTORY_PER_PAGE).get_page(request.GET.get("values_page"))
    context = {
        "report": report,
        "report_rows": rows[:HISTORY_PER_PAGE],
        "report_page": page,
        "value_records": values,
        "query_versions": query_without_page(request),
        "query_values": query_without(request, "values_page"),
    }
    return render(request, "reports/report_history.html", context)
