"""Which periods are due, submitted, late or missing — as of any date."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from reports import services
from reports.selectors import PeriodState, next_due, period_statuses
from reports.tests.factories import JUNE, MAY, draft, submitted
from tasks.models import Plan

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class Row:
    def __init__(self, start, submitted_at=None):
        self.period_start = start
        self.first_submitted_at = submitted_at


def at(y, m, d, h=10):
    return datetime.datetime(y, m, d, h, tzinfo=SHANGHAI)


def plan(cycle="monthly", due_days=5):
    return Plan(
        title="p",
        start_year=2023,
        end_year=2023,
        document_date=datetime.date(2023, 1, 10),
        reporting_cycle=cycle,
        due_days_after_period=due_days,
    )


def states(statuses):
    return [(s.period.start.month, s.state) for s in statuses]


def test_monthly_states_as_of_a_date():
    rows = [
        Row(datetime.date(2023, 1, 1), at(2023, 2, 3)),  # on time (due 2月5日)
        Row(datetime.date(2023, 2, 1), at(2023, 3, 9)),  # late (due 3月5日)
        Row(datetime.date(2023, 3, 1)),  # draft never submitted
    ]
    result = period_statuses(plan(), rows, datetime.date(2023, 5, 3))
    assert states(result) == [
        (1, PeriodState.SUBMITTED),
        (2, PeriodState.LATE),
        (3, PeriodState.MISSING),
        (4, PeriodState.DUE),  # April ended, due 5月5日
        (5, PeriodState.IN_PROGRESS),
    ]
    assert next_due(result).period.start == datetime.date(2023, 3, 1)
    assert result[2].report is rows[2]


def test_a_submission_after_the_as_of_date_does_not_count_yet():
    rows = [Row(datetime.date(2023, 1, 1), at(2023, 2, 20))]
    before = period_statuses(plan(), rows, datetime.date(2023, 2, 10))
    after = period_statuses(plan(), rows, datetime.date(2023, 2, 21))
    assert before[0].state == PeriodState.MISSING
    assert after[0].state == PeriodState.LATE


def test_due_day_itself_is_on_time_and_the_next_day_is_missing():
    on_due_day = period_statuses(plan(), [], datetime.date(2023, 2, 5))
    day_after = period_statuses(plan(), [], datetime.date(2023, 2, 6))
    assert on_due_day[0].state == PeriodState.DUE
    assert day_after[0].state == PeriodState.MISSING
    rows = [Row(datetime.date(2023, 1, 1), at(2023, 2, 5, 23))]
    assert period_statuses(plan(), rows, day_after[0].period.due)[0].state == "submitted"


def test_quarterly_cycle():
    result = period_statuses(plan("quarterly", 10), [], datetime.date(2023, 7, 8))
    assert [(s.period.label, s.state) for s in result] == [
        ("2023年第1季度", PeriodState.MISSING),
        ("2023年第2季度", PeriodState.DUE),  # due 7月10日
        ("2023年第3季度", PeriodState.IN_PROGRESS),
    ]


def test_nothing_is_due_before_the_plan_starts():
    assert period_statuses(plan(), [], datetime.date(2022, 12, 1)) == []


def test_my_tasks_marks_late_and_returned_work(client, world, frozen):
    # Frozen at 2023年7月10日: January–June have ended and are due.
    for month in range(1, 6):  # each submitted on the 3rd of the next month: on time
        frozen.move_to(at(2023, month + 1, 3))
        submitted(world, period=datetime.date(2023, month, 1))
    frozen.move_to(at(2023, 7, 10))
    june = submitted(world, period=JUNE)
    services.report_return(user=world.neutral_supervisor, report=june, comment="补充")
    client.force_login(world.reporter)
    response = client.get(reverse("reports:my_tasks"))
    rows = {row["task"].pk: row for row in response.context["rows"]}
    lead, support = rows[world.task1.pk], rows[world.task2.pk]
    assert (lead["role"], support["role"]) == ("lead", "support")
    assert lead["returned"] and lead["missing"] == 0
    assert lead["late"] == 1  # June was first submitted on 7月10日, after its due date 7月5日
    assert lead["next_due"].period.start == datetime.date(2023, 7, 1)  # the current period
    assert support["missing"] == 6 and not support["returned"]
    assert support["next_due"].period.label == "2023年1月"
    html = response.content.decode()
    assert "已退回，请修改" in html and "逾期未报 6 期" in html and "逾期报送 1 期" in html
    assert "牵头" in html and "责任" in html and "40%" in html
    assert "截止 2023年2月5日" in html


@pytest.mark.parametrize(
    ("today", "expected"),
    [(datetime.date(2023, 6, 3), "待报送"), (datetime.date(2023, 6, 6), "逾期未报")],
)
def test_task_page_period_table_follows_the_date(client, world, today, expected):
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(9), SHANGHAI)):
        client.force_login(world.reporter)
        response = client.get(reverse("reports:task_detail", args=[world.task1.pk]))
    periods = response.context["my_periods"]
    assert periods[0]["status"].period.start == datetime.date(2023, 6, 1)
    may = periods[1]
    assert may["status"].period.start == MAY and may["status"].state.label == expected


def test_task_page_shows_policy_targets_and_everyones_timeline(client, world):
    from tasks.models import KeyArea

    area = KeyArea.objects.create(
        plan=world.plan, section="key_task", number=3, label="（三）", title="实训", text="政策原文"
    )
    world.task1.key_areas.add(area)
    report = draft(world, period=MAY, target_values={world.target1: "41"})
    report = services.report_submit(user=world.reporter, report=report)
    services.report_accept(user=world.neutral_supervisor, report=report)
    draft(world, user=world.hr_reporter, period=MAY, fields={"work_done": "人社局配合"})
    client.force_login(world.reporter)
    html = client.get(reverse("reports:task_detail", args=[world.task1.pk])).content.decode()
    assert world.task1.content in html and "政策原文" in html
    assert "41" in html and "2023年5月 报告（已审核）" in html
    assert "人社局配合" in html  # the lead department sees its supporting unit's report
    assert "<strong>审核通过</strong>" in html and "周督查" in html
    client.force_login(world.hr_reporter)
    html = client.get(reverse("reports:task_detail", args=[world.task1.pk])).content.decode()
    assert "审核通过" in html and "人社局配合" in html


def test_the_due_day_ends_at_local_midnight_for_my_tasks_and_the_dashboard_alike():
    """One on-time rule (tasks.periods.submission_deadline) serves My tasks, the task page and
    the dashboard's compliance (supervision.facts.PlanFacts.deadline)."""
    from tasks.periods import make_period, submission_deadline

    january = make_period(plan(), datetime.date(2023, 1, 1))  # due 2023-02-05
    assert submission_deadline(january) == datetime.datetime(2023, 2, 6, tzinfo=SHANGHAI)
    just_in = datetime.datetime(2023, 2, 5, 23, 59, tzinfo=SHANGHAI)
    just_late = datetime.datetime(2023, 2, 6, 0, 1, tzinfo=SHANGHAI)
    rows = [Row(datetime.date(2023, 1, 1), just_in), Row(datetime.date(2023, 2, 1), just_late)]
    statuses = period_statuses(plan(), rows, datetime.date(2023, 3, 10))
    # February's report (due 3-05) sent on 2-06 is on time; January's at 23:59 on 2-05 too.
    assert states(statuses)[:2] == [(1, PeriodState.SUBMITTED), (2, PeriodState.SUBMITTED)]
    late = period_statuses(
        plan(), [Row(datetime.date(2023, 1, 1), just_late)], at(2023, 3, 10).date()
    )
    assert states(late)[0] == (1, PeriodState.LATE)


def test_is_past_due_is_period_states_missing_rule():
    """The aggregate counts' condition agrees with period_state for an unsubmitted report on
    every day around a period's end and due date."""
    import datetime

    from reports.selectors import PeriodState, is_past_due, period_state
    from tasks.periods import Period

    period = Period(
        start=datetime.date(2023, 6, 1),
        end=datetime.date(2023, 6, 30),
        due=datetime.date(2023, 7, 5),
        label="2023年6月",
    )
    for offset in range(-3, 12):
        day = datetime.date(2023, 6, 28) + datetime.timedelta(days=offset)
        missing = period_state(period, None, day) == PeriodState.MISSING
        assert is_past_due(period, day) == missing, day
