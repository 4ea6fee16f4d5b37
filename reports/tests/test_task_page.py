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
