"""A department's own pages: My tasks (the reporter's home) and the head's sign-off queue."""

from collections import Counter, defaultdict, namedtuple
from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from reports.kept import kept
from reports.models import PeriodLock, Report, ReportState, ReportSummary
from reports.selectors import (
    PeriodState,
    PlanPeriodCache,
    count_states,
    is_past_due,
    next_due,
    period_statuses,
)
from reports.standing import standing_summary_subquery
from tasks.models import Plan, Task, TaskAssignment
from tasks.periods import end_of_day

TASKS_PER_PAGE = 30
RETURNED_LINKED = 3  # returned reports linked per task row, oldest first; the rest counted
SHOW_CHOICES = {"": "全部任务", "attention": "需处理（逾期未报或被退回）", "lead": "牵头任务"}
MY_TASKS_REPORT_FIELDS = (
    "id",
    "task_id",
    "department_id",
    "period_start",
    "state",
    "first_submitted_at",
    "percent",
)


def _assigned(department):
    """[(task_id, plan_id, role)] of every task the unit is on, in plan and 序号 order: one
    narrow row per assignment, no report."""
    return list(
        TaskAssignment.objects.filter(department=department)
        .order_by("task__plan_id", "task__number", "task_id")
        .values_list("task_id", "task__plan_id", "role")
    )


def _missing_by_task(department, plans, today):
    """{task_id: periods past due without a submission} from one aggregate query: a plan's
    past-due periods (period_state's missing rule: the period and its due date are over)
    minus the unit's reports on them first submitted by the end of today."""
    periods_of = PlanPeriodCache()
    past_due = {
        plan.pk: [p.start for p in periods_of(plan) if is_past_due(p, today)] for plan in plans
    }
    # Plans sharing a reporting calendar share one condition: a unit on fifty monthly plans
    # of the same years gets one IN list, not fifty (query building was half this page).
    plans_by_starts: defaultdict[tuple, list[int]] = defaultdict(list)
    for plan_id, starts in past_due.items():
        if starts:
            plans_by_starts[tuple(starts)].append(plan_id)
    in_due = Q(pk__in=[])
    for calendar, plan_ids in plans_by_starts.items():
        in_due |= Q(plan_id__in=plan_ids, period_start__in=calendar)
    submitted = dict(
        ReportSummary.objects.filter(in_due, department=department)
        .filter(first_submitted_at__lt=end_of_day(today))
        .values("task_id")
        .annotate(n=Count("id"))
        .values_list("task_id", "n")
    )
    return past_due, submitted


OwnRow = namedtuple("OwnRow", "pk task_id period_start state first_submitted_at")
DraftLink = namedtuple("DraftLink", "pk period_start")
DRAFTS_LINKED = 3  # drafts linked per task row, oldest first; the rest counted


def _task_rows(department, tasks, today):
    """One row per task of the page: the task's standing (annotated by
    reports.standing.standing_summary_subquery), the next due period and late/missing counts
    (period_statuses), returned reports (the unit's newest report: _with_latest_own).

    The period rule runs over narrow value tuples of the page's tasks; only the reports and
    summaries the page shows are loaded as models (no report text)."""
    task_ids = [t.pk for t in tasks]
    own = defaultdict(list)
    # Not drafts: they change no period's state nor the returned list, and the page is kept
    # under tokens a draft save does not renew (the newest report: _with_latest_own).
    for row in (
        Report.objects.filter(task__in=task_ids, department=department)
        .exclude(state=ReportState.DRAFT)
        .order_by("period_start")
        .values_list(*OwnRow._fields)
    ):
        own[row[1]].append(OwnRow(*row))
    periods_of = PlanPeriodCache()
    rows = []
    for task in tasks:
        statuses = period_statuses(
            task.plan,
            own[task.pk],
            today,
            periods=periods_of(task.plan),
            deadlines=periods_of.deadlines(task.plan),
        )
        counts = count_states(statuses)
        role = task.role_of(department)
        rows.append(
            {
                "task": task,
                "role": role,
                "is_lead": role == TaskAssignment.Role.LEAD,
                "standing": task.standing_id,
                "next_due": next_due(statuses),
                "missing": counts[PeriodState.MISSING],
                "late": counts[PeriodState.LATE],
                # Every returned report waits for the unit, also when a newer one exists;
                # the oldest few are linked, the rest counted (a row stays readable).
                **_returned(own[task.pk]),
            }
        )
    return _as_models(rows)


def _returned(own_rows):
    """The row's returned reports: the oldest RETURNED_LINKED (own_rows are oldest first)
    and how many more there are."""
    returned = [r for r in own_rows if r.state == ReportState.RETURNED]
    return {
        "returned": returned[:RETURNED_LINKED],
        "returned_more": max(0, len(returned) - RETURNED_LINKED),
    }


def _as_models(rows):
    """Swap the tuples the page shows for their Report / ReportSummary (two queries)."""
    report_ids = {x.pk for r in rows for x in r["returned"]}
    reports = Report.objects.only(*MY_TASKS_REPORT_FIELDS).order_by().in_bulk(report_ids)
    summaries = ReportSummary.objects.in_bulk({r["standing"] for r in rows if r["standing"]})
    for row in rows:
        row["returned"] = [reports[x.pk] for x in row["returned"]]
        row["standing"] = summaries[row["standing"]] if row["standing"] else None
    return rows


def my_tasks_page(department, today, *, plan_id=None, show="", number=None):
    """My tasks for a unit on any number of tasks: the header figures by aggregate over all its
    tasks, the table one page of TASKS_PER_PAGE tasks (a constant number of queries; three
    while nothing on the unit's plans changed: reports.kept, plus the newest reports)."""
    assigned = _assigned(department)

    def build():
        return _page(department, assigned, today, plan_id=plan_id, show=show, number=number)

    page, stats, plans = kept(
        "my_tasks",
        {p for _, p, _ in assigned},
        build,
        scope=department.pk,
        today=today,
        plan=plan_id,
        show=show,
        page=number,
    )
    _with_latest_own(department, page.object_list)
    return page, stats, plans


def _with_latest_own(department, rows):
    """Each row's newest report of the unit (drafts included), its drafts not yet sent and
    where 下一个待报期 leads (three queries). Read on every view, not kept: saving a draft
    renews no figures token (supervision.figure_triggers)."""
    task_ids = [row["task"].pk for row in rows]
    latest = _newest_reports(department, task_ids)
    drafts = _drafts_by_task(department, task_ids)
    closed = _closed_periods(rows)
    for row in rows:
        row["latest_own"] = latest.get(row["task"].pk)
        own_drafts = drafts[row["task"].pk]
        row["drafts"] = own_drafts[:DRAFTS_LINKED]
        row["drafts_more"] = max(0, len(own_drafts) - DRAFTS_LINKED)
        row["next_due_link"] = _next_due_link(row, own_drafts, closed)


def _newest_reports(department, task_ids):
    """{task_id: the unit's newest Report on it}, drafts included (one query)."""
    newest = (
        Report.objects.filter(task=OuterRef("pk"), department=department)
        .order_by("-period_start")
        .values("pk")[:1]
    )
    ids = Task.objects.filter(pk__in=task_ids).annotate(newest=Subquery(newest)).order_by()
    reports = Report.objects.filter(pk__in=ids.values("newest")).only(*MY_TASKS_REPORT_FIELDS)
    return {report.task_id: report for report in reports.order_by()}


def _drafts_by_task(department, task_ids):
    """{task_id: [DraftLink]} of the unit's drafts on the tasks, oldest first (one query)."""
    drafts = defaultdict(list)
    rows = Report.objects.filter(
        task__in=task_ids, department=department, state=ReportState.DRAFT
    ).order_by("task_id", "period_start")
    for pk, task_id, period_start in rows.values_list("pk", "task_id", "period_start"):
        drafts[task_id].append(DraftLink(pk, period_start))
    return drafts


def _closed_periods(rows):
    """{(plan id, period start)} of the page's next periods that are closed (one query)."""
    wanted = {(r["task"].plan_id, r["next_due"].period.start) for r in rows if r["next_due"]}
    if not wanted:
        return set()
    locks = PeriodLock.objects.closed().filter(
        plan_id__in={plan for plan, _ in wanted},
        period_start__in={start for _, start in wanted},
    )
    return set(locks.values_list("plan_id", "period_start")) & wanted


def _next_due_link(row, own_drafts, closed):
    """Where 下一个待报期 leads, as (kind, report pk): ("draft", pk) its draft, ("report", pk)
    its report (waiting for the head's sign-off, say), ("new", None) a new report, or
    ("closed", None) nowhere, the period being closed; None when nothing is due."""
    due = row["next_due"]
    if due is None:
        return None
    draft = next((d for d in own_drafts if d.period_start == due.period.start), None)
    if draft is not None:
        return ("draft", draft.pk)
    if due.report is not None:
        return ("report", due.report.pk)
    if (row["task"].plan_id, due.period.start) in closed:
        return ("closed", None)
    return ("new", None)


def _page(department, assigned, today, *, plan_id, show, number):
    plans = list(Plan.objects.filter(pk__in={p for _, p, _ in assigned}).order_by("pk"))
    past_due, submitted = _missing_by_task(department, plans, today)
    missing = {t: len(past_due[p]) - submitted.get(t, 0) for t, p, _ in assigned}
    # Only tasks the unit still carries: a report returned before a re-assignment is no
    # longer the unit's to act on (and has no row in the table).
    returned = Counter(
        Report.objects.filter(
            department=department,
            state=ReportState.RETURNED,
            task_id__in=[task_id for task_id, _, _ in assigned],
        )
        .order_by()  # counted, so no join to tasks for the default order
        .values_list("task_id", flat=True)
    )
    stats = {
        "tasks": len(assigned),
        "lead": sum(1 for *_, role in assigned if role == TaskAssignment.Role.LEAD),
        "missing": sum(1 for n in missing.values() if n),
        "returned": sum(returned.values()),
    }
    chosen = [
        t
        for t, p, role in assigned
        if (plan_id is None or p == plan_id)
        and (show != "attention" or missing[t] or returned[t])
        and (show != "lead" or role == TaskAssignment.Role.LEAD)
    ]
    page = Paginator(chosen, TASKS_PER_PAGE).get_page(number)
    ids = list(page.object_list)
    tasks = Task.objects.filter(pk__in=ids).select_related("plan").with_units()
    # The standing (reports.standing's rule) as a subquery: no accepted report row is read.
    tasks = tasks.annotate(standing_id=standing_summary_subquery())
    by_pk = {t.pk: t for t in tasks}
    page.object_list = _task_rows(department, [by_pk[i] for i in ids], today)
    return page, stats, plans


def _int(value):
    return int(value) if value and value.isdigit() else None


@require_safe
@permission_required("reports.submit_report", raise_exception=True)
def my_tasks(request):
    department = request.user.department
    plan_id = _int(request.GET.get("plan"))
    show = request.GET.get("show", "")
    show = show if show in SHOW_CHOICES else ""
    page, stats, plans = None, {"tasks": 0, "lead": 0, "missing": 0, "returned": 0}, []
    if department:
        page, stats, plans = my_tasks_page(
            department,
            timezone.localdate(),
            plan_id=plan_id,
            show=show,
            number=_int(request.GET.get("page")),
        )
    query = urlencode([(k, v) for k, v in (("plan", plan_id or ""), ("show", show)) if v])
    context = {
        "rows": page.object_list if page else [],
        "page": page,
        "stats": stats,
        "plans": plans,
        "plan_id": plan_id,
        "show": show,
        "show_choices": SHOW_CHOICES.items(),
        "query": query,
    }
    return render(request, "reports/my_tasks.html", context)


@require_safe
@permission_required("reports.signoff_report", raise_exception=True)
def signoff_queue(request):
    reports = (
        Report.objects.filter(
            department_id=request.user.department_id, state=ReportState.AWAITING_SIGNOFF
        )
        .select_related("task", "submitted_by")
        .order_by("updated_at", "id")
    )
    return render(request, "reports/signoff_queue.html", {"reports": reports})
