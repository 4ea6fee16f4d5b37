"""Report and task events become notices for the right people only, in the same transaction."""

import pytest
from django.db import transaction
from django.urls import reverse

from notifications.models import Delivery, Kind, Notice, NotificationSettings, UnitWebhook
from reports import services
from reports.tests.factories import JUNE, submitted
from tasks.services import task_set_units

pytestmark = pytest.mark.usefixtures("frozen")


def recipients(kind):
    return set(Notice.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_returned_report_notifies_its_units_staff_only(mailable):
    world = mailable
    report = submitted(world)
    services.report_return(user=world.neutral_supervisor, report=report, comment="请补充照片。")
    assert recipients(Kind.REPORT_RETURNED) == {"edu_reporter", "edu_head"}
    notice = Notice.objects.get(kind=Kind.REPORT_RETURNED, recipient=world.reporter)
    assert notice.title == "报告被退回：第1号任务 2023年6月"
    assert "请补充照片。" in notice.body
    assert notice.url == reverse("reports:report_detail", args=[report.pk])
    mails = Delivery.objects.filter(kind=Kind.REPORT_RETURNED, channel="email")
    assert {d.recipient.username for d in mails} == {"edu_reporter", "edu_head"}


def test_a_second_return_of_the_same_report_is_a_new_notice(world):
    report = submitted(world)
    report = services.report_return(user=world.neutral_supervisor, report=report, comment="一")
    report = services.report_submit(user=world.reporter, report=report)
    services.report_return(user=world.neutral_supervisor, report=report, comment="二")
    assert Notice.objects.filter(kind=Kind.REPORT_RETURNED, recipient=world.reporter).count() == 2


def test_accepted_report_notifies_the_unit_and_posts_to_its_bot(world):
    UnitWebhook.objects.create(department=world.edu, channel="wecom", url="https://bot.test/edu")
    UnitWebhook.objects.create(department=world.hr, channel="wecom", url="https://bot.test/hr")
    report = submitted(world)
    services.report_accept(user=world.neutral_supervisor, report=report, comment="同意")
    assert recipients(Kind.REPORT_ACCEPTED) == {"edu_reporter", "edu_head"}
    bots = Delivery.objects.filter(kind=Kind.REPORT_ACCEPTED, channel="wecom")
    assert [d.webhook.department for d in bots] == [world.edu]


def test_submission_notifies_supervisors_who_may_review_it(world):
    submitted(world)
    # The supervisor of the reporting unit cannot review it, so is not asked to.
    assert recipients(Kind.AWAITING_REVIEW) == {"supervisor"}


def test_sign_off_request_goes_to_the_units_heads_only(db, frozen):
    from huancui_vet.testing import build_world

    world = build_world(requires_head_signoff=True)
    submitted(world)
    assert recipients(Kind.AWAITING_SIGNOFF) == {"edu_head"}
    assert recipients(Kind.AWAITING_REVIEW) == set()


def test_supporting_units_report_notifies_that_unit_not_the_lead(world):
    report = submitted(world, user=world.hr_reporter)
    services.report_return(user=world.neutral_supervisor, report=report, comment="请补充。")
    assert recipients(Kind.REPORT_RETURNED) == {"hr_reporter"}


def test_notices_roll_back_with_the_change(world):
    report = submitted(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.report_return(user=world.neutral_supervisor, report=report, comment="退回")
        raise RuntimeError("the request failed after the return")
    assert not Notice.objects.filter(kind=Kind.REPORT_RETURNED).exists()
    assert not Delivery.objects.filter(kind=Kind.REPORT_RETURNED).exists()


def test_mail_opt_out_is_kept_except_for_what_the_role_must_receive(mailable):
    world = mailable
    NotificationSettings.objects.create(
        user=world.reporter, email_disabled_kinds=[Kind.REPORT_ACCEPTED, Kind.REPORT_RETURNED]
    )
    NotificationSettings.objects.create(user=world.head, email_mode="digest")
    report = submitted(world)
    report = services.report_return(user=world.neutral_supervisor, report=report, comment="改")
    report = services.report_submit(user=world.reporter, report=report)
    services.report_accept(user=world.neutral_supervisor, report=report)
    mails = set(Delivery.objects.values_list("kind", "recipient__username"))
    # Returned reports are required for reporters: mailed despite the opt-out.
    assert (Kind.REPORT_RETURNED, "edu_reporter") in mails
    assert (Kind.REPORT_ACCEPTED, "edu_reporter") not in mails
    # The head reads a daily digest instead of single mails, but keeps the in-app notices.
    assert not any(user == "edu_head" for _, user in mails)
    assert recipients(Kind.REPORT_ACCEPTED) == {"edu_reporter", "edu_head"}


def test_task_unit_change_notifies_units_before_and_after(world):
    task_set_units(
        task=world.task1,
        lead=[(world.edu, world.edu.name)],
        support=[(world.finance, world.finance.name)],
    )
    notices = Notice.objects.filter(kind=Kind.TASK_CHANGED)
    assert {n.recipient.username for n in notices} == {
        "edu_reporter",
        "edu_head",
        "hr_reporter",
        "fin_reporter",
    }
    removed = notices.get(recipient=world.hr_reporter)
    assert "不再承担" in removed.body and removed.url == reverse("reports:my_tasks")
    kept = notices.get(recipient=world.reporter)
    assert kept.url == reverse("reports:task_detail", args=[world.task1.pk])
    # Re-applying the same units changes nothing and tells nobody.
    count = notices.count()
    task_set_units(
        task=world.task1,
        lead=[(world.edu, world.edu.name)],
        support=[(world.finance, world.finance.name)],
    )
    assert Notice.objects.filter(kind=Kind.TASK_CHANGED).count() == count


def test_no_notice_carries_another_units_data(world):
    edu_report = submitted(world)
    hr_report = submitted(world, user=world.hr_reporter, task=world.task2, period=JUNE)
    services.report_return(
        user=world.neutral_supervisor, report=edu_report, comment="教育局专用意见"
    )
    services.report_return(
        user=world.neutral_supervisor, report=hr_report, comment="人社局专用意见"
    )
    for notice in Notice.objects.filter(recipient=world.hr_reporter):
        assert "教育局专用意见" not in notice.body + notice.title
    for notice in Notice.objects.filter(recipient__department=world.edu):
        assert "人社局专用意见" not in notice.body + notice.title
    assert not Notice.objects.filter(recipient=world.other_reporter).exists()


def test_admin_edit_of_a_tasks_target_tells_the_units_on_it(client, world):
    from reports.tests.test_task_history import admin_change_task

    admin_change_task(client, world, content=world.task1.content, target_value="60")
    notices = Notice.objects.filter(kind=Kind.TASK_CHANGED)
    assert {n.recipient.username for n in notices} == {"edu_reporter", "edu_head", "hr_reporter"}
    assert notices.first().title == "任务调整：第1号任务（目标）"


def test_a_failure_writing_notices_does_not_undo_the_change(world, monkeypatch, caplog):
    from notifications import receivers
    from reports.models import Report

    def broken(**kwargs):
        raise RuntimeError("notices table unavailable")

    monkeypatch.setattr(receivers, "notify", broken)
    report = submitted(world)
    services.report_return(user=world.neutral_supervisor, report=report, comment="退回")
    assert Report.objects.get(pk=report.pk).state == "returned"
    assert not Notice.objects.exists()
    assert "could not be written" in caplog.text
