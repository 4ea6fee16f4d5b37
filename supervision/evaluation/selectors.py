"""The figures of a year-end evaluation: one function the pages, print view and workbook call.

A draft or submitted evaluation is computed live: the year's scorecard (supervision.scoring,
督办单 component included) as of the evaluation's as-of date, plus the adjustments, ranked by
the plan's fair-ranking rule. A published one is read back from its frozen EvaluationLine
rows and settings, so later report edits never change it.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Field

from supervision.evaluation.models import Evaluation, EvaluationAdjustment, EvaluationLine
from supervision.models import ScoringSettings
from supervision.scoring import (
    GROUP_LABELS,
    GROUP_ORDER,
    fair_ranking,
    ranking_rule_sentence,
    scorecard_data,
)
from tasks.periods import default_as_of, make_period

SETTINGS_FIELDS = (
    "weight_timeliness",
    "weight_completion",
    "weight_review",
    "weight_orders",
    "lead_factor",
    "late_credit",
    "band_excellent",
    "band_good",
    "band_fair",
    "ranking_rule",
    "min_expected_reports",
    "max_bonus",
    "max_deduction",
)


def evaluation_as_of(plan, year, today):
    """The evaluation's as-of date: the plan's default as-of (tasks.periods.default_as_of,
    the one home of that rule), capped at the day after the year's last reports were due so
    December's reports count and later months do not."""
    last = make_period(plan, datetime.date(year, 12, 1))
    return min(default_as_of(plan, today), last.due + datetime.timedelta(days=1))


def settings_snapshot(settings):
    return {name: str(getattr(settings, name)) for name in SETTINGS_FIELDS}


def settings_from_snapshot(snapshot):
    """An unsaved ScoringSettings carrying the frozen values (for grades and sentences)."""
    values = {}
    for name in SETTINGS_FIELDS:
        if name not in snapshot:
            continue
        kind = ScoringSettings._meta.get_field(name)
        assert isinstance(kind, Field)  # SETTINGS_FIELDS are concrete columns
        values[name] = kind.to_python(snapshot[name])
    return ScoringSettings(**values)


def _round1(value):
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class ResultLine:
    department_id: int
    department_name: str
    group: str
    lead_tasks: int
    support_tasks: int
    expected_reports: int
    computed_score: Decimal | None
    components: list  # [{"label", "weight", "score"}]
    bonus: Decimal
    deduction: Decimal
    final_score: Decimal | None
    insufficient: bool
    rank: int | None
    grade: str
    adjustments: list = field(default_factory=list)

    @property
    def group_label(self):
        return GROUP_LABELS[self.group]


@dataclass
class EvaluationResult:
    evaluation: Evaluation
    settings: ScoringSettings
    lines: list[ResultLine]  # in group order, ranked first, 样本不足 last

    @property
    def rule_sentence(self):
        return ranking_rule_sentence(self.settings)

    @property
    def groups(self):
        """[(label, lines)] in display order."""
        grouped: dict[str, list] = {}
        for line in self.lines:
            grouped.setdefault(line.group, []).append(line)
        return [(GROUP_LABELS[g], grouped[g]) for g in GROUP_ORDER if g in grouped]

    def line_for(self, department_id):
        for line in self.lines:
            if line.department_id == department_id:
                return line
        return None


def _adjustments(evaluation, department_id):
    rows = (
        EvaluationAdjustment.objects.in_force()
        .filter(evaluation=evaluation)
        .select_related("created_by", "verification")
    )
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    by_unit: dict[int, list] = {}
    for row in rows:
        by_unit.setdefault(row.department_id, []).append(row)
    return by_unit


def _sort_key(line, order):
    return (
        GROUP_ORDER.index(line.group),
        line.insufficient,
        line.rank or 0,
        order[line.department_id],
    )


def compute_lines(evaluation, *, user, settings):
    """Live figures (6 queries): the year's scorecard plus adjustments, fairly ranked."""
    data = scorecard_data(
        plan=evaluation.plan,
        period_kind="year",
        period_start=datetime.date(evaluation.year, 1, 1),
        as_of=evaluation.as_of,
        user=user,
        detailed=False,
    )
    adjustments = _adjustments(evaluation, None)
    totals = {}
    for row in data.rows:
        unit = adjustments.get(row.department_id, [])
        bonus = sum((a.amount for a in unit if a.kind == "bonus"), Decimal(0))
        deduction = sum((a.amount for a in unit if a.kind == "deduction"), Decimal(0))
        final = None if row.score is None else _round1(row.score + bonus - deduction)
        totals[row.department_id] = (bonus, deduction, final)
    ranking = fair_ranking(
        data.rows, settings, scores={pk: final for pk, (_b, _d, final) in totals.items()}
    )
    lines = []
    for row in data.rows:
        bonus, deduction, final = totals[row.department_id]
        entry = ranking[row.department_id]
        lines.append(
            ResultLine(
                department_id=row.department_id,
                department_name=row.department_name,
                group=entry.group,
                lead_tasks=row.lead_tasks,
                support_tasks=row.support_tasks,
                expected_reports=entry.expected_reports,
                computed_score=row.score,
                components=[
                    {"label": c.label, "weight": c.weight, "score": str(c.score)}
                    for c in row.components
                ],
                bonus=bonus,
                deduction=deduction,
                final_score=final,
                insufficient=entry.insufficient,
                rank=entry.rank,
                grade=settings.grade_for(final),
                adjustments=adjustments.get(row.department_id, []),
            )
        )
    order = {row.department_id: i for i, row in enumerate(data.rows)}
    lines.sort(key=lambda line: _sort_key(line, order))
    return lines


def _frozen_lines(evaluation, department_id):
    rows = EvaluationLine.objects.filter(evaluation=evaluation)
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    adjustments = _adjustments(evaluation, department_id)
    return [
        ResultLine(
            department_id=row.department_id,
            department_name=row.department_name,
            group=row.group,
            lead_tasks=row.lead_tasks,
            support_tasks=row.support_tasks,
            expected_reports=row.expected_reports,
            computed_score=row.computed_score,
            components=row.components,
            bonus=row.bonus,
            deduction=row.deduction,
            final_score=row.final_score,
            insufficient=row.insufficient,
            rank=row.rank,
            grade=row.grade,
            adjustments=adjustments.get(row.department_id, []),
        )
        for row in rows.order_by("position")
    ]


def evaluation_result(evaluation, *, user, department_id=None):
    """The evaluation's figures; `department_id` limits a published result to one unit's line.

    Published: 2 queries (frozen rows, adjustments). Otherwise the live computation; callers
    show unpublished results to supervisors and leaders only.
    """
    if evaluation.is_published:
        settings = settings_from_snapshot(evaluation.settings_used)
        return EvaluationResult(evaluation, settings, _frozen_lines(evaluation, department_id))
    settings = ScoringSettings.for_plan(evaluation.plan)
    lines = compute_lines(evaluation, user=user, settings=settings)
    if department_id is not None:
        lines = [line for line in lines if line.department_id == department_id]
    return EvaluationResult(evaluation, settings, lines)
