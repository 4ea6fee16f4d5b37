"""Dashboard, scorecard and order pages keep a constant number of queries with 10,000 orders."""

import datetime

import pytest
from django.urls import reverse

from supervision.orders.models import SupervisionOrder
from supervision.tests.factories import count_queries
from supervision.tests.orders_fixtures import bulk_orders
from supervision.views.scorecard import LINES_PER_PAGE

pytestmark = pytest.mark.django_db


def test_query_counts_do_not_grow_from_10_to_10000_orders(client, world):
    client.force_login(world.leader)
    query = f"?as_of=2023-08-31&plan={world.plan.pk}"
    urls = [
        reverse("supervision:dashboard") + query,
        reverse("supervision:scorecard") + query,
        reverse("supervision:department_score", args=[world.edu.pk]) + query,
        reverse("supervision:order_list") + query + "&colour=all",
        reverse("supervision:order_list") + query + f"&colour=red&department={world.edu.pk}",
    ]
    bulk_orders(world.plan, 10, issuer=world.neutral_supervisor)
    before = [count_queries(client, url) for url in urls]
    bulk_orders(world.plan, 9990, issuer=world.neutral_supervisor)
    assert SupervisionOrder.objects.count() == 10_000
    after = [count_queries(client, url) for url in urls]
    assert before == after
    # The department's drill-down pages its order lines, 50 a page, the total stated.
    response = client.get(urls[2])
    [orders] = [items for c, items, *_ in response.context["sections"] if c.key == "orders"]
    assert orders.paginator.count > 1000 and len(orders) == LINES_PER_PAGE
    page = response.content.decode()
    assert page.count("督办单基准督") == LINES_PER_PAGE
    assert f"共 {orders.paginator.count} 项" in page and "orders_page=2#orders" in page
    last = orders.paginator.num_pages
    response = client.get(urls[2] + f"&orders_page={last}")
    [tail] = [items for c, items, *_ in response.context["sections"] if c.key == "orders"]
    assert tail.number == last
    assert len(tail) == orders.paginator.count - (last - 1) * LINES_PER_PAGE
    # The other params (plan, as-of) are kept in the page links.
    assert f"plan={world.plan.pk}" in response.content.decode().split("orders_page=")[0][-300:]


def test_unit_pages_with_many_orders_keep_their_query_count(client, world):
    client.force_login(world.reporter)
    urls = [reverse("reports:my_tasks"), reverse("reports:task_detail", args=[world.task1.pk])]
    bulk_orders(world.plan, 5, issuer=world.neutral_supervisor)
    before = [count_queries(client, url) for url in urls]
    bulk_orders(world.plan, 500, issuer=world.neutral_supervisor)
    assert [count_queries(client, url) for url in urls] == before


def test_my_tasks_lists_the_nearest_orders_and_counts_them_all(client, world):
    from supervision.templatetags.supervision_orders import MY_ORDERS_SHOWN

    bulk_orders(world.plan, 60, issuer=world.neutral_supervisor)
    client.force_login(world.reporter)
    html = client.get(reverse("reports:my_tasks")).content.decode()
    total = (
        SupervisionOrder.objects.open()
        .filter(units__department_id=world.reporter.department_id)
        .distinct()
        .count()
    )
    assert total > MY_ORDERS_SHOWN
    assert f"待办督办单（{total}件，列出时限最近的 {MY_ORDERS_SHOWN} 件）" in html


def test_my_tasks_says_a_replied_order_waits_for_the_supervisor(client, world):
    """A replied order's colour is frozen on its reply day; the unit's box says it replied
    instead of counting days left to a deadline long gone."""
    import time_machine

    from supervision.tests.orders_fixtures import acknowledge_and_reply, at, issue

    order = issue(world)  # deadline 2023-07-20
    acknowledge_and_reply(world, order, when=at(datetime.date(2023, 7, 15)))
    client.force_login(world.reporter)
    with time_machine.travel(at(datetime.date(2026, 11, 30)), tick=False):
        html = client.get(reverse("reports:my_tasks")).content.decode()
    assert "2023年7月15日已反馈，待办结" in html
    assert "剩5天" not in html
    assert "颜色和超期天数按今天（2026年11月30日）计算" in html
