"""The SQL twins of the period and standing rules give exactly what the Python rules give.

`reports.selectors.submissions` (+ `Submissions.state`) against `period_state`, and
`reports.standing.standing_candidates` (+ `standing_report`) against `standing_report` over
every row, on seeded random plans at as-of dates before, on and after deadlines;
`reports.standing.standing_target_values_sql` against `standing_target_values` on a built
scenario and on random plans (on SQLite and, with DATABASE_URL, PostgreSQL).
"""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

import pytest

from reports.models import Report, ReportState, ReportSummary, TargetValue
from reports.selectors import MASK_BITS, NO_SUBMISSIONS, period_state, submissions
from reports.standing import (
    standing_candidates,
    standing_report,
    standing_target_values,
    standing_target_values_sql,
)
from reports.tests.random_summaries import as_of_dates, build_random_plan
from supervision.tests.factories import make_report
from tasks.models import Target, Task, TaskAssignment
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


def _target_values_both_ways(task):
    """(SQL, Python) results for the task as (target id, value id, report id) triples."""
    task = Task.objects.with_units().get(pk=task.pk)
    principal = task.principal_lead
    reports = Report.objects.filter(task=task).prefetch_related("target_values")
    python = standing_target_values(
        task.targets.all(), reports, principal_lead_id=principal.pk if principal else None
    )

    def ids(rows):
        return [(t.pk, v and v.pk, r and r.pk) for t, v, r in rows]

    return ids(standing_target_values_sql(task)), ids(python)


def _target(task, name):
    return Target.objects.create(
        task=task, year=2023, indicator=name, kind=Target.Kind.COUNT, source_sentence=name
    )


def test_standing_target_values_sql_gives_what_standing_target_values_gives(world):
    """Task 4 has three lead units, the principal (人社局) not the lowest unit id: on a tie
    its value stands; between two other leads the lower unit id's; newer periods first; only
    accepted lead reports count (not returned, submitted, draft or supporting units')."""
    task = Task.objects.create(plan=world.task3.plan, number=4, content="三个牵头单位的任务。")
    for position, (department, role) in enumerate(
        (
            (world.hr, "lead"),
            (world.finance, "lead"),
            (world.edu, "lead"),
            (world.culture, "support"),
        )
    ):
        TaskAssignment.objects.create(
            task=task, department=department, role=role, position=position
        )
    assert world.edu.pk < world.hr.pk < world.finance.pk
    tie, others, newer, never, empty = (
        _target(task, n) for n in ("牵头并列", "其他牵头并列", "较新一期", "从未采信", "无值")
    )
    may, june, july = (
        datetime.date(2023, 5, 1),
        datetime.date(2023, 6, 1),
        datetime.date(2023, 7, 1),
    )
    made = {}
    for key, department, period, state, values in (
        ("hr_may", world.hr, may, "accepted", {tie: 1, newer: 10}),
        ("edu_may", world.edu, may, "accepted", {tie: 2, others: 20}),
        ("fin_may", world.finance, may, "accepted", {others: 30}),
        ("culture_may", world.culture, may, "accepted", {never: 99}),
        ("edu_june", world.edu, june, "accepted", {newer: 11}),
        ("hr_june", world.hr, june, "returned", {tie: 3, never: 98}),
        ("fin_june", world.finance, june, "submitted", {never: 97}),
        ("hr_july", world.hr, july, "draft", {tie: 4, never: 96}),
        ("culture_july", world.culture, july, "accepted", {never: 95}),
    ):
        made[key] = make_report(
            task,
            department,
            period,
            author=world.reporter,
            submitted_on=period + datetime.timedelta(days=33),
            accepted_on=period + datetime.timedelta(days=34) if state == "accepted" else None,
            state=state,
            percent=50,
            target_values={t: Decimal(v) for t, v in values.items()},
        )
    # Task 3 (edu principal, hr second) ties too: the principal with the lower unit id.
    shared = _target(world.task3, "共建基地")
    for department in (world.hr, world.edu):
        make_report(
            world.task3,
            department,
            may,
            author=world.reporter,
            submitted_on=datetime.date(2023, 6, 3),
            accepted_on=datetime.date(2023, 6, 4),
            percent=50,
            target_values={shared: Decimal(department.pk)},
        )

    got, expected = _target_values_both_ways(task)
    assert got == expected

    def value(name, report):
        return TargetValue.objects.get(report=made[report], target=name).pk

    assert got == [
        (tie.pk, value(tie, "hr_may"), made["hr_may"].pk),
        (others.pk, value(others, "edu_may"), made["edu_may"].pk),
        (newer.pk, value(newer, "edu_june"), made["edu_june"].pk),
        (never.pk, None, None),
        (empty.pk, None, None),
    ]
    got, expected = _target_values_both_ways(world.task3)
    assert got == expected
    [(_, shared_value, _)] = got
    assert TargetValue.objects.get(pk=shared_value).actual_value == world.edu.pk


@pytest.mark.parametrize("seed", [4, 5])
def test_standing_target_values_sql_matches_python_on_random_plans(seed):
    """Random plans (two-lead ties, every report state, supporting and unassigned units),
    each report giving a value for a random half of its task's targets."""
    world = build_random_plan(seed, tasks=8)
    rng = random.Random(seed)
    values = []
    for task in world.tasks:
        targets = [_target(task, f"指标{i}") for i in range(3)]
        for report in Report.objects.filter(task=task):
            values += [
                TargetValue(report=report, target=t, actual_value=rng.randint(0, 99))
                for t in targets
                if rng.random() < 0.5
            ]
    TargetValue.objects.bulk_create(values)
    found = {"value": 0, "none": 0}
    for task in world.tasks:
        got, expected = _target_values_both_ways(task)
        assert got == expected, task.number
        for _, value, _ in got:
            found["value" if value else "none"] += 1
    assert all(found.values()), found
