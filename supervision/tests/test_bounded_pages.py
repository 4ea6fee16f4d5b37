"""Province-size plans: the dashboard shows the most pressing rows of each long table with the
total and a 查看全部 link, the scorecard's ranking paginates, and neither the rows shown nor
the queries run grow with the plan's units, tasks or orders."""

import re

import pytest
from django.urls import reverse

from supervision.selectors import TaskRow
from supervision.shown import (
    DASHBOARD_ROWS,
    SCORECARD_PAGE_SIZE,
    UrlPattern,
    most_pressing,
    task_pressure,
)
from supervision.tests.factories import add_department_with_task, count_queries
from supervision.tests.orders_fixtures import bulk_orders
from supervision.views import dashboard as dashboard_view
from tasks.models import TaskAssignment

pytestmark = pytest.mark.django_db
AS_OF = "2023-08-31"


def _grow(world, first, last):
    for i in range(first, last):
        add_department_with_task(world, i)


def _row(number, light):
    return TaskRow(
        task_id=number,
        number=number,
        content="",
        lead_units_text="",
        supporting_units_text="",
        principal_lead_id=None,
        principal_lead_name="",
        light=light,
        light_label="",
        reason="",
        percent=None,
        progress_status="",
        progress_status_label="",
        accepted_period_start=None,
        last_report_date=None,
    )


def test_most_pressing_keeps_a_short_table_whole_and_in_order():
    rows = [_row(n, light) for n, light in enumerate(["green", "red", "grey", "amber"], 1)]
    shown = most_pressing(rows, 4, key=task_pressure)
    assert [r.number for r in shown] == [1, 2, 3, 4]
    assert shown.total == 4 and not shown.is_cut


def test_most_pressing_picks_red_then_amber_and_shows_them_in_plan_order():
    lights = ["green", "red", "grey", "amber", "red", "green", "amber"]
    rows = [_row(n, light) for n, light in enumerate(lights, 1)]
    shown = most_pressing(rows, 3, key=task_pressure)
    assert [r.number for r in shown] == [2, 4, 5]  # both reds and the first amber
    assert shown.total == 7 and shown.is_cut and len(shown) == 3


def test_url_pattern_builds_what_reverse_builds():
    one = UrlPattern.of("reports:task_detail")
    assert one.at(42) == reverse("reports:task_detail", args=[42])
    three = UrlPattern.of("supervision:report_urge", 3)
    assert three.at(7, 9, "2023-05-01") == reverse(
        "supervision:report_urge", args=[7, 9, "2023-05-01"]
    )


def _dashboard(client, world, **params):
    query = {"plan": world.plan.pk, "as_of": AS_OF, **params}
    response = client.get(reverse("supervision:dashboard"), query)
    assert response.status_code == 200
    return response


def test_small_plan_dashboard_is_not_cut(client, world):
    client.force_login(world.leader)
    response = _dashboard(client, world)
    html = response.content.decode()
    assert "cut-note" not in html and "查看全部" not in html
    assert len(response.context["tasks_shown"]) == len(response.context["data"].tasks)
    assert [r.number for r in response.context["tasks_shown"]] == sorted(
        r.number for r in response.context["data"].tasks
    )


def test_big_plan_dashboard_shows_the_first_rows_with_total_and_link(client, world):
    tasks_before = world.plan.tasks.count()
    _grow(world, 0, 40)
    client.force_login(world.leader)
    response = _dashboard(client, world)
    data = response.context["data"]
    html = response.content.decode()
    tasks = tasks_before + 40
    units = len(data.compliance)
    assert len(data.tasks) == tasks and units > DASHBOARD_ROWS
    # The figures still count every task and unit; only the tables are cut.
    assert sum(data.light_counts.values()) == tasks
    assert (
        data.compliance_total.expected
        == TaskAssignment.objects.filter(task__plan=world.plan).count()
    )
    body = html.split('id="tasks-heading"')[1].split("</section>")[0]
    assert len(re.findall(r"<tr>\s*<td class=\"num\">\d+</td>", body)) == DASHBOARD_ROWS
    assert f"共 {tasks} 项，显示前 {DASHBOARD_ROWS} 项" in body
    assert "tasks=all" in body and "查看全部" in body
    compliance = html.split('id="compliance-heading"')[1].split("</section>")[0]
    assert f"共 {units} 项，显示前 {DASHBOARD_ROWS} 项" in compliance
    link = reverse("supervision:compliance")
    assert re.search(rf'href="{link}\?plan={world.plan.pk}&amp;as_of={AS_OF}">查看全部', compliance)
    chart = response.context["chart"]
    assert len(chart["tasks"]) == DASHBOARD_ROWS and len(chart["compliance"]) == DASHBOARD_ROWS


def test_every_task_is_one_click_away_a_page_at_a_time(client, world, monkeypatch):
    monkeypatch.setattr(dashboard_view, "TASK_PAGE_SIZE", 20)
    _grow(world, 0, 40)
    tasks = world.plan.tasks.count()
    client.force_login(world.leader)
    seen = []
    for page in (1, 2, 3):
        response = _dashboard(client, world, tasks="all", page=page)
        seen += [r.number for r in response.context["tasks_shown"]]
        assert f"第 {page} / 3 页" in response.content.decode()
    assert len(seen) == tasks and seen == sorted(seen)


def test_order_tables_show_the_most_red_first_with_a_link_to_the_order_list(client, world):
    _grow(world, 0, 40)
    bulk_orders(world.plan, 400, issuer=world.neutral_supervisor)
    client.force_login(world.leader)
    html = _dashboard(client, world).content.decode()
    orders = html.split('id="orders-heading"')[1].split("</section>")[0]
    by_task = orders.split("<caption>按任务</caption>")[1].split("</table>")[0]
    assert len(re.findall(r"#supervision\">任务\d+</a>", by_task)) == DASHBOARD_ROWS
    notes = re.findall(
        r"共 (\d+) 项，显示前 (\d+) 项（红色、黄色督办单最多的(单位|任务)优先）", orders
    )
    assert ("任务" in {n[2] for n in notes}) and all(int(n[1]) == DASHBOARD_ROWS for n in notes)
    list_url = reverse("supervision:order_list")
    assert f'href="{list_url}?plan={world.plan.pk}&amp;as_of={AS_OF}">查看全部' in orders


def _scorecard(client, world, **params):
    query = {"plan": world.plan.pk, "as_of": AS_OF, **params}
    response = client.get(reverse("supervision:scorecard"), query)
    assert response.status_code == 200
    return response


def _ids(response):
    return [s.row.department_id for _label, members in response.context["groups"] for s in members]


def test_scorecard_paginates_in_ranking_order(client, world):
    _grow(world, 0, SCORECARD_PAGE_SIZE + 5)
    client.force_login(world.leader)
    first = _scorecard(client, world)
    everyone = [
        s.row.department_id for _label, members in first.context["data"].standing for s in members
    ]
    assert len(everyone) > SCORECARD_PAGE_SIZE
    second = _scorecard(client, world, page=2)
    assert _ids(first) + _ids(second) == everyone  # same order, nothing lost or repeated
    assert len(_ids(first)) == SCORECARD_PAGE_SIZE
    html = first.content.decode()
    assert "第 1 / 2 页" in html and "page=2" in html
    assert f"共 {len(everyone)} 个单位，每页 {SCORECARD_PAGE_SIZE} 个" in html


def test_small_plan_scorecard_is_one_page(client, world):
    client.force_login(world.leader)
    response = _scorecard(client, world)
    assert "分页" not in response.content.decode()
    assert _ids(response) == [
        s.row.department_id
        for _label, members in response.context["data"].standing
        for s in members
    ]


def test_query_counts_do_not_grow_with_units_tasks_and_orders(client, world):
    client.force_login(world.leader)
    query = f"?as_of={AS_OF}&plan={world.plan.pk}"
    urls = [
        reverse("supervision:dashboard") + query,
        reverse("supervision:dashboard") + query + "&tasks=all&page=2",
        reverse("supervision:dashboard_print") + query,
        reverse("supervision:scorecard") + query,
        reverse("supervision:scorecard") + query + "&page=2",
        reverse("supervision:compliance") + query,
        reverse("supervision:compliance") + query + "&period=all&status=missing",
    ]
    _grow(world, 0, 2)
    bulk_orders(world.plan, 10, issuer=world.neutral_supervisor)
    before = [count_queries(client, url) for url in urls]
    _grow(world, 2, 70)
    bulk_orders(world.plan, 500, issuer=world.neutral_supervisor)
    after = [count_queries(client, url) for url in urls]
    assert before == after


def test_printout_says_when_the_task_table_is_cut(client, world):
    tasks = world.plan.tasks.count() + 40
    _grow(world, 0, 40)
    client.force_login(world.leader)
    query = {"plan": world.plan.pk, "as_of": AS_OF}
    html = client.get(reverse("supervision:dashboard_print"), query).content.decode()
    assert f"共 {tasks} 项，显示前 {DASHBOARD_ROWS} 项（滞后/逾期、预警的任务优先）" in html


def test_missed_targets_are_shown_first():
    from supervision.shown import target_pressure

    class Row:
        def __init__(self, status):
            self.status = status

    rows = [Row(s) for s in ["met", "pending", "missed", "met", "missed"]]
    shown = most_pressing(rows, 2, key=target_pressure)
    assert [r.status for r in shown] == ["missed", "missed"] and shown.total == 5
