"""What the workbook shows, taken from the dashboard and scorecard selectors.

The workbook never computes a figure of its own: every percent, status, score and overdue
day comes from the dashboard's and scorecard's builders (`supervision.selectors`,
`supervision.scoring`), so the printed file and the pages always agree. This
module only flattens those results into rows, filters them to one department when asked, and
adds the text columns the pages don't carry (targets, the latest accepted progress text).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, Subquery

from departments.models import Department
from huancui_vet.dates import chinese_date
from huancui_vet.text import plain_number
from reports.models import Report, ReportState
from supervision.facts import load_plan_facts
from supervision.models import ScoringSettings
from supervision.orders.selectors import load_order_facts
from supervision.orders.workbook import order_rows
from supervision.scoring import build_scorecard, in_ranking_order, ranking_rule_sentence
from supervision.selectors import ComplianceRow, build_dashboard
from tasks.models import Plan, Task, TaskAssignment
from tasks.periods import end_of_day


@dataclass
class KeyFigure:
    label: str
    value: object
    style: str = "number"  # "number" | "percent" | "percent1" (one decimal) | "text"


@dataclass
class TaskRow:
    number: int
    content: str
    lead_units: str
    supporting_units: str
    targets: str
    latest_progress: str
    status: str  # the light's label (督查状态)
    progress_status: str  # the status the lead unit reported (推进状态), "" when none
    light: str  # green | amber | red | grey
    reason: str
    percent: float | None  # 0..1
    last_report_date: datetime.date | None
    short_label: str = ""


@dataclass
class ScoreRow:
    group: str  # the fair ranking's group, as on the scorecard: 牵头单位组 …
    rank: object  # the rank within the group (int), or 样本不足
    department: str
    score: object  # float, or a note when nothing was due
    grade: str
    components: list  # values in the order of WorkbookData.score_components
    lead_tasks: int = 0
    support_tasks: int = 0


@dataclass
class OverdueRow:
    task_number: int
    task: str
    department: str
    role: str
    period: str
    due_date: datetime.date | None
    days_overdue: int
    situation: str


@dataclass
class WorkbookData:
    plan: Plan
    year: int
    as_of: datetime.date
    department: Department | None = None  # Department the rows are filtered to, or None for all
    key_figures: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    score_title: str = ""
    score_components: list = field(default_factory=list)  # column headers
    scores: list = field(default_factory=list)
    ranking_rule: str = ""  # the fair ranking's rule in one sentence (ranking_rule_sentence)
    overdue: list = field(default_factory=list)
    overdue_note: str = ""

    @property
    def title(self):
        return f"{self.plan.title}推进情况汇总"


def short_label(number, content, length=14):
    """'1. 加强实训设施建设…' for chart categories."""
    text = content.replace("\n", "")
    return f"{number}. {text[:length]}…" if len(text) > length else f"{number}. {text}"


def _number(value):
    return plain_number(value)


def targets_text(target_rows):
    """Targets (the dashboard's TargetRow), one line each:
    '2022年：专业教师“双师型”比例 50%；实际 45%；未达成（已过期）'."""
    lines = []
    for target in target_rows:
        goal = f" {_number(target.target_value)}{target.unit}" if not target.is_milestone else ""
        if target.actual is None:
            actual = "暂无实际值"
        elif target.is_milestone:
            actual = "已完成" if target.actual >= 1 else "未完成"
        else:
            actual = f"实际 {_number(target.actual)}{target.unit}"
        lines.append(f"{target.year}年：{target.indicator}{goal}；{actual}；{target.status_label}")
    return "\n".join(lines)


def latest_progress_texts(*, plan, as_of, department=None):
    """task_id -> work_done of the newest lead report accepted by the as-of day (1 query)."""
    latest = (
        Report.objects.filter(
            task=OuterRef("pk"),
            state=ReportState.ACCEPTED,
            role=TaskAssignment.Role.LEAD,
            period_start__lte=as_of,
            reviewed_at__lt=end_of_day(as_of),
        )
        .order_by("-period_start", "-reviewed_at")
        .values("work_done")[:1]
    )
    tasks = (
        Task.objects.filter(plan=plan).annotate(latest_progress=Subquery(latest)).order_by("number")
    )
    if department is not None:
        tasks = tasks.filter(assignments__department=department)
    return dict(tasks.values_list("pk", "latest_progress"))


def _key_figures(dashboard, tasks, overdue, department):
    """The dashboard's headline figures; for one department, the same figures over its
    tasks (averaged and counted the dashboard's way) and its own compliance row."""
    year_targets = dashboard.year_targets.rows
    if department is None:
        overall, counts = dashboard.overall_percent, dashboard.light_counts
        total = dashboard.compliance_total
        overall_label = "总体完成率（各任务最新完成率平均）"
    else:
        percents = [t.percent or 0 for t in tasks]
        overall = (
            (Decimal(sum(percents)) / len(percents)).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if percents
            else Decimal("0.0")
        )
        counts = Counter(t.light for t in tasks)
        total = next(
            (c for c in dashboard.compliance if c.department_id == department.pk),
            ComplianceRow(department_id=department.pk, department_name=department.name),
        )
        task_ids = {t.task_id for t in tasks}
        year_targets = [r for r in year_targets if r.task_id in task_ids]
        overall_label = "本单位参与任务平均完成率"
    figures = [
        KeyFigure("任务总数（项）", len(tasks)),
        KeyFigure(overall_label, _fraction(overall), "percent1"),
        KeyFigure("正常推进（绿灯，项）", counts.get("green", 0)),
        KeyFigure("预警（黄灯，项）", counts.get("amber", 0)),
        KeyFigure("滞后或逾期（红灯，项）", counts.get("red", 0)),
        KeyFigure("尚无到期报告（项）", counts.get("grey", 0)),
    ]
    period = dashboard.current_period
    if period is not None:
        figures += [
            KeyFigure(f"{period.label}应报送（份）", total.expected),
            KeyFigure(f"{period.label}按时报送（份）", total.on_time),
            KeyFigure(f"{period.label}逾期报送（份）", total.late),
            KeyFigure(f"{period.label}未报送（份）", total.missing),
            KeyFigure(f"{period.label}退回修改（份）", total.returned),
            KeyFigure(f"{period.label}按时报送率", _fraction(total.on_time_rate), "percent1"),
        ]
    figures += [
        KeyFigure(f"{dashboard.year}年目标（项）", len(year_targets)),
        KeyFigure(
            f"{dashboard.year}年目标已达成（项）", sum(r.status == "met" for r in year_targets)
        ),
        KeyFigure(
            f"{dashboard.year}年目标未达成且已过期（项）",
            sum(r.status == "missed" for r in year_targets),
        ),
        KeyFigure("累计逾期未报送（份）", len(overdue)),
    ]
    return figures


def _fraction(percent):
    """A 0–100 figure as the 0–1 number Excel's % format expects."""
    return None if percent is None else float(percent) / 100


def collect_workbook_data(
    *, plan, year, as_of, user, department=None, score_period="plan", score_period_start=None
):
    """Run the dashboard and scorecard selectors and flatten them for the workbook.

    `user` scopes the data exactly as on the pages (None = everything, for the command
    line); `department` narrows the rows to one unit's tasks, reports and score.
    `score_period` ("month" | "quarter" | "year" | "plan") and `score_period_start` (any day
    in the window; default the as-of date) choose the scorecard window as on its page.
    Runs about a dozen queries in all.
    """
    # One load of the plan's facts feeds both selectors' builders (dashboard_data and
    # scorecard_data each load them again); tests check the figures equal theirs.
    facts = load_plan_facts(plan=plan, as_of=as_of, user=user)
    dashboard = build_dashboard(facts, year=year)
    texts = latest_progress_texts(plan=plan, as_of=as_of, department=department)
    tasks = [t for t in dashboard.tasks if department is None or t.task_id in texts]
    overdue = [
        o for o in dashboard.overdue if department is None or o.department_id == department.pk
    ]
    data = WorkbookData(plan=plan, year=year, as_of=as_of, department=department)
    data.tasks = [
        TaskRow(
            number=t.number,
            content=t.content,
            lead_units=t.lead_units_text,
            supporting_units=t.supporting_units_text,
            targets=targets_text(t.targets),
            latest_progress=texts.get(t.task_id) or "",
            status=t.light_label,
            progress_status=t.progress_status_label,
            light=t.light,
            reason=t.reason,
            percent=_fraction(t.percent),
            last_report_date=t.last_report_date,
            short_label=short_label(t.number, t.content),
        )
        for t in tasks
    ]
    data.key_figures = _key_figures(dashboard, tasks, overdue, department)
    # The attachment's full unit names (the dashboard shows short ones on screen).
    names = {pk: dept.name for pk, dept in facts.departments.items()}
    data.overdue = [
        OverdueRow(
            task_number=o.task_number,
            task=short_label(o.task_number, o.task_content, length=30),
            department=names.get(o.department_id, o.department_name),
            role=o.role_label,
            period=o.period_label,
            due_date=o.due_date,
            days_overdue=o.days_overdue,
            situation="逾期未报送",
        )
        for o in overdue
    ]
    orders = load_order_facts(plan=plan, as_of=as_of, department_id=facts.scoped_department_id)
    data.overdue += order_rows(orders, facts, names, department=department)
    _add_scores(data, facts, orders, period_kind=score_period, period_start=score_period_start)
    return data


def _add_scores(data, facts, orders, *, period_kind, period_start):
    """Fill the 部门评分 rows from the scorecard selector: its fair ranking (group and rank
    within the group, build_scorecard's), in the scorecard page's order."""
    settings = ScoringSettings.for_plan(data.plan)
    data.ranking_rule = ranking_rule_sentence(settings)
    scorecard = build_scorecard(
        facts,
        settings=settings,
        period_kind=period_kind,
        period_start=period_start or data.as_of,
        detailed=False,  # the ranking only: same scores, no line items
        orders=orders,
    )
    rows = [
        r
        for r in in_ranking_order(scorecard.rows)
        if data.department is None or r.department_id == data.department.pk
    ]
    as_of = data.as_of
    data.score_title = f"评分期间：{scorecard.window_label}　统计截至：{chinese_date(as_of)}"
    if scorecard.rows:
        data.score_components = [
            f"{c.label}\n（{c.weight}分）" for c in scorecard.rows[0].components
        ]
    data.scores = [
        ScoreRow(
            group=r.ranking.group_label,
            rank="样本不足" if r.ranking.insufficient else r.ranking.rank,
            department=r.full_name,
            score=float(r.score) if r.score is not None else "无到期事项",
            grade=r.grade or "—",
            components=[float(c.score) for c in r.components],
            lead_tasks=r.lead_tasks,
            support_tasks=r.support_tasks,
        )
        for r in rows
    ]
