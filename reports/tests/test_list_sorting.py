"""Lists sort by any column and filter, with the choice kept in the URL; sorting and
filtering never add queries (review queue, plan list)."""

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huancui_vet.sorting import Sorting
from reports import services
from reports.tests.factories import submitted
from tasks.models import Plan

QUEUE = reverse("reports:review_queue")
PLANS = reverse("tasks:plan_list")


def test_sorting_toggles_direction_and_falls_back_on_unknown_keys():
    columns = {"a": ("甲", ("x", "id")), "b": ("乙", ("-y",))}
    rf = RequestFactory()
    current = Sorting(rf.get("/", {"sort": "b", "q": "字", "page": "3"}), columns, default="a")
    assert current.order_by() == ["-y"]
    assert current.columns["b"].state == "ascending"
    assert "sort=-b" in current.columns["b"].url and "page" not in current.columns["b"].url
    assert "q=%E5%AD%97" in current.columns["a"].url  # filters stay in the URL
    assert Sorting(rf.get("/", {"sort": "-a"}), columns, default="a").order_by() == ["-x", "-id"]
    assert Sorting(rf.get("/", {"sort": "drop table"}), columns, default="a").key == "a"


@pytest.fixture
def queue(world, frozen):
    """Three submitted reports; the May one was returned twice."""
    may = submitted(world, period=datetime.date(2023, 5, 1))
    for _ in range(2):
        services.report_return(user=world.neutral_supervisor, report=may, comment="补充")
        may = services.report_submit(user=world.reporter, report=may)
    submitted(world, period=datetime.date(2023, 4, 1))
    submitted(world, user=world.hr_reporter, task=world.task2, period=datetime.date(2023, 6, 1))
    return may


def periods(response):
    return [r.period_start.month for r in response.context["page"]]


def test_review_queue_sorts_by_column(client, world, queue):
    client.force_login(world.neutral_supervisor)
    assert periods(client.get(QUEUE, {"sort": "period"})) == [4, 5, 6]
    assert periods(client.get(QUEUE, {"sort": "-period"})) == [6, 5, 4]
    assert periods(client.get(QUEUE, {"sort": "-returned"}))[0] == 5
    page = client.get(QUEUE, {"sort": "-period", "department": world.edu.pk})
    assert periods(page) == [5, 4]
    assert 'aria-sort="descending"' in page.text
    # The other headers keep the filter in their links.
    assert f"sort=task&amp;department={world.edu.pk}" in page.text


def _count(client, url, params):
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    return len(queries)


@pytest.mark.parametrize("sort", ["submitted", "-department", "task", "-returned"])
def test_review_queue_query_count_is_flat_for_every_sort(client, world, queue, sort):
    client.force_login(world.neutral_supervisor)
    params = {"sort": sort, "department": world.edu.pk}
    few = _count(client, QUEUE, params)
    for month in (1, 2, 3):
        submitted(world, period=datetime.date(2023, month, 1))
    assert _count(client, QUEUE, params) == few


def test_plan_list_filters_and_sorts(client, world):
    Plan.objects.create(title="乙方案", issuer="某局", start_year=2021, end_year=2022)
    client.force_login(world.reporter)
    # The shared world has two public plans (测试实施方案: 2 tasks, 测试产教融合方案: 1 task,
    # same years); 乙方案 ends earlier and has no task.
    titles = [p.title for p in client.get(PLANS, {"sort": "years"}).context["plans"]]
    assert titles[0] == "乙方案"
    titles = [p.title for p in client.get(PLANS, {"sort": "-tasks"}).context["plans"]]
    assert titles == ["测试实施方案", "测试产教融合方案", "乙方案"]
    assert [p.title for p in client.get(PLANS, {"q": "乙"}).context["plans"]] == ["乙方案"]
    public = {p.title for p in client.get(PLANS, {"public": "1"}).context["plans"]}
    assert public == {"测试实施方案", "测试产教融合方案"}


def test_plan_list_query_count_is_flat(client, world):
    client.force_login(world.reporter)
    params = {"sort": "-tasks", "q": "方案"}
    few = _count(client, PLANS, params)
    for n in range(10):
        Plan.objects.create(title=f"方案{n}", start_year=2020, end_year=2021)
    assert _count(client, PLANS, params) == few
