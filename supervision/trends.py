"""The scorecard's fair standing: each unit's group rank (分类考核), 样本不足, and its trend
against the previous period and the plan to date.

The ranking rule is supervision.scoring.fair_ranking (one home), applied by build_scorecard to
every row; this module only loads the plan's facts once, scores the shown window and the two
comparison windows from them, and groups the shown window's rows as ranked.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from supervision.facts import load_plan_facts, visible_department_id
from supervision.figure_cache import cached_figures
from supervision.models import ScoringSettings
from supervision.orders.selectors import load_order_facts
from supervision.scoring import (
    GROUP_LABELS,
    GROUP_ORDER,
    DepartmentScore,
    RankedEntry,
    build_scorecard,
    in_ranking_order,
)


@dataclass
class Standing:
    row: DepartmentScore  # the shown window's score
    entry: RankedEntry
    previous: Decimal | None  # score in the previous window of the same kind
    plan_to_date: Decimal | None

    @property
    def delta(self):
        if self.row.score is None or self.previous is None:
            return None
        return self.row.score - self.previous


def _scores(data):
    return {row.department_id: row.score for row in data.rows} if data else {}


def previous_window_start(data):
    """A day in the window before the shown one, or None (plan window, or before the plan)."""
    if data.period_kind == "plan":
        return None
    day = data.window_start - datetime.timedelta(days=1)
    return day if day >= data.plan.first_period_start else None


def scorecard_with_standing(*, plan, period_kind, as_of, user, period_start=None, detailed=False):
    """scorecard_data (same arguments, same queries) with `standing` filled in: the shown
    window, the previous window of the same kind and the plan to date are all scored from
    one load of the plan's facts, so the trends cost no query. Kept between requests while
    the plan's figures are unchanged (supervision.figure_cache)."""

    def build():
        return _with_standing(
            plan=plan,
            period_kind=period_kind,
            as_of=as_of,
            user=user,
            period_start=period_start,
            detailed=detailed,
        )

    return cached_figures(
        "standing",
        plan,
        build,
        period_kind=period_kind,
        period_start=period_start or as_of,
        as_of=as_of,
        scope=visible_department_id(user),
        detailed=detailed,
    )


def _with_standing(*, plan, period_kind, as_of, user, period_start, detailed):
    settings = ScoringSettings.for_plan(plan)
    facts = load_plan_facts(plan=plan, as_of=as_of, user=user)
    orders = load_order_facts(plan=plan, as_of=as_of, department_id=facts.scoped_department_id)

    def build(kind, start):
        return build_scorecard(
            facts,
            orders=orders,
            settings=settings,
            period_kind=kind,
            period_start=start,
            detailed=detailed,
        )

    data = build(period_kind, period_start or as_of)
    previous_start = previous_window_start(data)
    previous = _scores(build(period_kind, previous_start)) if previous_start else {}
    to_date = _scores(build("plan", as_of)) if period_kind != "plan" else _scores(data)
    data.standing = fair_standing(data, previous=previous, to_date=to_date)
    return data


def fair_standing(data, *, previous, to_date):
    """[(group label, [Standing])] for a ScorecardData, groups in display order, each unit
    with the rank build_scorecard gave it."""
    grouped: dict[str, list[Standing]] = {}
    for row in in_ranking_order(data.rows):
        grouped.setdefault(row.ranking.group, []).append(
            Standing(
                row=row,
                entry=row.ranking,
                previous=previous.get(row.department_id),
                plan_to_date=to_date.get(row.department_id),
            )
        )
    return [(GROUP_LABELS[g], grouped[g]) for g in GROUP_ORDER if g in grouped]
