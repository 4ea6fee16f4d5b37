"""Scheduled mailing of the leadership workbook, with a ReportDelivery row per plan and as-of.

A delivery is sent at most once per (plan, schedule, as-of): a run that finds it sent skips
it; a failed or interrupted one is tried again by the next run. The row is locked while
sending so two overlapping cron runs cannot both mail it.
"""

import datetime
import io

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from huancui_vet.dates import chinese_date
from supervision.models import ReportDelivery
from supervision.orders.selectors import order_counts_sentence
from supervision.workbook import (
    XLSX_CONTENT_TYPE,
    collect_workbook_data,
    workbook_export,
    workbook_filename,
)

WEEKLY = "weekly"
MAX_ERROR_LENGTH = 2000


def weekly_as_of(today):
    """The Sunday that ended last week: every run in the same week reports the same as-of,
    so a daily cron retries a failed mailing without sending a sent one twice."""
    return today - datetime.timedelta(days=today.isoweekday())


def delivery_message(*, plan, as_of, recipients, attachment):
    subject = f"【督查督导】{plan.title}推进情况（截至{chinese_date(as_of)}）"
    body = (
        "各位领导：\n\n"
        f"附件为《{plan.title}》推进情况工作簿（统计截至{chinese_date(as_of)}），"
        "含推进情况汇总、任务推进情况、部门评分、逾期与督办四个工作表，可直接打印（A4横向）。\n\n"
        f"{order_counts_sentence(plan=plan, as_of=as_of)}\n\n"
        "本邮件由督查督导平台按周自动发送，请勿直接回复。"
    )
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=recipients
    )
    message.attach(workbook_filename(plan, as_of), attachment, XLSX_CONTENT_TYPE)
    return message


def report_delivery_send(*, plan, as_of, recipients, schedule=WEEKLY, connection=None):
    """Send the workbook for `plan` on `as_of` unless already sent.

    Returns (delivery, outcome) with outcome "sent", "failed" or "skipped" (sent before).
    A failure is recorded on the delivery (status 发送失败, attempts, last_error) and not
    raised, so one plan's failure does not stop the others.
    """
    ReportDelivery.objects.get_or_create(
        plan=plan,
        schedule=schedule,
        as_of=as_of,
        defaults={"recipients": ",".join(recipients)},
    )
    with transaction.atomic():
        delivery = ReportDelivery.objects.select_for_update().get(
            plan=plan, schedule=schedule, as_of=as_of
        )
        if delivery.status == ReportDelivery.Status.SENT:
            return delivery, "skipped"
        delivery.recipients = ",".join(recipients)
        delivery.attempts += 1
        try:
            # A savepoint, so a database error while building still lets us record it.
            with transaction.atomic():
                data = collect_workbook_data(plan=plan, year=as_of.year, as_of=as_of, user=None)
                buffer = io.BytesIO()
                workbook_export(data, buffer, channel="每周邮件 send_report")
            message = delivery_message(
                plan=plan, as_of=as_of, recipients=recipients, attachment=buffer.getvalue()
            )
            message.connection = connection
            message.send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - any failure must be recorded and retried
            delivery.status = ReportDelivery.Status.FAILED
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]
        else:
            delivery.status = ReportDelivery.Status.SENT
            delivery.sent_at = timezone.now()
            delivery.last_error = ""
        delivery.full_clean()
        delivery.save()
    return delivery, "sent" if delivery.status == ReportDelivery.Status.SENT else "failed"
