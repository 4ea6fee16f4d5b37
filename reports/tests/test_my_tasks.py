"""My tasks for a unit on many tasks: header figures over every task, the table paged and
filtered by plan and by what needs action, queries constant."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from reports.tests.test_query_counts import add_tasks, count_queries
from reports.views.mine import TASKS_PER_PAGE
from supervision.tests.factories import make_report

pytestmark = pytest.mark.django_db
URL = "reports:my_tasks"


@pytest.fixture
def july():
    with time_machine.travel(datetime.datetime(2023, 7, 10, 9, tzinfo=datetime.UTC)):
        yield


def test_the_table_is_paged_and_the_figures_cover_every_task(client, world, july):
    add_tasks(world, 40, start_number=10)  # 教育局 leads, 人社局 supports
    total = world.edu.assignments.count()
    assert total > TASKS_PER_PAGE
    client.force_login(world.reporter)
    first = client.get(reverse(URL))
    assert len(first.context["rows"]) == TASKS_PER_PAGE
    assert first.context["stats"]["tasks"] == total
    assert first.context["page"].paginator.count == total
    assert "page=2" in first.content.decode()
    second = client.get(reverse(URL), {"page": 2})
    shown = [r["task"].pk for r in first.context["rows"] + second.context["rows"]]
    assert len(shown) == total == len(set(shown))


def test_the_missing_figures_agree_with_the_rows(client, world, july):
    """The header's aggregate count of tasks with missing periods equals the rows' rule."""
    add_tasks(world, 5, start_number=10)
    client.force_login(world.hr_reporter)
    response = client.get(reverse(URL))
    rows = response.context["rows"]
    assert response.context["stats"]["missing"] == sum(1 for r in rows if r["missing"])
    assert {r["missing"] for r in rows} >= {6}  # 人社局 never reported task 1: Jan-Jun missing


def test_filters_by_plan_and_by_what_needs_action(client, world, july):
    add_tasks(world, 3, start_number=10)
    client.force_login(world.hr_reporter)
    everything = client.get(reverse(URL)).context["rows"]
    plans = {r["task"].plan_id for r in everything}
    assert len(plans) >= 1
    by_plan = client.get(reverse(URL), {"plan": world.plan.pk}).context["rows"]
    assert by_plan and all(r["task"].plan_id == world.plan.pk for r in by_plan)
    attention = client.get(reverse(URL), {"show": "attention"}).context["rows"]
    assert attention and all(r["missing"] or r["returned"] for r in attention)
    lead = client.get(reverse(URL), {"show": "lead"}).context["rows"]
    assert all(r["is_lead"] for r in lead)
    assert len(lead) < len(everything)
    html = client.get(reverse(URL), {"plan": 999999}).content.decode()
    assert "没有符合筛选条件的任务" in html
    # An unknown filter value shows everything.
    assert len(client.get(reverse(URL), {"show": "x"}).context["rows"]) == len(everything)


def test_query_count_is_flat_past_one_page(client, world, july):
    client.force_login(world.reporter)
    url = reverse(URL)
    add_tasks(world, 2, start_number=10)
    small = count_queries(client, url)
    add_tasks(world, 40, start_number=20)
    assert count_queries(client, url) == small
    assert count_queries(client, url + "?show=attention&page=2") == small


def test_returned_reports_count_only_on_tasks_the_unit_still_carries(client, world, july):
    from reports.models import ReportState
    from tasks.models import TaskAssignment

    make_report(
        world.task1,
        world.hr,
        datetime.date(2023, 5, 1),
        author=world.hr_reporter,
        state=ReportState.RETURNED,
    )
    client.force_login(world.hr_reporter)
    assert client.get(reverse(URL)).context["stats"]["returned"] == 1
    TaskAssignment.objects.filter(task=world.task1, department=world.hr).delete()
    response = client.get(reverse(URL))
    assert response.context["stats"]["returned"] == 0
    assert all(r["task"].pk != world.task1.pk for r in response.context["rows"])


def test_a_row_links_the_oldest_returned_reports_and_counts_the_rest(client, world, july):
    from reports.models import ReportState
    from reports.views.mine import RETURNED_LINKED

    for month in range(1, 6):
        make_report(
            world.task1,
            world.edu,
            datetime.date(2023, month, 1),
            author=world.reporter,
            state=ReportState.RETURNED,
        )
    client.force_login(world.reporter)
    response = client.get(reverse(URL))
    row = next(r for r in response.context["rows"] if r["task"].pk == world.task1.pk)
    assert [r.period_start.month for r in row["returned"]] == [1, 2, 3][:RETURNED_LINKED]
    assert row["returned_more"] == 5 - RETURNED_LINKED
    assert response.context["stats"]["returned"] == 5
    body = response.content.decode()
    assert body.count("已退回，请修改") == RETURNED_LINKED
    assert f"另有 {5 - RETURNED_LINKED} 期被退回" in body


def test_plans_on_different_calendars_count_their_own_missing_periods(client, world, july):
    """Plans sharing a calendar share one condition in the header's query; a quarterly plan
    beside monthly ones keeps its own periods (the header equals the rows' rule)."""
    world.task3.plan.reporting_cycle = "quarterly"
    world.task3.plan.save()
    client.force_login(world.hr_reporter)
    response = client.get(reverse(URL))
    rows = {r["task"].pk: r for r in response.context["rows"]}
    # Q4 2022 (the plan was issued in December 2022), Q1 and Q2 2023: nothing sent.
    assert rows[world.task3.pk]["missing"] == 3
    assert rows[world.task1.pk]["missing"] == 6  # January to June
    assert response.context["stats"]["missing"] == sum(1 for r in rows.values() if r["missing"])


def test_a_kept_page_shows_a_change_on_any_of_the_units_plans_at_once(client, world, july):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.models import ReportState

    client.force_login(world.hr_reporter)
    first = client.get(reverse(URL))
    with CaptureQueriesContext(connection) as kept:
        again = client.get(reverse(URL))
    assert again.context["stats"] == first.context["stats"]
    with CaptureQueriesContext(connection) as computed:
        client.get(reverse(URL), {"show": "lead"})  # another key: computed
    assert len(kept) < len(computed)
    # A report on the second plan's task is returned: its plan's token changes.
    make_report(
        world.task3,
        world.hr,
        datetime.date(2023, 5, 1),
        author=world.hr_reporter,
        state=ReportState.RETURNED,
    )
    after = client.get(reverse(URL))
    assert after.context["stats"]["returned"] == first.context["stats"]["returned"] + 1
    row = next(r for r in after.context["rows"] if r["task"].pk == world.task3.pk)
    assert [r.period_start for r in row["returned"]] == [datetime.date(2023, 5, 1)]


def test_a_new_draft_shows_at_once_while_the_rest_stays_kept(client, world, july):
    """Saving a draft renews no figures token (supervision.figure_triggers); the newest
    report of each row is read on every view, so the draft shows at once all the same."""
    from reports.services import report_save, report_start
    from supervision.figure_cache import figures_token

    client.force_login(world.reporter)

    def newest_on_task1():
        rows = client.get(reverse(URL)).context["rows"]
        latest = next(r for r in rows if r["task"].pk == world.task1.pk)["latest_own"]
        return latest and (latest.period_start, latest.state)

    before = newest_on_task1()
    token = figures_token([world.plan.pk])
    draft = report_start(
        user=world.reporter, task=world.task1, period_start=datetime.date(2023, 7, 1)
    )
    report_save(
        user=world.reporter, report=draft, expected_version=0, fields={"work_done": "七月进展。"}
    )
    assert figures_token([world.plan.pk]) == token
    assert newest_on_task1() == (datetime.date(2023, 7, 1), "draft") != before


def test_drafts_and_the_next_period_link_from_the_row(client, world, july):
    """A draft for an older period is listed on its row, and 下一个待报期 opens its draft, its
    report waiting for the head's sign-off, a new report, or says the period is closed."""
    from django.utils import timezone

    from reports.models import PeriodLock, ReportState
    from reports.services import report_start

    client.force_login(world.reporter)

    def rows():
        response = client.get(reverse(URL))
        return response, {r["task"].pk: r for r in response.context["rows"]}

    response, by_task = rows()
    due = by_task[world.task1.pk]["next_due"].period.start
    assert by_task[world.task1.pk]["drafts"] == []
    assert by_task[world.task1.pk]["next_due_link"] == ("new", None)
    create = reverse("reports:report_create", args=[world.task1.pk, due.isoformat()])
    assert f'href="{create}"' in response.content.decode()

    draft = report_start(user=world.reporter, task=world.task1, period_start=due)
    response, by_task = rows()
    row = by_task[world.task1.pk]
    assert [(d.pk, d.period_start) for d in row["drafts"]] == [(draft.pk, due)]
    assert row["next_due_link"] == ("draft", draft.pk)
    html = response.content.decode()
    detail = reverse("reports:report_detail", args=[draft.pk])
    assert f'<a class="badge" href="{detail}">{due.year}年{due.month}月草稿未报送</a>' in html
    assert (
        f'<a href="{detail}">{row["next_due"].period.label}</a> <span class="badge">草稿</span>'
        in html
    )

    # Sent to the head for sign-off: not submitted yet, so still the next period, and its
    # link opens the report rather than a new one.
    draft.state = ReportState.AWAITING_SIGNOFF
    draft.save(update_fields=["state"])
    response, by_task = rows()
    assert by_task[world.task1.pk]["next_due_link"] == ("report", draft.pk)
    assert by_task[world.task1.pk]["drafts"] == []

    # A closed period is named, not linked.
    other = next(r for t, r in by_task.items() if t != world.task1.pk and r["next_due"])
    start = other["next_due"].period.start
    PeriodLock.objects.create(
        plan=other["task"].plan,
        period_start=start,
        changed_by=world.supervisor,
        changed_at=timezone.now(),
    )
    response, by_task = rows()
    assert by_task[other["task"].pk]["next_due_link"] == ("closed", None)
    closed_create = reverse("reports:report_create", args=[other["task"].pk, start.isoformat()])
    assert f'href="{closed_create}"' not in response.content.decode()
