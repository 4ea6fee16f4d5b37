"""Header search: tasks by number or words, units, report texts; each respects visibility;
a constant number of queries however many rows match."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huancui_vet.testing import assign
from reports.search import clean_query
from reports.tests.factories import MAY, draft
from tasks.models import Task, TaskAssignment

SEARCH = reverse("reports:search")


def results(client, user, q):
    client.force_login(user)
    response = client.get(SEARCH, {"q": q})
    assert response.status_code == 200
    return response.context["results"]


@pytest.fixture
def reports(world, frozen):
    lead = draft(
        world,
        period=MAY,
        fields={
            "progress_status": "behind",
            "percent": 20,
            "work_done": "召开校企合作推进会。",
            "problems": "实训基地用地指标尚未落实。",
            "next_steps": "协调自然资源局解决用地。",
        },
    )
    hr_own = draft(
        world,
        user=world.hr_reporter,
        task=world.task2,
        period=MAY,
        fields={"progress_status": "on_track", "percent": 30, "work_done": "开展用地测绘。"},
    )
    return lead, hr_own


def test_task_by_number_and_by_words(client, world):
    # "2" is task 2's number and also in task 1's text (2024年): the number match comes first.
    assert [t.pk for t in results(client, world.reporter, "2").tasks] == [
        world.task2.pk,
        world.task1.pk,
    ]
    assert [t.pk for t in results(client, world.reporter, "实训设施").tasks] == [world.task1.pk]


def test_units_by_name_or_short_name(client, world):
    assert [d.pk for d in results(client, world.reporter, "人社局").units] == [world.hr.pk]
    assert [d.pk for d in results(client, world.reporter, "财政").units] == [world.finance.pk]


def test_report_texts_are_searched_with_the_matching_field(client, world, reports):
    found = results(client, world.neutral_supervisor, "用地").reports
    assert {(r.pk, label) for r, label, _ in found} == {
        (reports[0].pk, "存在问题"),
        (reports[1].pk, "本期工作进展"),
    }
    snippet = next(s for r, _, s in found if r.pk == reports[0].pk)
    assert "用地指标" in snippet


def test_outsiders_find_no_tasks_or_reports_they_may_not_see(client, world, reports):
    found = results(client, world.other_reporter, "用地")
    assert found.reports == [] and found.tasks == []
    assert results(client, world.other_reporter, "实训设施").tasks == []


def test_supporting_unit_sees_lead_report_but_lead_sees_supporting_text_too(client, world, reports):
    # 人社局 supports task 1: it sees 教育局's lead report; 教育局 supports task 2 and sees
    # 人社局's lead report there (the visible_to rule of the task page).
    hr_found = {r.pk for r, _, _ in results(client, world.hr_reporter, "用地").reports}
    assert hr_found == {reports[0].pk, reports[1].pk}


def test_page_shows_results_with_links(client, world, reports):
    client.force_login(world.reporter)
    page = client.get(SEARCH, {"q": "用地"}).text
    assert reverse("reports:report_detail", kwargs={"pk": reports[0].pk}) in page
    assert "实训基地<" not in page  # text is escaped, not markup


def test_empty_and_overlong_queries(client, world):
    assert results(client, world.reporter, "   ").total == 0
    assert len(clean_query("字" * 500)) == 100


def test_header_has_the_search_box(client, world):
    client.force_login(world.leader)
    page = client.get(reverse("tasks:plan_list")).text
    assert f'action="{SEARCH}"' in page and 'name="q"' in page


def test_query_count_is_constant_as_matches_grow(client, world, frozen):
    client.force_login(world.reporter)

    def count():
        client.get(SEARCH, {"q": "推进"})
        with CaptureQueriesContext(connection) as queries:
            client.get(SEARCH, {"q": "推进"})
        return len(queries)

    draft(
        world, period=MAY, fields={"progress_status": "on_track", "percent": 1, "work_done": "推进"}
    )
    few = count()
    for number in range(3, 33):
        task = Task.objects.create(plan=world.plan, number=number, content=f"推进任务{number}")
        assign(task, world.edu, TaskAssignment.Role.LEAD)
        draft(
            world,
            task=task,
            period=datetime.date(2023, 6, 1),
            fields={"progress_status": "on_track", "percent": 5, "work_done": "推进中"},
        )
    assert count() == few
