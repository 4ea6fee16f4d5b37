"""Colours at their exact boundaries (pure rule, then the same through the database)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from supervision.orders.colours import Thresholds, order_standing
from supervision.orders.models import OrderSettings
from supervision.orders.selectors import load_order_facts
from supervision.tests.orders_fixtures import acknowledge_and_reply, at, issue, urge

D = datetime.date
DEADLINE = D(2023, 7, 20)
DEFAULT = Thresholds(amber_days=3, red_urgings=2, escalate_days=7)


def colour(as_of, urgings=(), **kwargs):
    return order_standing(
        deadline=DEADLINE, as_of=as_of, urging_days=urgings, thresholds=DEFAULT, **kwargs
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2023, 7, 16), "green"),  # 4 days left
        (D(2023, 7, 17), "amber"),  # N = 3 days left
        (D(2023, 7, 20), "amber"),  # the deadline day itself
        (D(2023, 7, 21), "red"),  # the day after
    ],
)
def test_calendar_boundaries(day, expected):
    assert colour(day).colour == expected


def test_urgings_turn_amber_then_red_and_later_urgings_are_ignored():
    first, second = D(2023, 7, 11), D(2023, 7, 12)
    assert colour(D(2023, 7, 10), [first, second]).colour == "green"
    assert colour(D(2023, 7, 11), [first, second]).colour == "amber"
    standing = colour(D(2023, 7, 12), [first, second])
    assert (standing.colour, standing.red_since, standing.urgings) == ("red", second, 2)


def test_escalation_after_k_days_of_red():
    assert not colour(D(2023, 7, 28)).escalated  # red since 21 July: 7 days
    assert colour(D(2023, 7, 29)).escalated  # 8 days > K
    # A reply stops the clock: the colour is the one of the reply day, and no escalation.
    replied = colour(D(2023, 8, 30), replied_on=D(2023, 7, 19))
    assert (replied.colour, replied.escalated) == ("amber", False)
    assert colour(D(2023, 8, 30), closed_on=D(2023, 7, 25)).colour == "closed"


@pytest.mark.django_db
def test_the_database_replay_gives_the_same_colours_on_past_and_later_dates(world):
    order = issue(world)
    urge(world, order, at(D(2023, 7, 12)))

    def standing(day):
        facts = load_order_facts(plan=world.plan, as_of=day)
        return next(o for o in facts.orders if o.pk == order.pk)

    assert standing(D(2023, 7, 11)).colour == "green"  # before the urging
    assert standing(D(2023, 7, 12)).colour == "amber"  # urged once
    assert standing(D(2023, 7, 21)).colour == "red"
    acknowledge_and_reply(world, order, when=at(D(2023, 7, 25)))
    assert standing(D(2023, 7, 24)).status == "issued"  # the past stays the past
    later = standing(D(2023, 9, 1))
    assert (later.status, later.colour, later.standing.escalated) == ("replied", "red", False)


@pytest.mark.django_db
def test_thresholds_are_per_plan(world):
    order = issue(world)
    OrderSettings.objects.create(plan=world.plan, amber_days=5, red_urgings=1, escalate_days=0)
    facts = load_order_facts(plan=world.plan, as_of=D(2023, 7, 15))
    assert facts.orders[0].colour == "amber"  # 5 days left = N
    urge(world, order, at(D(2023, 7, 11)))
    facts = load_order_facts(plan=world.plan, as_of=D(2023, 7, 12))
    assert facts.orders[0].colour == "red" and facts.orders[0].standing.escalated  # M=1, K=0


@pytest.mark.django_db
def test_time_travel_changes_the_colour_on_every_page(client, world):
    order = issue(world)
    url = reverse("supervision:order_detail", args=[order.pk])
    for day, label in ((16, "绿色（正常）"), (17, "黄色（预警）"), (21, "红色（超期）")):
        with time_machine.travel(at(D(2023, 7, day)), tick=False):
            client.force_login(world.reporter)  # sessions expire across the jumps
            assert label in client.get(url).content.decode()
            assert label in client.get(reverse("reports:my_tasks")).content.decode()
            task_page = client.get(reverse("reports:task_detail", args=[world.task1.pk]))
            assert label in task_page.content.decode()
