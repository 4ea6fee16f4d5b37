"""One rule for which report stands for a task (reports.standing), used everywhere.

Task 3 of the test world (its second plan) has two lead units: 教育局 (principal), 人社局.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse

from reports.models import ReportState
from reports.standing import standing_report
from reports.summary import sync_report_summary
from supervision.selectors import dashboard_data
from supervision.tests.factories import make_report

pytestmark = pytest.mark.django_db
D = datetime.date
NOW = datetime.datetime(2023, 6, 20, 9, 0, tzinfo=datetime.UTC)


def both_leads_accepted(world, *, edu_percent=20, hr_percent=90):
    """Both lead units' May reports on task 3 accepted; hr's was created first."""
    make_report(
        world.task3,
        world.hr,
        D(2023, 5, 1),
        author=world.hr_reporter,
        submitted_on=D(2023, 6, 2),
        accepted_on=D(2023, 6, 3),
        percent=hr_percent,
    )
    make_report(
        world.task3,
        world.edu,
        D(2023, 5, 1),
        author=world.reporter,
        submitted_on=D(2023, 6, 2),
        accepted_on=D(2023, 6, 3),
        percent=edu_percent,
    )


def test_the_principal_leads_report_stands_on_a_tie(world):
    both_leads_accepted(world)
    rows = [r.summary for r in world.task3.reports.all()]
    for ordering in (rows, list(reversed(rows))):
        stands = standing_report(ordering, principal_lead_id=world.edu.pk)
        assert stands.department_id == world.edu.pk


@time_machine.travel(NOW, tick=False)
def test_public_page_dashboard_and_my_tasks_show_the_same_percent(client, world):
    both_leads_accepted(world)
    public = client.get(reverse("supervision:public_plan", args=[world.task3.plan_id]))
    row = next(r for r in public.context["rows"] if r["number"] == 3)
    assert row["percent"] == 20
    data = dashboard_data(plan=world.task3.plan, year=2023, as_of=D(2023, 6, 20), user=None)
    assert next(t for t in data.tasks if t.number == 3).percent == 20
    client.force_login(world.hr_reporter)
    mine = client.get(reverse("reports:my_tasks"))
    row = next(r for r in mine.context["rows"] if r["task"].pk == world.task3.pk)
    assert row["standing"].percent == 20


@time_machine.travel(NOW, tick=False)
def test_my_tasks_shows_the_accepted_standing_and_labels_the_own_unreviewed_report(client, world):
    make_report(
        world.task1,
        world.edu,
        D(2023, 4, 1),
        author=world.reporter,
        submitted_on=D(2023, 5, 2),
        accepted_on=D(2023, 5, 3),
        percent=73,
    )
    make_report(
        world.task1,
        world.edu,
        D(2023, 5, 1),
        author=world.reporter,
        submitted_on=D(2023, 6, 2),
        percent=65,
    )
    client.force_login(world.reporter)
    response = client.get(reverse("reports:my_tasks"))
    row = next(r for r in response.context["rows"] if r["task"].pk == world.task1.pk)
    assert row["standing"].percent == 73
    html = response.content.decode()
    assert "73%" in html
    assert "未审核" in html


@time_machine.travel(NOW, tick=False)
def test_my_tasks_lists_every_returned_report(client, world):
    for month in (3, 4):
        report = make_report(
            world.task1,
            world.edu,
            D(2023, month, 1),
            author=world.reporter,
            submitted_on=D(2023, month + 1, 2),
            state=ReportState.RETURNED,
            times_returned=1,
        )
        sync_report_summary(report)
    make_report(
        world.task1, world.edu, D(2023, 5, 1), author=world.reporter, submitted_on=D(2023, 6, 2)
    )
    client.force_login(world.reporter)
    response = client.get(reverse("reports:my_tasks"))
    assert response.context["stats"]["returned"] == 2
    row = next(r for r in response.context["rows"] if r["task"].pk == world.task1.pk)
    assert [r.period_start for r in row["returned"]] == [D(2023, 3, 1), D(2023, 4, 1)]
    html = response.content.decode()
    assert "2023年3月已退回" in html and "2023年4月已退回" in html
