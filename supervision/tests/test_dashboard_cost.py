"""The dashboard's work grows linearly with a plan's tasks, also near a due date.

Counted, not timed: the number of assignment rows the dashboard reads while building its
rows, for a plan of N and of 2N tasks, on a date two days before a report is due (when every
task checks its units for a "due soon" warning).
"""

import datetime

import pytest

from supervision.facts import load_plan_facts
from supervision.selectors import build_dashboard
from supervision.tests.factories import add_department_with_task

pytestmark = pytest.mark.django_db
NEAR_DUE = datetime.date(2023, 6, 3)  # May's reports are due on 5 June


class CountingList(list):
    reads = 0

    def __iter__(self):
        for item in super().__iter__():
            CountingList.reads += 1
            yield item


def assignment_reads(world, extra_tasks):
    for i in range(len(world.plan.tasks.all()) - 2, extra_tasks):
        add_department_with_task(world, i)
    facts = load_plan_facts(plan=world.plan, as_of=NEAR_DUE, user=None)
    facts.assignments = CountingList(facts.assignments)
    CountingList.reads = 0
    data = build_dashboard(facts, year=2023)
    assert len(data.tasks) == extra_tasks + 2
    assert data.light_counts["amber"] + data.light_counts["red"] == extra_tasks + 2
    return CountingList.reads


def test_assignment_reads_grow_linearly_with_tasks(world):
    small = assignment_reads(world, 20)
    large = assignment_reads(world, 40)
    assert large <= 2.2 * small, (small, large)


def time_zone_instants(world, extra_tasks):
    """How often the dashboard turns a date into an aware instant (a time-zone lookup each)."""
    from unittest import mock

    import reports.selectors
    import supervision.facts

    for i in range(len(world.plan.tasks.all()) - 2, extra_tasks):
        add_department_with_task(world, i)
    facts = load_plan_facts(plan=world.plan, as_of=NEAR_DUE, user=None)
    calls = 0

    def counted(function):
        def wrapper(*args, **kwargs):
            nonlocal calls
            calls += 1
            return function(*args, **kwargs)

        return wrapper

    with (
        mock.patch.object(reports.selectors, "end_of_day", counted(reports.selectors.end_of_day)),
        mock.patch.object(
            reports.selectors,
            "submission_deadline",
            counted(reports.selectors.submission_deadline),
        ),
        mock.patch.object(supervision.facts, "end_of_day", counted(supervision.facts.end_of_day)),
        mock.patch.object(
            supervision.facts,
            "submission_deadline",
            counted(supervision.facts.submission_deadline),
        ),
    ):
        build_dashboard(facts, year=2023)
    return calls, len(facts.assignments) * len(facts.due_periods())


def test_cutoff_and_deadlines_are_computed_once_not_per_report(world):
    small, expected_small = time_zone_instants(world, 5)
    large, expected_large = time_zone_instants(world, 40)
    assert expected_large > 4 * expected_small  # many more expected reports to classify …
    assert large == small  # … but one cutoff and one deadline per period, whatever the size
