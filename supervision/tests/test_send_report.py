"""send_report --weekly: mails the workbook once per week, records and retries failures."""

import datetime
import io
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from supervision.models import ReportDelivery
from supervision.workbook import SHEET_NAMES, XLSX_CONTENT_TYPE
from supervision.workbook.delivery import weekly_as_of

RECIPIENTS = ["leader1@example.gov.cn", "leader2@example.gov.cn"]
# Monday 3 July 2023: the weekly report is as of Sunday 2 July.
MONDAY = datetime.datetime(2023, 7, 3, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def recipients(settings):
    settings.REPORT_RECIPIENTS = RECIPIENTS
    return RECIPIENTS


class FailingBackend:
    """An email backend whose SMTP server refuses the message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("连接被服务器关闭")


def run(*args):
    """send_report for the test world's first plan (its second plan has its own test)."""
    args = (*args, "--plan", "测试实施方案") if "--plan" not in args else args
    out, err = io.StringIO(), io.StringIO()
    call_command("send_report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_weekly_as_of_is_last_sunday():
    assert weekly_as_of(datetime.date(2023, 7, 3)) == datetime.date(2023, 7, 2)
    assert weekly_as_of(datetime.date(2023, 7, 8)) == datetime.date(2023, 7, 2)
    assert weekly_as_of(datetime.date(2023, 7, 9)) == datetime.date(2023, 7, 2)


@time_machine.travel(MONDAY, tick=False)
def test_sends_the_workbook_to_the_configured_leaders(world, recipients):
    out, _ = run("--weekly")
    assert "已发送" in out
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == RECIPIENTS
    assert message.subject == "【督查督导】测试实施方案推进情况（截至2023年7月2日）"
    assert "各位领导" in message.body
    assert "督办情况：未办结督办单0件" in message.body  # counts: test_orders_figures.py
    name, content, mimetype = message.attachments[0]
    assert name == "测试推进情况_2023-07-02.xlsx"
    assert mimetype == XLSX_CONTENT_TYPE
    assert load_workbook(io.BytesIO(content)).sheetnames == list(SHEET_NAMES)
    # The attachment's Chinese name survives MIME encoding.
    assert "filename*=utf-8''" in message.message().as_string()
    delivery = ReportDelivery.objects.get()
    assert delivery.status == ReportDelivery.Status.SENT
    assert delivery.as_of == datetime.date(2023, 7, 2)
    assert delivery.attempts == 1
    assert delivery.recipients == ",".join(RECIPIENTS)


@time_machine.travel(MONDAY, tick=False)
def test_a_sent_report_is_not_sent_again_for_the_same_week(world, recipients):
    run("--weekly")
    out, _ = run("--weekly")
    assert "跳过" in out
    assert len(mail.outbox) == 1
    assert ReportDelivery.objects.get().attempts == 1


def test_failure_is_recorded_and_retried_next_run(world, recipients, settings):
    settings.EMAIL_BACKEND = "supervision.tests.test_send_report.FailingBackend"
    with (
        time_machine.travel(MONDAY, tick=False),
        pytest.raises(CommandError, match="1 份报表发送失败"),
    ):
        run("--weekly")
    delivery = ReportDelivery.objects.get()
    assert delivery.status == ReportDelivery.Status.FAILED
    assert "SMTPServerDisconnected" in delivery.last_error
    assert delivery.attempts == 1
    assert mail.outbox == []

    # Next day's run, with the mail server back: the same week's report goes out once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(MONDAY + datetime.timedelta(days=1), tick=False):
        out, _ = run("--weekly")
    assert "已发送" in out
    delivery.refresh_from_db()
    assert delivery.status == ReportDelivery.Status.SENT
    assert delivery.attempts == 2
    assert delivery.last_error == ""
    assert len(mail.outbox) == 1


def test_missing_recipients_is_a_clear_error(world, settings):
    settings.REPORT_RECIPIENTS = []
    with pytest.raises(CommandError, match="REPORT_RECIPIENTS"):
        run("--weekly")


def test_weekly_flag_is_required(world, recipients):
    with pytest.raises(CommandError, match="--weekly"):
        run()


def test_explicit_plan_and_as_of(world, recipients):
    run("--weekly", "--plan", str(world.plan.pk), "--as-of", "2023-06-30")
    assert ReportDelivery.objects.get().as_of == datetime.date(2023, 6, 30)
    assert "2023-06-30" in mail.outbox[0].attachments[0][0]
