"""The plan list and plan detail pages: who may see them and what they cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasks.models import Target, Task, TaskAssignment


def test_anonymous_is_sent_to_login(client, world):
    for url in (reverse("tasks:plan_list"), reverse("tasks:plan_detail", args=[world.plan.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["reporter", "other_reporter", "supervisor", "leader", "admin"])
def test_every_signed_in_role_reads_the_plan(client, world, persona):
    client.force_login(getattr(world, persona))
    response = client.get(reverse("tasks:plan_list"))
    assert response.status_code == 200
    assert world.plan.title in response.content.decode()
    response = client.get(reverse("tasks:plan_detail", args=[world.plan.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.task1.content in html
    assert "区教育体育局" in html and "区人力资源社会保障局" in html
    assert "专业教师“双师型”比例" in html and "50%" in html


def test_unknown_plan_is_404(client, world):
    client.force_login(world.reporter)
    assert client.get(reverse("tasks:plan_detail", args=[9999])).status_code == 404


def test_huancui_plan_page_shows_the_attachment(client, world):
    from django.core.management import call_command

    call_command("load_plan", stdout=None)
    from tasks.models import Plan

    plan = Plan.objects.get(title="环翠区职业教育创新发展高地建设实施方案")
    client.force_login(world.leader)
    html = client.get(reverse("tasks:plan_detail", args=[plan.pk])).content.decode()
    assert html.count('id="task-') == 16
    assert "及有关行业主管部门" in html
    assert "明确部门职责" in html
    assert "2020年6月15日" in html


def _grow(world, factor):
    """Add tasks with two units and a target each, so the plan has `factor` times the tasks."""
    start = world.plan.tasks.count()
    tasks = Task.objects.bulk_create(
        Task(plan=world.plan, number=start + n + 1, content=f"扩展任务{n}")
        for n in range(start * (factor - 1))
    )
    TaskAssignment.objects.bulk_create(
        a
        for t in tasks
        for a in (
            TaskAssignment(task=t, department=world.edu, role=TaskAssignment.Role.LEAD),
            TaskAssignment(task=t, department=world.finance, role=TaskAssignment.Role.SUPPORT),
        )
    )
    Target.objects.bulk_create(
        Target(
            task=t, year=2024, indicator="指标", kind=Target.Kind.MILESTONE, source_sentence="句"
        )
        for t in tasks
    )


def test_plan_detail_query_count_does_not_grow_with_tasks(client, world):
    client.force_login(world.reporter)
    url = reverse("tasks:plan_detail", args=[world.plan.pk])
    client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _grow(world, 10)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.content.decode().count('id="task-') == 20
    # 7 of these are session, user, role and header lookups every page pays; 3 decide
    # which tasks link to their report page (permissions, visible tasks).
    # +1: the header bell's unread count; +1: the plan's amendments.
    assert len(large) == len(small) <= 18


def test_plan_list_query_count_is_constant(client, world, django_assert_max_num_queries):
    client.force_login(world.reporter)
    with django_assert_max_num_queries(10):  # 9 + the header bell's unread count
        client.get(reverse("tasks:plan_list"))


def test_tasks_link_to_their_report_page_only_where_it_opens(client, world):
    url = reverse("tasks:plan_detail", args=[world.plan.pk])
    link = reverse("reports:task_detail", args=[world.task1.pk])
    client.force_login(world.reporter)  # 教育局 is on task 1
    assert link in client.get(url).content.decode()
    client.force_login(world.other_reporter)  # 财政局 is on no task
    assert link not in client.get(url).content.decode()
    client.force_login(world.leader)
    assert link in client.get(url).content.decode()
    assert client.get(link).status_code == 200
