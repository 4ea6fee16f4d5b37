"""Query budgets: My tasks, the task page and the review queue do not grow with the data."""

import datetime
from decimal import Decimal

from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huancui_vet.testing import assign
from reports import services
from reports.tests.factories import draft, pdf
from tasks.models import Target, Task, TaskAssignment


def count_queries(client, url):
    """Queries of a computed page: per-process caches warm, kept figures dropped (a kept
    page runs fewer; supervision/tests/test_figure_cache.py)."""
    client.get(url)  # warm per-process caches (content types, permissions) first
    caches["figures"].clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_tasks(world, count, start_number):
    for number in range(start_number, start_number + count):
        task = Task.objects.create(plan=world.plan, number=number, content=f"任务{number}")
        assign(task, world.edu, TaskAssignment.Role.LEAD)
        assign(task, world.hr, TaskAssignment.Role.SUPPORT)
        target = Target.objects.create(
            task=task,
            year=2024,
            indicator="指标",
            target_value=10,
            kind="count",
            source_sentence="s",
        )
        report = draft(
            world, task=task, period=datetime.date(2023, 5, 1), target_values={target: 3}
        )
        services.report_submit(user=world.reporter, report=report)
        draft(world, user=world.hr_reporter, task=task, period=datetime.date(2023, 5, 1))


def add_periods(world, months):
    for month in months:
        period = datetime.date(2023 + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        report = draft(world, period=period, target_values={world.target1: Decimal(month)})
        services.evidence_add(user=world.reporter, report=report, uploaded_file=pdf())
        report = services.report_submit(user=world.reporter, report=report)
        services.report_accept(user=world.neutral_supervisor, report=report)
        draft(world, user=world.hr_reporter, period=period)


def test_my_tasks_query_count_is_flat(client, world):
    """For a unit with submitted reports and for one with a draft on every task (人社局)."""
    url = reverse("reports:my_tasks")
    add_tasks(world, 2, start_number=10)
    small = {}
    for user in (world.reporter, world.hr_reporter):
        client.force_login(user)
        small[user.pk] = count_queries(client, url)
    add_tasks(world, 18, start_number=20)
    for user in (world.reporter, world.hr_reporter):
        client.force_login(user)
        assert count_queries(client, url) == small[user.pk]
    assert sum(len(row["drafts"]) for row in client.get(url).context["rows"]) >= 18


def test_task_page_query_count_is_flat(client, world):
    client.force_login(world.reporter)
    url = reverse("reports:task_detail", args=[world.task1.pk])
    add_periods(world, [1, 2])
    small = count_queries(client, url)
    add_periods(world, range(3, 21))
    assert count_queries(client, url) == small
    client.force_login(world.neutral_supervisor)
    assert count_queries(client, url) <= small


def test_review_queue_query_count_is_flat(client, world):
    client.force_login(world.neutral_supervisor)
    url = reverse("reports:review_queue")
    add_tasks(world, 3, start_number=10)
    small = count_queries(client, url)
    add_tasks(world, 27, start_number=20)
    assert count_queries(client, url) == small


def test_my_tasks_reads_no_report_texts(client, world):
    client.force_login(world.reporter)
    add_tasks(world, 2, start_number=10)
    url = reverse("reports:my_tasks")
    client.get(url)
    caches["figures"].clear()  # computed, not kept from the first view
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    report_queries = [q["sql"] for q in queries if 'FROM "reports_report"' in q["sql"]]
    assert report_queries
    assert not any('"work_done"' in sql or '"problems"' in sql for sql in report_queries)
