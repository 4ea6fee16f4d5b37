"""The order list filters and pages in SQL (orders.selectors.order_list_page) and shows the
same orders, in the same order, as replaying every order of the plan would."""

import datetime

import pytest
from django.urls import reverse

from supervision.orders.colours import COLOUR_ORDER
from supervision.orders.selectors import load_order_facts, order_list_page
from supervision.tests.factories import count_queries
from supervision.tests.orders_fixtures import bulk_orders

pytestmark = pytest.mark.django_db
COLOURS = ("", "all", "closed", "red", "amber", "green", "escalated")


def _expected(facts, *, department_id, task_id, colour):
    """The list's rule written over every replayed order (what the page did before)."""
    rank = {c: i for i, c in enumerate(COLOUR_ORDER)}
    rows = facts.orders if colour in ("all", "closed") else facts.open_orders()
    if colour not in ("all", "closed"):
        rows = sorted(rows, key=lambda o: (rank[o.colour], o.deadline, o.pk))
    result = []
    for o in rows:
        if department_id is not None and not o.names(department_id):
            continue
        if task_id is not None and o.task_id != task_id:
            continue
        if colour == "closed" and o.is_open:
            continue
        if colour in ("red", "amber", "green") and o.colour != colour:
            continue
        if colour == "escalated" and not o.standing.escalated:
            continue
        result.append(o.pk)
    return result


@pytest.mark.parametrize("as_of", [datetime.date(2023, 3, 1), datetime.date(2023, 8, 31)])
def test_every_filter_pages_the_same_orders_as_the_full_replay(world, as_of):
    bulk_orders(world.plan, 130, issuer=world.neutral_supervisor)
    facts = load_order_facts(plan=world.plan, as_of=as_of)
    assert {o.colour for o in facts.open_orders()} >= {"red", "amber"}
    for colour in COLOURS:
        for department_id, task_id in ((None, None), (world.edu.pk, None), (None, world.task1.pk)):
            expected = _expected(facts, department_id=department_id, task_id=task_id, colour=colour)
            shown, number = [], 1
            while True:
                listing = order_list_page(
                    plan=world.plan,
                    as_of=as_of,
                    department_id=department_id,
                    task_id=task_id,
                    colour=colour,
                    number=number,
                    per_page=20,
                )
                assert len(listing.page.object_list) <= 20
                for order, fact in listing.items:
                    assert order.pk == fact.pk
                    assert fact.colour == facts_by_pk(facts)[fact.pk].colour
                shown += [f.pk for f in listing.page.object_list]
                if not listing.page.has_next():
                    break
                number += 1
            assert shown == expected, (colour, department_id, task_id)


def facts_by_pk(facts):
    return {o.pk: o for o in facts.orders}


def test_a_unit_sees_only_orders_naming_it(client, world):
    bulk_orders(world.plan, 40, issuer=world.neutral_supervisor)
    facts = load_order_facts(
        plan=world.plan, as_of=datetime.date(2023, 8, 31), department_id=world.hr.pk
    )
    listing = order_list_page(
        plan=world.plan,
        as_of=datetime.date(2023, 8, 31),
        visible_to_department=world.hr.pk,
        colour="all",
        per_page=100,
    )
    assert [f.pk for f in listing.page.object_list] == [o.pk for o in facts.orders]
    assert listing.items and all(
        world.hr.pk in {u.department_id for u in order.units.all()} for order, _ in listing.items
    )


def test_the_list_page_is_bounded_and_its_queries_constant(client, world):
    client.force_login(world.leader)
    base = reverse("supervision:order_list") + f"?as_of=2023-03-01&plan={world.plan.pk}"
    urls = [base + f"&colour={c}" for c in COLOURS]
    bulk_orders(world.plan, 120, issuer=world.neutral_supervisor)
    before = [count_queries(client, url) for url in urls]
    bulk_orders(world.plan, 600, issuer=world.neutral_supervisor)
    assert [count_queries(client, url) for url in urls] == before
    page = client.get(urls[1])
    assert len(page.context["items"]) == 50  # issued by the as-of date: 177 of 720
    assert page.context["page"].paginator.count == 177


def test_the_host_unit_is_named_first(client, world):
    from supervision.tests.orders_fixtures import issue

    issue(world, host=world.hr, assisting=[world.edu])
    client.force_login(world.leader)
    url = reverse("supervision:order_list")
    body = client.get(url, {"plan": world.plan.pk, "as_of": "2023-07-25"}).content.decode()
    host, assist = f"{world.hr.display_name}（主办）", f"{world.edu.display_name}（协办）"
    assert f"{host}、{assist}" in body
