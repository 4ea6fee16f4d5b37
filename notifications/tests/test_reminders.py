"""Reminder selection with frozen time: due in N days, due today, overdue, submitted, closed."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import Department, Role
from huancui_vet.testing import assign, make_user
from notifications.models import Delivery, Kind, Notice, NotificationSettings
from notifications.reminders import reminder_kind, run_reminders
from reports import services
from reports.tests.factories import JUNE, submitted
from tasks.models import Task, TaskAssignment

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
JUNE_DUE = datetime.date(2023, 7, 5)  # June 2023 ends on the 30th, due 5 days later


def at(day, hour=8):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False
    )


def run(day):
    with at(day):
        return run_reminders()


WORLD_PLAN = "《测试实施方案》"  # the shared world's first plan; its second plan is reminded apart
UNIT_KINDS = {Kind.DUE_SOON, Kind.DUE_TODAY, Kind.OVERDUE}


def reminders(kind, user=None, plan=WORLD_PLAN):
    """Notices of `kind` (for `user`); a unit's reminders only those of `plan`."""
    notices = Notice.objects.filter(kind=kind)
    if kind in UNIT_KINDS:
        notices = notices.filter(body__startswith=plan)
    return notices.filter(recipient=user) if user else notices


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (datetime.date(2023, 7, 2), Kind.DUE_SOON),
        (datetime.date(2023, 7, 3), None),
        (datetime.date(2023, 7, 5), Kind.DUE_TODAY),
        (datetime.date(2023, 7, 6), Kind.OVERDUE),
        (datetime.date(2023, 7, 8), None),
        (datetime.date(2023, 7, 12), Kind.OVERDUE),
        (datetime.date(2023, 8, 2), Kind.OVERDUE),
        (datetime.date(2023, 8, 3), None),
    ],
)
def test_reminder_kind_by_day(day, kind):
    assert reminder_kind(JUNE_DUE, day) == kind


def test_due_soon_reminds_every_unit_with_a_missing_report(world):
    run(datetime.date(2023, 7, 2))
    edu = reminders(Kind.DUE_SOON, world.reporter).get()
    assert edu.title == "2023年6月进展报告3天后截止"
    assert "2023年7月5日前报送" in edu.body
    assert "第1号任务（牵头）" in edu.body and "第2号任务（配合）" in edu.body
    assert reminders(Kind.DUE_SOON, world.hr_reporter).count() == 1
    # 财政局 carries no task; supervisors and leaders are not reporters.
    assert {n.recipient.username for n in reminders(Kind.DUE_SOON)} == {
        "edu_reporter",
        "edu_head",
        "hr_reporter",
    }


def test_a_submitted_report_is_not_reminded(world):
    with at(datetime.date(2023, 7, 1), 9):
        submitted(world)  # 教育局's June report on task 1
    run(datetime.date(2023, 7, 5))
    body = reminders(Kind.DUE_TODAY, world.reporter).get().body
    assert "第1号任务" not in body and "第2号任务（配合）" in body
    assert "尚有1项任务未报送" in body


def test_a_unit_with_everything_submitted_gets_nothing(world):
    with at(datetime.date(2023, 7, 1), 9):
        submitted(world)
        submitted(world, task=world.task2)
    run(datetime.date(2023, 7, 6))
    assert not reminders(Kind.OVERDUE, world.reporter).exists()
    assert reminders(Kind.OVERDUE, world.hr_reporter).count() == 1


def test_overdue_on_the_day_after_and_weekly_then_quiet(world):
    run(datetime.date(2023, 7, 6))
    notice = reminders(Kind.OVERDUE, world.reporter).get()
    assert notice.title == "2023年6月进展报告已逾期1天"
    run(datetime.date(2023, 7, 8))
    assert reminders(Kind.OVERDUE, world.reporter).count() == 1
    run(datetime.date(2023, 7, 12))
    assert reminders(Kind.OVERDUE, world.reporter).count() == 2


def test_a_closed_period_is_not_reminded(world):
    with at(datetime.date(2023, 7, 4)):
        services.period_close(user=world.neutral_supervisor, plan=world.plan, period_start=JUNE)
    run(datetime.date(2023, 7, 5))
    closed = Notice.objects.filter(
        kind__in=[Kind.DUE_TODAY, Kind.OVERDUE], body__startswith=WORLD_PLAN
    )
    assert not closed.exists()
    # The second plan's June period is still open: its units are reminded.
    assert reminders(Kind.DUE_TODAY, world.reporter, plan="《测试产教融合方案》").count() == 1


def test_a_finished_plan_viewed_today_stays_quiet(world):
    stats = run(datetime.date(2026, 11, 30))
    assert stats.notices == 0  # nothing due, nothing waiting: not even a digest
    assert not Notice.objects.exists()


def test_a_new_plan_starting_today_is_reminded_before_its_first_due_date(world):
    world.plan.start_year, world.plan.end_year = 2026, 2027
    world.plan.reporting_starts_on = datetime.date(2026, 11, 1)
    world.plan.save()
    run(datetime.date(2026, 12, 2))  # November 2026 due on 2026年12月5日
    assert reminders(Kind.DUE_SOON, world.reporter).get().title == "2026年11月进展报告3天后截止"


def test_running_twice_the_same_day_creates_nothing_twice(world, mailable):
    first = run(datetime.date(2023, 7, 6))
    notices, deliveries = Notice.objects.count(), Delivery.objects.count()
    second = run(datetime.date(2023, 7, 6))
    assert first.notices > 0 and second.notices == 0
    assert (Notice.objects.count(), Delivery.objects.count()) == (notices, deliveries)


def test_the_command_runs_and_is_idempotent(world, capsys):
    with at(datetime.date(2023, 7, 6)):
        call_command("send_reminders")
        call_command("send_reminders", "--date", "2023-07-06")
    out = capsys.readouterr().out
    assert "新建提醒 0 条" in out.splitlines()[-1]
    assert reminders(Kind.OVERDUE, world.reporter).count() == 1


def test_reminders_carry_only_the_units_own_tasks(world):
    run(datetime.date(2023, 7, 6))
    hr_body = reminders(Kind.OVERDUE, world.hr_reporter).get().body
    assert "教育体育局" not in hr_body and "教体局" not in hr_body
    for notice in Notice.objects.filter(recipient__department=world.hr):
        assert world.edu.name not in notice.body


def test_supervisors_daily_digest(world):
    with at(datetime.date(2023, 7, 5), 9):
        submitted(world)
    run(datetime.date(2023, 7, 6))
    digest = reminders(Kind.SUPERVISOR_DIGEST, world.neutral_supervisor).get()
    assert "2023年7月5日报送进展报告 1 份" in digest.body
    assert "目前待审核 1 份" in digest.body
    # Task 2's two units and task 1's supporting unit have not reported June; in the second
    # plan, task 3's two lead units and its supporting unit have not either.
    assert "逾期未报 6 项" in digest.body
    assert reminders(Kind.SUPERVISOR_DIGEST).count() == 2  # both supervisors


def test_digest_mode_users_get_one_mail_with_yesterdays_notices(mailable):
    world = mailable
    NotificationSettings.objects.create(user=world.reporter, email_mode="digest")
    run(datetime.date(2023, 7, 5))
    assert not Delivery.objects.filter(recipient=world.reporter).exists()
    run(datetime.date(2023, 7, 6))
    mail = Delivery.objects.get(recipient=world.reporter, kind=Kind.EMAIL_DIGEST)
    assert "2023年6月进展报告今天截止" in mail.body
    run(datetime.date(2023, 7, 6))
    assert Delivery.objects.filter(recipient=world.reporter, kind=Kind.EMAIL_DIGEST).count() == 1


def _more_units(world, count):
    for i in range(count):
        unit = Department.objects.create(name=f"测试单位{i}", sort_order=10 + i)
        task = Task.objects.create(plan=world.plan, number=100 + i, content=f"测试任务{i}")
        assign(task, unit, TaskAssignment.Role.LEAD)
        make_user(f"unit{i}_reporter", Role.REPORTER, unit)


def _queries(day):
    with at(day), CaptureQueriesContext(connection) as captured:
        stats = run_reminders(batch_size=1000)
    return len(captured), stats


def test_query_count_does_not_grow_with_units(world):
    small, small_stats = _queries(datetime.date(2023, 7, 6))
    Notice.objects.all().delete()
    _more_units(world, 15)
    large, large_stats = _queries(datetime.date(2023, 7, 6))
    assert large_stats.notices == small_stats.notices + 15
    assert large == small
