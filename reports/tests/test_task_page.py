"""The task page: current standing first, periods grouped by year and collapsed, the
timeline paged."""

import datetime

import pytest
from django.urls import reverse

from reports.models import ReportEvent
from supervision.tests.factories import make_report

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def history(world):
    """Accepted lead reports on task 1 for every month of 2023 and January 2024."""
    for month in range(1, 14):
        start = D(2023 + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        make_report(
            world.task1,
            world.edu,
            start,
            author=world.reporter,
            submitted_on=start + datetime.timedelta(days=33),
            accepted_on=start + datetime.timedelta(days=34),
            percent=month * 5,
        )
    for report in world.task1.reports.all():
        ReportEvent.objects.create(
            report=report,
            action="accepted",
            actor=world.neutral_supervisor,
            at=report.reviewed_at,
        )
        ReportEvent.objects.create(
            report=report,
            action="submitted",
            actor=world.reporter,
            at=report.submitted_at,
        )


def test_the_current_standing_comes_first(client, world, history, time_machine):
    time_machine.move_to(datetime.datetime(2024, 3, 1, 9, tzinfo=datetime.UTC))
    client.force_login(world.leader)
    html = client.get(reverse("reports:task_detail", args=[world.task1.pk])).content.decode()
    assert html.index("当前进展") < html.index("任务内容")
    standing = html[html.index("当前进展") : html.index("任务内容")]
    assert "65%" in standing and "2024年1月" in standing


def test_reports_are_grouped_by_year_newest_open(client, world, history, time_machine):
    time_machine.move_to(datetime.datetime(2024, 3, 1, 9, tzinfo=datetime.UTC))
    client.force_login(world.reporter)
    html = client.get(reverse("reports:task_detail", args=[world.task1.pk])).content.decode()
    assert '<details class="year-group" open>' in html
    assert html.count('<details class="year-group"') >= 4  # reports and own periods, 2 years
    assert html.index("<summary>2024年") < html.index("<summary>2023年")


def test_the_timeline_is_paged(client, world, history):
    client.force_login(world.leader)
    url = reverse("reports:task_detail", args=[world.task1.pk])
    first = client.get(url)
    assert len(first.context["events"]) == 20
    assert "events_page=2" in first.content.decode()
    second = client.get(url, {"events_page": 2})
    assert len(second.context["events"]) == 6


def test_two_lead_units_same_period_the_principal_leads_figures_stand(client, world):
    """Targets vs actuals follow reports.standing: on a tie the principal (first-named) lead's
    report stands, whichever unit's report was accepted later."""
    from decimal import Decimal

    from tasks.models import Target

    target = Target.objects.create(
        task=world.task3,
        year=2023,
        indicator="共建公共实训基地",
        target_value=Decimal("2"),
        unit="个",
        kind=Target.Kind.COUNT,
    )
    # The second lead sorts first in the unit directory, so list order alone would pick it.
    world.hr.sort_order, world.edu.sort_order = 0, 9
    world.hr.save(update_fields=["sort_order"])
    world.edu.save(update_fields=["sort_order"])
    june = D(2023, 6, 1)
    for department, author, value, accepted in (
        (world.edu, world.reporter, "1", D(2023, 7, 8)),
        (world.hr, world.hr_reporter, "2", D(2023, 7, 9)),  # the second lead, accepted later
    ):
        make_report(
            world.task3,
            department,
            june,
            author=author,
            submitted_on=D(2023, 7, 3),
            accepted_on=accepted,
            percent=50,
            target_values={target: Decimal(value)},
        )
    client.force_login(world.leader)
    for name in ("reports:task_detail", "reports:task_print"):
        response = client.get(reverse(name, args=[world.task3.pk]))
        [(shown_target, value, report)] = response.context["targets"]
        assert shown_target == target and report.department == world.edu
        assert value.actual_value == Decimal("1")


@pytest.fixture
def two_years(world):
    """Task 1 with a report of both units for every month of 2023-2024 (48 reports), the lead
    unit's accepted, the supporting unit's submitted late in 2024 and missing in March-May 2023."""
    for month in range(24):
        start = D(2023 + month // 12, month % 12 + 1, 1)
        make_report(
            world.task1,
            world.edu,
            start,
            author=world.reporter,
            submitted_on=start + datetime.timedelta(days=33),
            accepted_on=start + datetime.timedelta(days=34),
            percent=month * 4,
        )
        if month in (2, 3, 4):
            continue
        make_report(
            world.task1,
            world.hr,
            start,
            author=world.hr_reporter,
            submitted_on=start + datetime.timedelta(days=70 if month >= 12 else 33),
        )


def test_the_reports_table_is_paged_newest_first(client, world, two_years, time_machine):
    from reports.task_page import REPORTS_PER_PAGE

    time_machine.move_to(datetime.datetime(2025, 3, 1, 9, tzinfo=datetime.UTC))
    client.force_login(world.leader)
    url = reverse("reports:task_detail", args=[world.task1.pk])
    first = client.get(url)
    shown = first.context["reports"]
    assert len(shown) == REPORTS_PER_PAGE == 30
    assert shown[0].period_start == D(2024, 12, 1)
    assert [r.period_start for r in shown] == sorted((r.period_start for r in shown), reverse=True)
    html = first.content.decode()
    assert "reports_page=2" in html and "共 45 份" in html
    second = client.get(url, {"reports_page": 2, "events_page": 1})
    assert len(second.context["reports"]) == 45 - 30
    assert second.context["reports"][-1].period_start == D(2023, 1, 1)
    # The other lists' page numbers are kept in the links.
    assert "events_page=1&amp;reports_page=1" in second.content.decode()
    # Past the end: the last page, not an error.
    assert client.get(url, {"reports_page": 99}).context["reports_page"].number == 2


def test_the_page_size_does_not_grow_with_the_reports(client, world, time_machine):
    """More reports (beyond the first page) add no rows to the page."""
    time_machine.move_to(datetime.datetime(2025, 3, 1, 9, tzinfo=datetime.UTC))
    months = [D(2023 + m // 12, m % 12 + 1, 1) for m in range(24)]
    for start in months:
        make_report(world.task1, world.edu, start, author=world.reporter, percent=1)
    for start in months[:12]:
        make_report(world.task1, world.hr, start, author=world.hr_reporter)
    client.force_login(world.leader)
    url = reverse("reports:task_detail", args=[world.task1.pk])
    rows = client.get(url).content.decode().count("查看</a>")
    assert rows == 30
    for start in months[12:]:
        make_report(world.task1, world.hr, start, author=world.hr_reporter)
    assert client.get(url).content.decode().count("查看</a>") == rows


def test_the_units_own_periods_are_paged(client, world, two_years, time_machine):
    from reports.task_page import PERIODS_PER_PAGE

    time_machine.move_to(datetime.datetime(2025, 3, 1, 9, tzinfo=datetime.UTC))
    client.force_login(world.hr_reporter)
    url = reverse("reports:task_detail", args=[world.task1.pk])
    first = client.get(url).context
    assert len(first["my_periods"]) == PERIODS_PER_PAGE
    assert first["my_periods"][0]["status"].period.start == D(2024, 12, 1)
    assert first["my_periods"][0]["status"].state == "late"
    second = client.get(url, {"periods_page": 2}).context["my_periods"]
    states = {i["status"].period.start: i["status"].state for i in second}
    assert states[D(2023, 3, 1)] == "missing" and states[D(2023, 1, 1)] == "submitted"
    assert second[7]["status"].period.start == D(2023, 5, 1) and second[7]["report"] is None


def test_unit_coverage_counts_like_the_period_rule(client, world, two_years, time_machine):
    """The aggregate counts agree with reports.selectors.period_statuses row by row."""
    from reports.models import ReportSummary
    from reports.selectors import responsible_period_statuses

    for today in (D(2023, 6, 20), D(2024, 2, 4), D(2025, 3, 1)):
        time_machine.move_to(datetime.datetime.combine(today, datetime.time(9), datetime.UTC))
        client.force_login(world.leader)
        url = reverse("reports:task_detail", args=[world.task1.pk])
        coverage = client.get(url).context["coverage"]
        expected = responsible_period_statuses(
            world.task1, ReportSummary.objects.filter(task=world.task1), today
        )
        assert [
            (row.assignment.department_id, row.last.state, row.missing) for row in coverage
        ] == [
            (a.department_id, s[-1].state, sum(1 for x in s if x.state == "missing"))
            for a, s in expected
        ]
