"""Signal receivers: report and task events become notices (inside the sender's transaction).

Each receiver builds the message text from the one report or task concerned and sends it
only to the people entitled to see that report or task, so no notice carries another
unit's data. Supervision orders are wired the same way (see docs/architecture.md).
"""

import functools
import logging

from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from notifications.models import Kind
from notifications.rules import review_recipients, unit_staff
from notifications.services import notify
from reports import signals as report_signals
from reports.models import Report
from tasks.periods import make_period
from tasks.signals import task_changed

logger = logging.getLogger("notifications")


def never_breaks_the_change(handler):
    """Run `handler` in a savepoint; if writing notices fails, log it and let the change
    (a return, a sign-off) commit anyway: a notice is never worth losing the user's work."""

    @functools.wraps(handler)
    def guarded(*args, **kwargs):
        try:
            with transaction.atomic():
                handler(*args, **kwargs)
        except Exception:
            logger.exception("notices for %s could not be written", handler.__name__)

    return guarded


def _report_text(report):
    period = make_period(report.task.plan, report.period_start).label
    return f"第{report.task.number}号任务 {period}", reverse(
        "reports:report_detail", kwargs={"pk": report.pk}
    )


def _key(kind, report):
    # version is bumped by every save, so a second return of the same report is a new event.
    return f"{kind}:r{report.pk}:v{report.version}"


@receiver(report_signals.report_returned, sender=Report)
@never_breaks_the_change
def on_report_returned(sender, report, actor, comment="", **kwargs):
    what, url = _report_text(report)
    notify(
        recipients=unit_staff([report.department_id])[report.department_id],
        kind=Kind.REPORT_RETURNED,
        title=f"报告被退回：{what}",
        body=f"审核意见：{comment}\n请修改后重新报送。",
        url=url,
        dedupe_key=_key(Kind.REPORT_RETURNED, report),
        department_id=report.department_id,
    )


@receiver(report_signals.report_accepted, sender=Report)
@never_breaks_the_change
def on_report_accepted(sender, report, actor, **kwargs):
    what, url = _report_text(report)
    body = f"审核意见：{report.review_comment}" if report.review_comment else "报告已审核通过。"
    notify(
        recipients=unit_staff([report.department_id])[report.department_id],
        kind=Kind.REPORT_ACCEPTED,
        title=f"报告审核通过：{what}",
        body=body,
        url=url,
        dedupe_key=_key(Kind.REPORT_ACCEPTED, report),
        department_id=report.department_id,
    )


@receiver(report_signals.report_awaiting_signoff, sender=Report)
@never_breaks_the_change
def on_report_awaiting_signoff(sender, report, actor, **kwargs):
    what, url = _report_text(report)
    heads = unit_staff([report.department_id], heads_only=True)[report.department_id]
    notify(
        recipients=[h for h in heads if h.pk != actor.pk],
        kind=Kind.AWAITING_SIGNOFF,
        title=f"待签批：{what}",
        body=f"{actor.display_name} 提交了报告，请签批。",
        url=url,
        dedupe_key=_key(Kind.AWAITING_SIGNOFF, report),
    )


@receiver(report_signals.report_submitted_for_review, sender=Report)
@never_breaks_the_change
def on_report_submitted_for_review(sender, report, actor, **kwargs):
    what, url = _report_text(report)
    notify(
        recipients=review_recipients(report, actor),
        kind=Kind.AWAITING_REVIEW,
        title=f"待审核：{report.department.display_name} {what}",
        body="报告已报送，请审核。",
        url=url,
        dedupe_key=_key(Kind.AWAITING_REVIEW, report),
    )


@receiver(task_changed)
@never_breaks_the_change
def on_task_changed(sender, task, changes, department_ids, **kwargs):
    """Each unit on the task before or after the change hears about it, once per change."""
    staff = unit_staff(department_ids)
    on_task_now = set(task.assignments.values_list("department_id", flat=True))
    # A task change has no version number: the moment keys it, so each change is new.
    moment = timezone.now().strftime("%Y%m%d%H%M%S%f")
    for department_id in sorted(department_ids):
        if department_id in on_task_now:
            url = reverse("reports:task_detail", kwargs={"pk": task.pk})
            body = f"《{task.plan.display_title}》第{task.number}号任务的{changes}已调整，请查看。"
        else:
            url = reverse("reports:my_tasks")
            body = (
                f"《{task.plan.display_title}》第{task.number}号任务已调整，本单位不再承担该任务。"
            )
        notify(
            recipients=staff.get(department_id, []),
            kind=Kind.TASK_CHANGED,
            title=f"任务调整：第{task.number}号任务（{changes}）",
            body=body,
            url=url,
            dedupe_key=f"task_changed:t{task.pk}:{moment}:d{department_id}",
            department_id=department_id,
        )
