"""The SQL twins of the period and standing rules give exactly what the Python rules give.

`reports.selectors.submissions` (+ `Submissions.state`) against `period_state`, and
`reports.standing.standing_candidates` (+ `standing_report`) against `standing_report` over
every row, on seeded random plans at as-of dates before, on and after deadlines (on SQLite
and, with DATABASE_URL, PostgreSQL).
"""

from collections import defaultdict

import pytest

from reports.models import ReportState, ReportSummary
from reports.selectors import MASK_BITS, NO_SUBMISSIONS, period_state, submissions
from reports.standing import standing_candidates, standing_report
from reports.tests.random_summaries import as_of_dates, build_random_plan
from tasks.models import TaskAssignment
from tasks.periods import end_of_day

pytestmark = pytest.mark.django_db


def _rows(plan, as_of):
    return ReportSummary.objects.filter(plan=plan, period_start__lte=as_of)


def _latest(rows, cutoff):
    """The last-report moment, row by row (the dashboard's former Python loop)."""
    best = None
    for row in rows:
        if row.submitted_at is not None and row.submitted_at < cutoff:
            moment = row.submitted_at
        elif row.first_submitted_at is not None and row.first_submitted_at < cutoff:
            moment = row.first_submitted_at
        else:
            continue
        best = moment if best is None or moment > best else best
    return best


@pytest.mark.parametrize(
    "seed,cycle,years",
    [(1, "monthly", 1), (2, "quarterly", 1), (3, "monthly", 1), (6, "monthly", 6)],
)
def test_submission_masks_classify_like_period_state(seed, cycle, years):
    """(6 years of months: 72 periods, more than one 62-bit mask per kind.)"""
    world = build_random_plan(seed, cycle=cycle, years=years, tasks=6 if years == 1 else 2)
    assert years == 1 or len(world.periods) > MASK_BITS
    keys = set(
        TaskAssignment.objects.filter(task__plan=world.plan).values_list("task_id", "department_id")
    )
    checked = {"late": 0, "submitted": 0, "missing": 0, "returned": 0, "accepted_later": 0}
    for as_of in as_of_dates(world.periods):
        cutoff = end_of_day(as_of)
        periods = [p for p in world.periods if p.start <= as_of]
        rows = list(_rows(world.plan, as_of))
        by_key = defaultdict(dict)
        for row in rows:
            by_key[(row.task_id, row.department_id)][row.period_start] = row
        found = submissions(_rows(world.plan, as_of), periods, cutoff=cutoff)
        for key in keys | set(by_key):
            masks = found.get(key, NO_SUBMISSIONS)
            assert masks.latest == _latest(by_key[key].values(), cutoff), (as_of, key)
            for bit, period in enumerate(periods):
                row = by_key[key].get(period.start)
                expected = period_state(period, row.first_submitted_at if row else None, as_of)
                assert masks.state(bit, period, as_of) == expected, (as_of, key, period)
                submitted = bool(masks.submitted >> bit & 1)
                if submitted:  # readers use `returned` only for submitted reports
                    assert bool(masks.returned >> bit & 1) == (row.state == ReportState.RETURNED)
                if row is None:
                    assert not (masks.returned_ever | masks.accepted) >> bit & 1
                    continue
                assert bool(masks.returned_ever >> bit & 1) == (row.times_returned > 0)
                accepted = row.accepted_at is not None and row.accepted_at < cutoff
                assert bool(masks.accepted >> bit & 1) == accepted
                checked[expected if expected in checked else "submitted"] += 1
                checked["returned"] += row.state == ReportState.RETURNED and submitted
                checked["accepted_later"] += row.accepted_at is not None and not accepted
    assert all(checked.values()), checked  # the data exercised every case


@pytest.mark.parametrize("seed", [4, 5])
def test_standing_candidates_pick_what_standing_report_picks_over_every_row(seed):
    world = build_random_plan(seed, tasks=8)
    ties = 0
    for as_of in as_of_dates(world.periods):
        cutoff = end_of_day(as_of)
        all_rows = defaultdict(list)
        for row in _rows(world.plan, as_of):
            all_rows[row.task_id].append(row)
        candidates = defaultdict(list)
        for row in standing_candidates(_rows(world.plan, as_of), cutoff=cutoff):
            candidates[row.task_id].append(row)
        for task in world.tasks:
            principal = world.principal[task.pk]
            expected = standing_report(
                all_rows[task.pk], principal_lead_id=principal, cutoff=cutoff
            )
            got = standing_report(candidates[task.pk], principal_lead_id=principal, cutoff=cutoff)
            assert (got and got.pk) == (expected and expected.pk), (as_of, task.number)
            ties += len(candidates[task.pk]) > 1
    assert ties  # two lead units accepted for the same newest period happened
