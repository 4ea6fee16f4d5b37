"""The department scorecard: a 0–100 score per department for a period, item by item.

How a score is built (shown on the scorecard page too):

- Every *item* earns points between 0 and 1 and carries a weight: the lead factor
  (ScoringSettings.lead_factor, default 2) for a task the department leads, 1 for a task it
  supports.
- Components, each a weighted share of its items' points:
  1. 报送及时性 (timeliness): every expected report (assignment × period ending in the window
     whose due date is before the as-of date). On time 1, late `late_credit`%, missing 0.
  2. 任务与目标完成 (completion): every task whose deadline (or the plan's last day) and every
     target whose year-end falls in the window and has passed. Done/met in a period that began
     by the due date 1, done/met later `late_credit`%, not done 0. Units share their task's result.
  3. 审核结果 (review): the same expected reports once reviewed. Accepted without ever being
     returned 1; returned at least once 0; missing 0; awaiting review is not counted yet.
  4. 督办单办理 (supervision orders and on-site verifications): see
     supervision/orders/scoring.py for the rule.
- A component with no items scores full marks and says so. Score = Σ weight × share,
  rounded half-up to one decimal. A department with no items at all has no score.

Everything is a pure function of the loaded facts and the as-of date: same data, same score.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from huancui_vet.dates import add_months, chinese_date, chinese_month
from reports.selectors import PeriodState
from supervision.facts import PlanFacts, load_plan_facts, local_date, visible_department_id
from supervision.figure_cache import cached_figures
from supervision.models import ScoringSettings
from supervision.orders.scoring import NO_ORDERS_NOTE, add_order_items
from supervision.orders.selectors import load_order_facts
from tasks.models import Plan, TaskAssignment

PERIOD_KINDS = {"month": "月度", "quarter": "季度", "year": "年度", "plan": "全周期"}

COMPONENTS = (
    ("timeliness", "报送及时性", "weight_timeliness"),
    ("completion", "任务与目标完成", "weight_completion"),
    ("review", "审核结果", "weight_review"),
    ("orders", "督办单办理", "weight_orders"),
)
ONE = Decimal(1)
ZERO = Decimal(0)
_MIN = datetime.date.min


@dataclass
class ScoreItem:
    """One line of a department's breakdown."""

    component: str  # key from COMPONENTS
    task_id: int | None
    task_number: int | None
    subject: str  # what the line is about, e.g. "2023年5月报告" or "2023年目标：…"
    role: str  # "lead" | "support" | ""
    role_label: str
    weight: Decimal
    points: Decimal  # 0..1
    outcome: str  # Chinese sentence: what happened
    period_start: datetime.date | None = None

    @property
    def earned(self):
        return self.weight * self.points


@dataclass
class ComponentScore:
    key: str
    label: str
    weight: int  # points out of 100 this component is worth
    earned: Decimal  # Σ item weight × points
    possible: Decimal  # Σ item weight
    item_count: int
    note: str

    @property
    def share(self):
        """The fraction of the component achieved (1 when it has no items)."""
        return self.earned / self.possible if self.possible else ONE

    @property
    def score(self):
        return _round1(self.weight * self.share)

    @property
    def percent(self):
        return _round1(self.share * 100)


@dataclass
class DepartmentScore:
    department_id: int
    department_name: str
    full_name: str
    lead_tasks: int
    support_tasks: int
    score: Decimal | None
    grade: str
    components: list[ComponentScore]
    items: list[ScoreItem] = field(default_factory=list)
    # The unit's place in the fair ranking (fair_ranking), the only rank there is: the
    # scorecard, the drill-down and the workbook all read it from here.
    ranking: "RankedEntry | None" = None

    def component(self, key):
        for c in self.components:
            if c.key == key:
                return c
        raise KeyError(key)

    def items_for(self, key):
        return [i for i in self.items if i.component == key]


@dataclass
class ScorecardData:
    plan: Plan
    period_kind: str
    period_kind_label: str
    window_start: datetime.date
    window_end: datetime.date
    window_label: str
    as_of: datetime.date
    settings: ScoringSettings
    # best score first, departments without a score last; each row's `ranking` is its place
    # in the fair ranking (in_ranking_order sorts rows the way the scorecard shows them)
    rows: list[DepartmentScore]
    # [(group label, [Standing])] when built by supervision.trends.scorecard_with_standing
    standing: list = field(default_factory=list)

    def row_for(self, department_id):
        for row in self.rows:
            if row.department_id == department_id:
                return row
        return None


def _round1(value):
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def scoring_window(plan, period_kind, period_start):
    """(start, end, label) of a scoring window containing `period_start`."""
    if period_kind == "plan":
        return plan.first_period_start, plan.last_day, "方案全周期"
    day = period_start
    if period_kind == "year":
        start, months = datetime.date(day.year, 1, 1), 12
        label = f"{day.year}年"
    elif period_kind == "quarter":
        start, months = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1), 3
        label = f"{day.year}年第{(start.month - 1) // 3 + 1}季度"
    elif period_kind == "month":
        start, months = day.replace(day=1), 1
        label = chinese_month(day)
    else:
        raise ValueError(f"unknown period kind {period_kind!r}")
    return start, add_months(start, months) - datetime.timedelta(days=1), label


class _Sink:
    """Collects item points per department and component; builds line items only if asked.

    The ranking needs only the sums; building thousands of ScoreItems with their sentences
    is what makes a whole-plan scorecard slow, so only the drill-down asks for them.
    """

    def __init__(self, department_ids, detailed, detail_department=None):
        """`detail_department`: build the line items of that department only (its drill-down)."""
        self.detailed = detailed or detail_department is not None
        self.detail_department = detail_department
        self.items = {d: [] for d in department_ids}
        self.totals = {
            d: {key: [Decimal(0), Decimal(0), 0] for key, *_ in COMPONENTS} for d in department_ids
        }

    def add(self, department_id, component, weight, points, count=1):
        """`count` items of the same weight and points (counted from the database's masks)."""
        if not count:
            return
        total = self.totals[department_id][component]
        total[0] += weight * points * count
        total[1] += weight * count
        total[2] += count

    def wants(self, department_id):
        """Whether the line items of `department_id` are built."""
        if self.detail_department is not None:
            return department_id == self.detail_department
        return self.detailed

    def item(self, department_id, **fields):
        if self.wants(department_id):
            self.items[department_id].append(ScoreItem(**fields))


def _points(state, returned, accepted, late):
    """(timeliness, review) points of one expected report: review None while it awaits review."""
    if state not in (PeriodState.SUBMITTED, PeriodState.LATE):
        return ZERO, ZERO
    timely = ONE if state == PeriodState.SUBMITTED else late
    if returned:
        return timely, ZERO
    return timely, (ONE if accepted else None)


def _timeliness_and_review(facts, settings, window, weight_of, sink):
    """Every expected report due in the window, counted per assignment from the database's
    submission masks (the same _points per report); the line items (drill-down only) from
    the window's rows."""
    start, end = window
    late = Decimal(settings.late_credit) / 100
    periods = [p for p in facts.due_periods() if start <= p.end <= end]
    if not periods:
        return
    window_bits = facts.bits(periods)
    expected = window_bits.bit_count()
    for a in facts.assignments:
        dept, weight = a.department_id, weight_of(a)
        found = facts.submissions_of(a)
        sent = found.submitted & window_bits
        late_bits = found.late & sent
        returned = found.returned_ever & sent
        accepted = found.accepted & sent & ~returned  # the rest awaits review: not counted
        on_time_n, late_n = (sent & ~late_bits).bit_count(), late_bits.bit_count()
        missing_n = expected - sent.bit_count()
        sink.add(dept, "timeliness", weight, ONE, on_time_n)
        sink.add(dept, "timeliness", weight, late, late_n)
        sink.add(dept, "timeliness", weight, ZERO, missing_n)
        sink.add(dept, "review", weight, ZERO, returned.bit_count() + missing_n)
        sink.add(dept, "review", weight, ONE, accepted.bit_count())
    if sink.detailed:
        _timeliness_items(facts, periods, late, weight_of, sink)


def _timeliness_items(facts, periods, late, weight_of, sink):
    cutoff = facts.cutoff
    zero = ZERO
    only = sink.detail_department
    rows = facts.rows(periods, department_id=only)
    assignments = [a for a in facts.assignments if only is None or a.department_id == only]
    for period in periods:
        for a in assignments:
            fact = rows.get((a.task_id, a.department_id, period.start))
            dept, weight = a.department_id, weight_of(a)
            state = facts.period_state(period, fact)
            submitted = state in (PeriodState.SUBMITTED, PeriodState.LATE)
            timely, review = _points(
                state,
                submitted and bool(fact.times_returned),
                submitted and fact.accepted_by(cutoff),
                late,
            )
            task = facts.task(a.task_id)
            base = {
                "task_id": task.pk,
                "task_number": task.number,
                "subject": f"{period.label}报告",
                "role": a.role,
                "role_label": TaskAssignment.Role(a.role).label,
                "weight": weight,
                "period_start": period.start,
            }
            if not submitted:
                days = (facts.as_of - period.due).days
                sink.item(
                    dept,
                    component="timeliness",
                    points=zero,
                    outcome=f"未报送（已逾期{days}天）",
                    **base,
                )
                sink.item(
                    dept, component="review", points=zero, outcome="未报送，无审核结果", **base
                )
                continue
            sent = local_date(fact.first_submitted_at)
            when = f"（{chinese_date(sent)}，截止{chinese_date(period.due)}）"
            if timely == ONE:
                outcome = f"按期报送{when}"
            else:
                outcome = f"逾期{(sent - period.due).days}天报送{when}"
            sink.item(dept, component="timeliness", points=timely, outcome=outcome, **base)
            if review is not None:
                outcome = f"被退回{fact.times_returned}次" if review == zero else "一次审核通过"
                sink.item(dept, component="review", points=review, outcome=outcome, **base)


def _completion(facts, settings, window, weight_of, sink):
    start, end = window
    late = Decimal(settings.late_credit) / 100
    first_done_of = facts.first_done_periods()  # accepted by as-of, is_done
    targets_by_task = {}
    for target in facts.targets:
        targets_by_task.setdefault(target.task_id, []).append(target)
    for a in facts.assignments:
        task = facts.task(a.task_id)
        common = {
            "task_id": task.pk,
            "task_number": task.number,
            "role": a.role,
            "role_label": TaskAssignment.Role(a.role).label,
            "weight": weight_of(a),
        }
        due = task.deadline or facts.plan.last_day
        if start <= due <= end and due < facts.as_of:
            first_done = first_done_of.get(task.pk)
            if first_done is not None and first_done <= due:
                points, outcome = ONE, f"按期完成（{facts.period(first_done).label}报告确认完成）"
            elif first_done is not None:
                points, outcome = late, f"逾期完成（{facts.period(first_done).label}报告确认完成）"
            else:
                points, outcome = Decimal(0), f"到期（{chinese_date(due)}）未完成"
            sink.add(a.department_id, "completion", common["weight"], points)
            if sink.wants(a.department_id):
                sink.item(
                    a.department_id,
                    component="completion",
                    subject=f"任务完成（时限{chinese_date(due)}）",
                    points=points,
                    outcome=outcome,
                    **common,
                )
        for target in targets_by_task.get(task.pk, []):
            if not (start <= target.due_date <= end and target.due_date < facts.as_of):
                continue
            on_time = facts.actual_for(target, by=target.due_date)
            latest = facts.actual_for(target)
            if on_time and target.is_met_by(on_time[1]):
                points, outcome = ONE, f"按期达成（{_actual(target, on_time[1])}）"
            elif latest and target.is_met_by(latest[1]):
                points, outcome = late, f"逾期达成（{_actual(target, latest[1])}）"
            else:
                actual = f"，{_actual(target, latest[1])}" if latest else "，未填报实际值"
                points, outcome = Decimal(0), f"未达成{actual}"
            goal = (
                f"（目标{_num(target.target_value)}{target.unit}）"
                if target.target_value is not None
                else ""
            )
            sink.add(a.department_id, "completion", common["weight"], points)
            if sink.wants(a.department_id):
                sink.item(
                    a.department_id,
                    component="completion",
                    subject=f"{target.year}年目标：{target.indicator}{goal}",
                    points=points,
                    outcome=outcome,
                    **common,
                )


def _actual(target, value):
    """A line's actual value as the pages show it: 实际60个, or 已完成 / 未完成 for a yes/no
    target (tasks.models.actual_text)."""
    if target.is_yes_no:
        return "已完成" if value >= 1 else "未完成"
    return f"实际{target.display_actual(value)}"


def _num(value):
    if value is None:
        return ""
    return f"{value.normalize():f}"


NO_ITEMS_NOTE = "本期无到期事项，按满分计"


def build_scorecard(
    facts: PlanFacts,
    *,
    settings,
    period_kind,
    period_start,
    detailed=True,
    orders=None,
    detail_department=None,
):
    """`orders`: the plan's OrderFacts (supervision.orders.selectors) for the 督办 component.
    `detail_department`: line items for that department only (the others' stay empty, every
    score and rank the same); its report rows are the only ones read."""
    window_start, window_end, label = scoring_window(facts.plan, period_kind, period_start)
    factor = Decimal(settings.lead_factor)

    def weight_of(assignment):
        return factor if assignment.role == TaskAssignment.Role.LEAD else ONE

    sink = _Sink(facts.departments, detailed, detail_department)
    window = (window_start, window_end)
    _timeliness_and_review(facts, settings, window, weight_of, sink)
    _completion(facts, settings, window, weight_of, sink)
    if orders is not None:
        late = Decimal(settings.late_credit) / 100
        add_order_items(
            orders, facts, late_credit=late, window=window, weight_of=weight_of, sink=sink
        )

    roles = {dept_id: [0, 0] for dept_id in facts.departments}
    for a in facts.assignments:
        roles[a.department_id][0 if a.role == TaskAssignment.Role.LEAD else 1] += 1

    component_order = {key: i for i, (key, _label, _field) in enumerate(COMPONENTS)}
    rows = []
    for dept_id, dept in facts.departments.items():
        dept_items = sink.items[dept_id]
        totals = sink.totals[dept_id]
        dept_items.sort(
            key=lambda i: (component_order[i.component], i.task_number or 0, i.period_start or _MIN)
        )
        components = []
        for key, comp_label, weight_field in COMPONENTS:
            earned, possible, count = totals[key]
            if key == "orders" and not count:
                note = NO_ORDERS_NOTE
            elif not count:
                note = NO_ITEMS_NOTE
            else:
                note = f"{count}项，得{_num(earned)}/{_num(possible)}（加权）"
            components.append(
                ComponentScore(
                    key=key,
                    label=comp_label,
                    weight=getattr(settings, weight_field),
                    earned=earned,
                    possible=possible,
                    item_count=count,
                    note=note,
                )
            )
        has_items = any(c.item_count for c in components)
        score = _round1(sum(c.weight * c.share for c in components)) if has_items else None
        rows.append(
            DepartmentScore(
                department_id=dept_id,
                department_name=dept.display_name,
                full_name=dept.name,
                lead_tasks=roles[dept_id][0],
                support_tasks=roles[dept_id][1],
                score=score,
                grade=settings.grade_for(score),
                components=components,
                items=dept_items,
            )
        )
    order = list(facts.departments)
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), order.index(r.department_id)))
    ranking = fair_ranking(rows, settings)
    for row in rows:
        row.ranking = ranking[row.department_id]
    return ScorecardData(
        plan=facts.plan,
        period_kind=period_kind,
        period_kind_label=PERIOD_KINDS[period_kind],
        window_start=window_start,
        window_end=window_end,
        window_label=label,
        as_of=facts.as_of,
        settings=settings,
        rows=rows,
    )


def scorecard_data(
    *,
    plan: Plan,
    period_kind: str,
    as_of: datetime.date,
    user,
    period_start: datetime.date | None = None,
    detailed: bool = True,
    detail_department: int | None = None,
) -> ScorecardData:
    """Ranked department scores of `plan` for the window of `period_kind` (13 queries with
    the supervision orders, whatever the data; 1 while the plan's figures are unchanged:
    supervision.figure_cache).

    `period_kind`: "month" | "quarter" | "year" | "plan"; `period_start`: any day in the
    window (defaults to the as-of date). Department users get only their own department.
    `detailed=False` skips the line items (DepartmentScore.items stay empty): same scores,
    much cheaper for a ranking of a whole plan. `detail_department`: the line items of that
    department only (its drill-down), reading only its report rows.
    """
    window_day = period_start or as_of

    def build():
        settings = ScoringSettings.for_plan(plan)
        facts = load_plan_facts(plan=plan, as_of=as_of, user=user)
        orders = load_order_facts(plan=plan, as_of=as_of, department_id=facts.scoped_department_id)
        return build_scorecard(
            facts,
            orders=orders,
            settings=settings,
            period_kind=period_kind,
            period_start=window_day,
            detailed=detailed,
            detail_department=detail_department,
        )

    return cached_figures(
        "scorecard",
        plan,
        build,
        period_kind=period_kind,
        period_start=window_day,
        as_of=as_of,
        scope=visible_department_id(user),
        detailed=detailed,
        detail_department=detail_department,
    )


# --- fair ranking (分类考核) -------------------------------------------------------------

GROUP_LEAD, GROUP_SUPPORT, GROUP_ALL = "lead", "support", "all"
GROUP_LABELS = {
    GROUP_LEAD: "牵头单位组",
    GROUP_SUPPORT: "仅配合单位组",
    GROUP_ALL: "全部单位",
}
GROUP_ORDER = (GROUP_LEAD, GROUP_SUPPORT, GROUP_ALL)


@dataclass
class RankedEntry:
    """Where one unit stands in the fair ranking."""

    department_id: int
    group: str  # GROUP_LEAD | GROUP_SUPPORT | GROUP_ALL
    expected_reports: int  # expected reports due in the window (the timeliness items)
    score: Decimal | None
    insufficient: bool  # fewer than settings.min_expected_reports: shown, never ranked
    rank: int | None = None

    @property
    def group_label(self):
        return GROUP_LABELS[self.group]

    @property
    def text(self):
        """'牵头单位组第4名', or '样本不足' for a unit not ranked."""
        return "样本不足" if self.insufficient else f"{self.group_label}第{self.rank}名"


def ranking_group(row, rule):
    """A unit's group: with the grouped rule, units leading any task apart from units that
    only support; with the single rule, one group."""
    if rule != "grouped":
        return GROUP_ALL
    return GROUP_LEAD if row.lead_tasks else GROUP_SUPPORT


def fair_ranking(rows, settings, *, scores=None):
    """{department_id: RankedEntry} for the rows scorecard_data returns.

    Ranks within each group by score (ties share a rank, the next rank skips), best first.
    A unit with fewer than `settings.min_expected_reports` expected reports in the window, or
    with no score, is 样本不足 and not ranked. `scores`: {department_id: score} to rank by
    instead of the rows' own scores (the year-end evaluation ranks adjusted scores).
    """
    entries = {}
    for row in rows:
        score = scores.get(row.department_id) if scores is not None else row.score
        expected = row.component("timeliness").item_count
        entries[row.department_id] = RankedEntry(
            department_id=row.department_id,
            group=ranking_group(row, settings.ranking_rule),
            expected_reports=expected,
            score=score,
            insufficient=score is None or expected < settings.min_expected_reports,
        )
    order = {row.department_id: i for i, row in enumerate(rows)}
    by_group = {}
    for entry in entries.values():
        if not entry.insufficient:
            by_group.setdefault(entry.group, []).append(entry)
    for members in by_group.values():
        members.sort(key=lambda e: (-e.score, order[e.department_id]))
        previous, rank = None, 0
        for position, entry in enumerate(members, start=1):
            if entry.score != previous:
                rank, previous = position, entry.score
            entry.rank = rank
    return entries


def in_ranking_order(rows):
    """Scorecard rows (their `ranking` set by build_scorecard) in the order the scorecard
    shows them: group by group (GROUP_ORDER), ranked units by rank, then 样本不足 units;
    ties keep the rows' order."""
    return sorted(
        rows,
        key=lambda row: (
            GROUP_ORDER.index(row.ranking.group),
            row.ranking.insufficient,
            row.ranking.rank or 0,
        ),
    )


def ranking_rule_sentence(settings):
    """The rule in one Chinese sentence, for the scorecard page, print view and workbook."""
    if settings.ranking_rule == "grouped":
        rule = (
            "分类排名：牵头至少一项任务的单位为“牵头单位组”，"
            "只承担配合任务的单位为“仅配合单位组”，两组分别排名"
        )
    else:
        rule = "统一排名：全部单位在同一组内排名"
    minimum = settings.min_expected_reports
    return f"{rule}；评分期内应报报告少于{minimum}份的单位显示为“样本不足”，不参加排名。"
