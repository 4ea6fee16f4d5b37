"""The compliance drill-down (supervision:compliance): the expected reports behind the
dashboard's compliance counts and overdue list, with the same numbers.

The world (huancui_vet/testing.py): a monthly plan from January 2023, reports due 5 days
after each month; task 1 led by 教体局 (edu) and supported by 人社局 (hr); task 2 the
other way round. On 10 March 2023 the dashboard's current period is February (due 5 March).
"""

import datetime

import pytest
from django.urls import reverse

from reports.models import ReportSummary
from supervision.selectors import COMPLIANCE_LABELS, dashboard_data
from supervision.tests.factories import (
    add_department_with_task,
    count_queries,
    edu_january_accepted,
    february_sent,
    make_report,
)

D = datetime.date
pytestmark = pytest.mark.django_db
URL = reverse("supervision:compliance")


@pytest.fixture
def february(world):
    """January: edu sends task 1 on time (accepted), nothing else. February: edu sends
    task 1 on time and task 2 two days late; hr's task 2 was returned; hr's task 1 is a
    draft nobody sent (missing, but there is a report to open)."""
    edu_january_accepted(world, percent=20)
    february_sent(world)
    draft = make_report(world.task1, world.hr, D(2023, 2, 1), author=world.hr_reporter)
    world.draft = draft
    return world


def page(client, world, **params):
    params.setdefault("plan", world.plan.pk)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def rows(response):
    """(department, task number, period, status label) of every row on the page."""
    return [
        (i.department_name, i.task_number, i.period_label, i.kind_label)
        for i in response.context["items"]
    ]


@pytest.mark.parametrize("as_of", [D(2023, 3, 3), D(2023, 3, 10), D(2023, 4, 20)])
def test_rows_per_status_equal_the_dashboards_counts_for_each_department(client, february, as_of):
    client.force_login(february.leader)
    dashboard = dashboard_data(plan=february.plan, year=2023, as_of=as_of, user=february.leader)
    assert dashboard.compliance_total.expected == 4
    for row in [*dashboard.compliance, dashboard.compliance_total]:
        department = row.department_id or ""
        everything = page(client, february, as_of=as_of, department=department)
        assert everything.context["data"].expected == row.expected
        for kind in COMPLIANCE_LABELS:
            response = page(client, february, as_of=as_of, department=department, status=kind)
            listed = response.context["items"]
            assert len(listed) == getattr(row, kind), (row.department_name, kind)
            assert {i.kind for i in listed} <= {kind}
            assert everything.context["data"].counts[kind] == getattr(row, kind)


def test_the_overdue_figures_equal_the_missing_rows_of_every_ended_period(client, february):
    client.force_login(february.supervisor)
    as_of = D(2023, 3, 10)
    dashboard = dashboard_data(plan=february.plan, year=2023, as_of=as_of, user=february.leader)
    response = page(client, february, as_of=as_of, status="missing", period="all")
    expected = [
        (o.department_name, o.task_number, o.period_label, "逾期未报") for o in dashboard.overdue
    ]
    assert sorted(rows(response)) == sorted(expected)
    assert len(expected) == 4  # hr's February task 1 and all three other January reports
    hr_only = page(
        client, february, as_of=as_of, status="missing", period="all", department=february.hr.pk
    )
    assert {r[0] for r in rows(hr_only)} == {"人社局"}


def test_the_page_shows_each_expected_report_hand_computed(client, february):
    client.force_login(february.leader)
    response = page(client, february, as_of=D(2023, 3, 10))
    # Units in the dashboard's order, then the plan's task order.
    assert rows(response) == [
        ("教体局", 1, "2023年2月", "按期报送"),
        ("教体局", 2, "2023年2月", "逾期报送"),
        ("人社局", 1, "2023年2月", "逾期未报"),
        ("人社局", 2, "2023年2月", "退回修改"),
    ]
    items = response.context["items"]
    assert [i.days_overdue for i in items] == [None, 2, 5, None]
    assert [i.role_label for i in items] == ["牵头", "责任", "责任", "牵头"]
    body = response.content.decode()
    assert "2023年3月7日 10:00" in body  # the late report's submission time
    # The missing report has a draft behind it, and every row links to its task.
    assert f'href="{reverse("reports:report_detail", args=[february.draft.pk])}"' in body
    assert f'href="{reverse("reports:task_detail", args=[february.task2.pk])}"' in body
    assert 'class="badge badge--red">逾期未报' in body


def test_filters_by_department_status_and_period(client, february):
    client.force_login(february.leader)
    as_of = D(2023, 3, 10)
    edu = page(client, february, as_of=as_of, department=february.edu.pk)
    assert {r[0] for r in rows(edu)} == {"教体局"} and len(rows(edu)) == 2
    late = page(client, february, as_of=as_of, status="late")
    assert rows(late) == [("教体局", 2, "2023年2月", "逾期报送")]
    january = page(client, february, as_of=as_of, period="2023-01-01")
    assert {r[2] for r in rows(january)} == {"2023年1月"} and len(rows(january)) == 4
    every = page(client, february, as_of=as_of, period="all")
    assert len(rows(every)) == 8  # 2 ended periods × 4 assignments; per unit newest first
    assert [r[:3] for r in rows(every)[:4]] == [
        ("教体局", 1, "2023年2月"),
        ("教体局", 2, "2023年2月"),
        ("教体局", 1, "2023年1月"),
        ("教体局", 2, "2023年1月"),
    ]
    # A period that has not ended by the as-of date falls back to the current period.
    assert rows(page(client, february, as_of=as_of, period="2023-03-01")) == rows(
        page(client, february, as_of=as_of)
    )


def test_invalid_filters_fall_back_to_the_defaults(client, february):
    client.force_login(february.leader)
    response = page(client, february, as_of="2023-03-10", status="lost", period="soon")
    assert len(response.context["items"]) == 4
    body = response.content.decode()
    assert "请选择有效的填报期。" in body
    assert page(client, february, as_of="2023-03-10", department=99999).context["items"] == []


def test_without_an_ended_period_the_page_is_empty(client, world):
    client.force_login(world.leader)
    response = page(client, world, as_of="2023-01-15")
    assert response.context["items"] == [] and "尚无结束的填报期" in response.content.decode()


def test_the_dashboard_links_each_count_to_its_rows(client, february):
    client.force_login(february.leader)
    body = client.get(
        reverse("supervision:dashboard"), {"as_of": "2023-03-10", "plan": february.plan.pk}
    ).content.decode()
    base = f"{URL}?plan={february.plan.pk}&amp;as_of=2023-03-10"
    for department in (february.edu, february.hr):
        for kind in COMPLIANCE_LABELS:
            assert f'href="{base}&amp;department={department.pk}&amp;status={kind}"' in body
    assert f'href="{base}&amp;status=missing"' in body  # the totals row
    overdue = f'href="{base}&amp;status=missing&amp;period=all"'
    assert body.count(overdue) == 2  # the headline figure and the overdue list's count
    assert "review/?department" not in body


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_reporter_is_refused(client, world):
    client.force_login(world.reporter)
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("persona", ["supervisor", "neutral_supervisor", "leader", "admin"])
def test_supervisors_leaders_and_admins_see_the_page(client, world, persona):
    client.force_login(getattr(world, persona))
    response = client.get(URL, {"as_of": "2023-03-10"})
    assert response.status_code == 200
    assert "报送情况明细" in response.content.decode()


def test_the_page_refuses_posts(client, world):
    client.force_login(world.leader)
    assert client.post(URL).status_code == 405


def _grow(world, start, stop):
    """A department, a task and a year of reports (half sent late, a quarter missing)."""
    for i in range(start, stop):
        dept, task = add_department_with_task(world, i)
        for month in range(1, 13):
            if month % 4 == 0:
                continue
            make_report(
                task,
                dept,
                D(2023, month, 1),
                author=world.reporter,
                submitted_on=D(2023, month, 28) if month % 2 else None,
            )


def test_query_count_is_constant_as_data_grows_tenfold(client, world):
    client.force_login(world.leader)
    query = f"?plan={world.plan.pk}&as_of=2024-01-10"
    urls = [
        URL,  # defaults
        URL + query,
        URL + query + "&period=all",
        URL + query + "&period=all&page=2",
        URL + query + f"&period=all&status=missing&department={world.edu.pk}",
        URL + query + "&period=all&sort=-status",  # sorting stays in memory: no query
        URL + query + "&period=all&sort=task&page=2",
    ]
    _grow(world, 0, 2)
    before = [count_queries(client, url) for url in urls]
    _grow(world, 2, 22)
    assert ReportSummary.objects.count() == 22 * 9
    after = [count_queries(client, url) for url in urls]
    assert before == after
    # Session, user, groups, permissions and the session save; the rest is the page (plan
    # choices, tasks, assignments, targets, summaries, the shown rows' report ids).
    # +1: the header bell's unread count.
    assert max(after) <= 18
    # Every ended period × assignment (24 tasks, 2 units each, 12 months), 100 a page.
    response = client.get(URL + query + "&period=all")
    assert response.context["page"].paginator.count == 24 * 2 * 12
    assert len(response.context["items"]) == 100


def test_rows_sort_by_column_with_the_choice_kept_in_links(client, february):
    client.force_login(february.leader)
    response = page(client, february, as_of=D(2023, 3, 10), period="all", sort="task")
    numbers = [i.task_number for i in response.context["items"]]
    assert numbers == sorted(numbers) and len(set(numbers)) == 2
    by_period = page(client, february, as_of=D(2023, 3, 10), period="all", sort="-period")
    starts = [i.period_start for i in by_period.context["items"]]
    assert starts == sorted(starts, reverse=True)
    by_status = page(client, february, as_of=D(2023, 3, 10), period="all", sort="status")
    order = list(COMPLIANCE_LABELS)
    kinds = [order.index(i.kind) for i in by_status.context["items"]]
    assert kinds == sorted(kinds)
    assert 'aria-sort="ascending"' in by_status.text
    # The status tabs keep the sort.
    assert "sort=status" in by_status.context["status_query"]
