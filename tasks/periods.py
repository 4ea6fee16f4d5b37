"""Reporting periods of a plan: pure date arithmetic, no queries.

A period is identified by its first day (the 1st of a month or of a quarter). Its report
is due `plan.due_days_after_period` days after the period ends, by the end of that day in
the portal's time zone (`submission_deadline`): the one on-time rule every page uses.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from huancui_vet.dates import add_months, chinese_month

if TYPE_CHECKING:
    from tasks.models import Plan


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    due: datetime.date
    label: str


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` in the portal's time zone (a deadline of "by that day")."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def submission_deadline(period: Period) -> datetime.datetime:
    """A report first submitted before this instant is on time."""
    return end_of_day(period.due)


def _months_per_period(cycle):
    return 3 if cycle == "quarterly" else 1


def normalize_start(cycle: str, day: datetime.date) -> datetime.date:
    """The first day of the period that contains `day`."""
    if cycle == "quarterly":
        return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day.replace(day=1)


def period_label(cycle: str, start: datetime.date) -> str:
    if cycle == "quarterly":
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return chinese_month(start)


def make_period(plan: Plan, start: datetime.date) -> Period:
    return _period(plan.reporting_cycle, start, plan.due_days_after_period)


def _period(cycle: str, start: datetime.date, due_days: int) -> Period:
    start = normalize_start(cycle, start)
    end = add_months(start, _months_per_period(cycle)) - datetime.timedelta(days=1)
    due = end + datetime.timedelta(days=due_days)
    return Period(start=start, end=end, due=due, label=period_label(cycle, start))


def plan_periods(plan: Plan) -> list[Period]:
    """Every reporting period of the plan, oldest first."""
    return list(
        _periods(
            plan.reporting_cycle,
            plan.first_period_start,
            plan.last_day,
            plan.due_days_after_period,
        )
    )


@functools.lru_cache(maxsize=4096)
def _periods(
    cycle: str, first_start: datetime.date, last_day: datetime.date, due_days: int
) -> tuple[Period, ...]:
    """Pure period arithmetic, memoised by its inputs (values, never rows: a changed plan
    setting is a new key, so nothing goes stale on any host). A province page lists the
    periods of dozens of plans; computing them was ~0.4 ms a plan on every request."""
    step = _months_per_period(cycle)
    start = normalize_start(cycle, first_start)
    periods = []
    while start <= last_day:
        periods.append(_period(cycle, start, due_days))
        start = add_months(start, step)
    return tuple(periods)


def periods_ended_by(plan: Plan, as_of: datetime.date) -> list[Period]:
    """Periods whose end date is before `as_of` (their report is due or overdue)."""
    return [p for p in plan_periods(plan) if p.end < as_of]


def periods_due_by(plan: Plan, as_of: datetime.date) -> list[Period]:
    """Periods whose due date has passed by `as_of` (a missing report is now late)."""
    return [p for p in plan_periods(plan) if p.due < as_of]


def current_period(plan: Plan, as_of: datetime.date) -> Period | None:
    """The latest period that has ended by `as_of` — the one staff are reporting on now."""
    ended = periods_ended_by(plan, as_of)
    return ended[-1] if ended else None


def reporting_window(plan: Plan) -> tuple[datetime.date, datetime.date]:
    """(first day, settled day) of the plan's reporting: from its first period's start to the
    day after its last report was due, when every expected report has had its chance."""
    periods = plan_periods(plan)
    if not periods:
        return plan.first_period_start, plan.last_day
    return periods[0].start, periods[-1].due + datetime.timedelta(days=1)


def default_as_of(plan: Plan, today: datetime.date | None = None) -> datetime.date:
    """The default 统计截至 date of every page, workbook, CLI export and mail for `plan`.

    Today, clamped to the plan's reporting window: a finished plan is shown as it stood once
    its last report was due (not with years of later months missing), a plan not started yet
    as of its first day. Reports never move it, so a draft cannot change anyone's picture.
    """
    today = today or timezone.localdate()
    first, settled = reporting_window(plan)
    return min(max(today, first), settled)


def is_valid_period_start(plan: Plan, start: datetime.date) -> bool:
    return any(p.start == start for p in plan_periods(plan))
