"""Review queue filters stay short and cheap as the backlog and the task list grow."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.tests.factories import JUNE, submitted
from reports.tests.test_query_counts import add_tasks


def options(response, field):
    return [value for value, _ in response.context["form"].fields[field].choices if value]


def test_task_dropdown_is_empty_until_a_plan_is_chosen(client, world):
    client.force_login(world.neutral_supervisor)
    add_tasks(world, 5, start_number=10)
    response = client.get(reverse("reports:review_queue"))
    assert options(response, "task") == []
    assert "请先选择方案" in response.content.decode()
    response = client.get(reverse("reports:review_queue"), {"plan": world.task3.plan_id})
    assert options(response, "task") == [world.task3.pk]


def test_plan_filter_keeps_only_that_plans_reports(client, world, time_machine):
    time_machine.move_to(datetime.datetime(2023, 7, 3, 9, 0, tzinfo=datetime.UTC))
    first = submitted(world, period=JUNE)
    other = submitted(world, task=world.task3, period=JUNE)
    client.force_login(world.neutral_supervisor)
    response = client.get(reverse("reports:review_queue"), {"plan": world.task3.plan_id})
    assert list(response.context["page"]) == [other]
    response = client.get(reverse("reports:review_queue"), {"plan": world.plan.pk})
    assert list(response.context["page"]) == [first]


def test_a_task_link_without_plan_fills_the_task_dropdown_from_its_plan(client, world):
    client.force_login(world.neutral_supervisor)
    response = client.get(reverse("reports:review_queue"), {"task": world.task3.pk})
    assert response.context["form"].is_valid()
    assert options(response, "task") == [world.task3.pk]


def test_units_and_plans_are_offered_without_scanning_the_backlog(client, world):
    client.force_login(world.neutral_supervisor)
    submitted(world, period=JUNE)
    client.get(reverse("reports:review_queue"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:review_queue"))
    sql = [q["sql"].upper() for q in queries]
    assert not any("DISTINCT" in statement for statement in sql)
    # Every unit is offered, also one with nothing waiting (no join to reports).
    assert world.culture.pk in options(response, "department")
    assert set(options(response, "plan")) == {world.plan.pk, world.task3.plan_id}


def test_bad_filter_values_show_the_whole_queue(client, world):
    client.force_login(world.neutral_supervisor)
    report = submitted(world, period=JUNE)
    response = client.get(reverse("reports:review_queue"), {"plan": "x", "task": "y"})
    assert response.status_code == 200
    assert list(response.context["page"]) == [report]


def test_a_huge_backlog_is_counted_by_estimate(client, world, monkeypatch):
    """Past 10,000 submitted reports the queue states PostgreSQL's estimate, marked 约."""
    from huancui_vet import admin_lists

    client.force_login(world.neutral_supervisor)
    url = reverse("reports:review_queue")
    assert "约" not in client.get(url).content.decode().split("待审核报告")[1][:20]
    monkeypatch.setattr(admin_lists, "estimated_rows", lambda queryset: 150_000)
    monkeypatch.setattr(admin_lists, "planned_rows", lambda queryset: 150_000)
    # The planner's guess alone is not enough: the queue really is short, so it is exact.
    assert "约" not in client.get(url).content.decode().split("待审核报告")[1][:20]
    submitted(world, period=JUNE)
    monkeypatch.setattr(admin_lists, "ESTIMATE_ABOVE", 0)  # one real row is "past" it now
    html = client.get(url).content.decode()
    assert "待审核报告约 150000 份" in html
