"""The unit score drill-down builds line items for its one unit only, with the same figures.

`build_scorecard(detail_department=…)` (what supervision:department_score asks for) must give
every unit the same totals, components and rank as the full detailed build, and the shown
unit exactly the full build's line items; it reads that unit's report rows only, and the
page's query count does not grow with units, reports or orders.
"""

import dataclasses
import datetime
from unittest import mock

import pytest
from django.urls import reverse

from departments.models import Role
from huancui_vet.testing import make_user
from reports.tests.random_summaries import as_of_dates, build_random_plan
from supervision.facts import PlanFacts, load_plan_facts
from supervision.models import ScoringSettings
from supervision.orders.selectors import load_order_facts
from supervision.scoring import build_scorecard
from supervision.tests.factories import (
    D,
    add_department_with_task,
    count_queries,
    edu_january_accepted,
    make_report,
)
from supervision.tests.orders_fixtures import bulk_orders

pytestmark = pytest.mark.django_db


def without_items(row):
    return dataclasses.replace(row, items=[])


def assert_unit_path_equals_full_build(plan, as_of, kinds):
    """For each window kind and each unit: the per-unit build against the full one."""
    settings = ScoringSettings.for_plan(plan)
    checked = 0
    for kind in kinds:
        facts = load_plan_facts(plan=plan, as_of=as_of, user=None)
        orders = load_order_facts(plan=plan, as_of=as_of, department_id=None)
        full = build_scorecard(
            facts, settings=settings, period_kind=kind, period_start=as_of, orders=orders
        )
        for department_id in facts.departments:
            unit_facts = load_plan_facts(plan=plan, as_of=as_of, user=None)
            unit = build_scorecard(
                unit_facts,
                settings=settings,
                period_kind=kind,
                period_start=as_of,
                orders=orders,
                detail_department=department_id,
            )
            label = (as_of, kind, department_id)
            assert [without_items(r) for r in unit.rows] == [without_items(r) for r in full.rows], (
                label
            )
            shown = unit.row_for(department_id)
            assert shown.items == full.row_for(department_id).items, label
            assert all(not r.items for r in unit.rows if r.department_id != department_id)
            checked += len(shown.items)
    return checked


@pytest.mark.parametrize("seed,cycle", [(21, "monthly"), (22, "quarterly")])
def test_unit_path_equals_the_full_detailed_build_on_random_plans(seed, cycle):
    random_plan = build_random_plan(seed, cycle=cycle, units=6)
    issuer = make_user(f"issuer_{seed}", Role.SUPERVISOR)
    bulk_orders(random_plan.plan, 60, issuer=issuer)
    dates = as_of_dates(random_plan.periods)
    checked = 0
    for as_of in dates[:: max(1, len(dates) // 6)] + [dates[-1]]:
        checked += assert_unit_path_equals_full_build(
            random_plan.plan, as_of, ("plan", "year", "quarter")
        )
    assert checked > 500  # timeliness, review, completion and order lines were compared


def test_unit_path_equals_the_full_detailed_build_with_targets(world):
    """The test world has targets (completion lines with actual values) and returned reports."""
    bulk_orders(world.plan, 30, issuer=world.neutral_supervisor)
    edu_january_accepted(world, percent=100)
    make_report(
        world.task2,
        world.hr,
        D(2023, 2, 1),
        author=world.hr_reporter,
        submitted_on=D(2023, 3, 9),
        state="returned",
        times_returned=1,
    )
    for as_of in (D(2023, 3, 10), D(2023, 12, 31), D(2024, 3, 1)):
        assert assert_unit_path_equals_full_build(world.plan, as_of, ("plan", "month"))


def test_the_drill_down_reads_only_its_units_report_rows(client, world):
    for i in range(4):
        department, task = add_department_with_task(world, i)
        make_report(
            task, department, D(2023, 1, 1), author=world.reporter, submitted_on=D(2023, 2, 3)
        )
    make_report(
        world.task1, world.edu, D(2023, 1, 1), author=world.reporter, submitted_on=D(2023, 2, 3)
    )
    read = []
    real_rows = PlanFacts.rows

    def recording(self, periods, **kwargs):
        found = real_rows(self, periods, **kwargs)
        read.extend(found)
        return found

    client.force_login(world.leader)
    url = reverse("supervision:department_score", args=[world.hr.pk])
    with mock.patch.object(PlanFacts, "rows", recording):
        response = client.get(url + f"?plan={world.plan.pk}&as_of=2023-08-31&period_kind=plan")
    assert response.status_code == 200
    assert response.context["row"].department_id == world.hr.pk
    assert read == [] or {department_id for _t, department_id, _p in read} == {world.hr.pk}
    # edu's line items were not built either; its totals were.
    edu = response.context["data"].row_for(world.edu.pk)
    assert edu.items == [] and edu.component("timeliness").item_count


def test_drill_down_query_count_does_not_grow_with_units_reports_and_orders(client, world):
    client.force_login(world.leader)
    url = (
        reverse("supervision:department_score", args=[world.edu.pk])
        + f"?plan={world.plan.pk}&as_of=2023-08-31&period_kind=plan"
    )

    def grow(first, last):
        for i in range(first, last):
            department, task = add_department_with_task(world, i)
            for month in (1, 2, 3):
                day = datetime.date(2023, month, 1)
                sent = datetime.date(2023, month + 1, 3)
                make_report(task, department, day, author=world.reporter, submitted_on=sent)
                make_report(task, world.edu, day, author=world.reporter, submitted_on=sent)
        bulk_orders(world.plan, 5 * (last - first), issuer=world.neutral_supervisor)

    grow(0, 2)
    before = count_queries(client, url)
    grow(2, 12)
    assert count_queries(client, url) == before
