"""Supervision orders reach the units named on them, and only them."""

import datetime

import time_machine

from notifications.models import Kind, Notice
from notifications.reminders import run_reminders
from supervision.orders import services
from supervision.tests.orders_fixtures import DEADLINE, at, issue, urge


def kinds_for(user):
    return list(Notice.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def test_issued_order_reaches_host_and_assisting_units_only(world):
    order = issue(world)
    assert kinds_for(world.reporter) == [Kind.ORDER_ISSUED]
    assert kinds_for(world.head) == [Kind.ORDER_ISSUED]
    assert kinds_for(world.hr_reporter) == [Kind.ORDER_ISSUED]  # 协办 reads the order
    assert kinds_for(world.other_reporter) == []
    notice = Notice.objects.get(recipient=world.reporter)
    assert order.number in notice.title
    assert "2023年7月20日" in notice.body
    assert notice.url == f"/supervision/orders/{order.pk}/"


def test_each_urging_is_a_new_notice_for_the_host_unit(world):
    order = issue(world)
    urge(world, order, at(datetime.date(2023, 7, 12)))
    urge(world, order, at(datetime.date(2023, 7, 13)))
    assert kinds_for(world.reporter).count(Kind.ORDER_URGED) == 2
    assert Kind.ORDER_URGED not in kinds_for(world.hr_reporter)


def test_send_back_extension_and_close_tell_the_host_unit(world):
    order = issue(world)
    with time_machine.travel(at(datetime.date(2023, 7, 12)), tick=False):
        order = services.order_acknowledge(user=world.reporter, order=order)
        from reports.tests.factories import pdf

        order = services.order_reply(user=world.reporter, order=order, text="已办。", files=[pdf()])
        order = services.order_send_back(
            user=world.neutral_supervisor, order=order, reason="材料不全。"
        )
        services.order_extension_request(
            user=world.reporter,
            order=order,
            reason="需补充材料。",
            new_deadline=datetime.date(2023, 7, 31),
        )
        order = services.order_extension_grant(
            user=world.neutral_supervisor, order=order, new_deadline=datetime.date(2023, 7, 31)
        )
        order = services.order_reply(
            user=world.reporter, order=order, text="已补充。", files=[pdf()]
        )
        services.order_close(user=world.neutral_supervisor, order=order)
    kinds = kinds_for(world.reporter)
    assert Kind.ORDER_SENT_BACK in kinds
    assert Kind.ORDER_CLOSED in kinds
    extension = Notice.objects.get(recipient=world.reporter, kind=Kind.ORDER_EXTENSION_DECIDED)
    assert "已同意" in extension.body and "2023年7月31日" in extension.body
    assert kinds_for(world.other_reporter) == []


def test_urging_a_missing_report_tells_that_unit(world):
    with time_machine.travel(at(datetime.date(2023, 7, 12)), tick=False):
        services.report_urge(
            user=world.neutral_supervisor,
            task=world.task1,
            department=world.hr,
            period_start=datetime.date(2023, 6, 1),
            message="6月报告尚未报送，请抓紧。",
        )
    notice = Notice.objects.get(recipient=world.hr_reporter)
    assert notice.kind == Kind.ORDER_URGED
    assert "请抓紧" in notice.body
    assert kinds_for(world.reporter) == []


def test_order_turning_amber_then_red_is_told_once_per_colour(world):
    issue(world)  # deadline 2023-07-20, amber from 3 days before
    Notice.objects.all().delete()
    run_reminders(today=datetime.date(2023, 7, 16))
    assert Kind.ORDER_LEVEL_CHANGED not in kinds_for(world.reporter)  # still green
    for _ in range(2):  # running twice the same day tells nobody twice
        run_reminders(today=datetime.date(2023, 7, 18))
    amber = Notice.objects.filter(recipient=world.reporter, kind=Kind.ORDER_LEVEL_CHANGED)
    assert [n.title[:5] for n in amber] == ["督办单亮黄"]
    run_reminders(today=DEADLINE + datetime.timedelta(days=1))
    run_reminders(today=DEADLINE + datetime.timedelta(days=2))
    titles = sorted(
        Notice.objects.filter(recipient=world.reporter, kind=Kind.ORDER_LEVEL_CHANGED).values_list(
            "title", flat=True
        )
    )
    assert [t[:5] for t in titles] == ["督办单亮红", "督办单亮黄"]
    assert not Notice.objects.filter(recipient=world.other_reporter).exists()
    digest = Notice.objects.filter(
        recipient=world.neutral_supervisor, kind=Kind.SUPERVISOR_DIGEST
    ).order_by("pk")
    assert any("今日转为红色（超期）的督办单 1 件" in n.body for n in digest)


def test_plan_amendment_tells_the_units_on_each_changed_task(world):
    from tasks.amendments import plan_amend
    from tasks.tests.test_amendments import EFFECTIVE, _preview

    plan_amend(
        plan=world.plan,
        preview=_preview(world),
        document_number="环政办发〔2024〕3号",
        effective_date=EFFECTIVE,
        user=world.admin,
    )
    bodies = list(
        Notice.objects.filter(recipient=world.reporter, kind=Kind.TASK_CHANGED).values_list(
            "body", flat=True
        )
    )
    assert any("环政办发〔2024〕3号" in body for body in bodies)
    # 人社局 was taken off task 1: it hears that it no longer carries it.
    assert Notice.objects.filter(
        recipient=world.hr_reporter, kind=Kind.TASK_CHANGED, body__contains="不再承担"
    ).exists()
    # 财政局 was added to task 1 and hears of it; task 2 (教育局 and 人社局 only) tells it nothing.
    titles = Notice.objects.filter(recipient=world.other_reporter).values_list("title", flat=True)
    assert titles and all("第1号任务" in title for title in titles)
