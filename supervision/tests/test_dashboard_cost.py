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
