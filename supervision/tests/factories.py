"""Reports for supervision tests, written straight through the models (+ summary sync).

Dates are local calendar days; a report "submitted on" a day is stamped at 10:00 that day.
"""

import datetime

from django.utils import timezone

from reports.models import ProgressStatus, Report, ReportState, TargetValue
from reports.summary import sync_report_summary
from tasks.models import TaskAssignment


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def make_report(
    task,
    department,
    period_start,
    *,
    author,
    submitted_on=None,
    accepted_on=None,
    state=None,
    status=ProgressStatus.ON_TRACK,
    percent=None,
    times_returned=0,
    target_values=None,
):
    role = task.role_of(department) or TaskAssignment.Role.LEAD
    is_lead = role == TaskAssignment.Role.LEAD
    if state is None:
        if accepted_on:
            state = ReportState.ACCEPTED
        elif submitted_on:
            state = ReportState.SUBMITTED
        else:
            state = ReportState.DRAFT
    report = Report.objects.create(
        task=task,
        department=department,
        period_start=period_start,
        role=role,
        state=state,
        progress_status=status if is_lead else "",
        percent=percent if is_lead else None,
        work_done="测试进展",
        created_by=author,
        first_submitted_at=at(submitted_on) if submitted_on else None,
        submitted_at=at(submitted_on) if submitted_on else None,
        reviewed_at=at(accepted_on, 16) if accepted_on else None,
        times_returned=times_returned,
    )
    for target, value in (target_values or {}).items():
        TargetValue.objects.create(report=report, target=target, actual_value=value)
    sync_report_summary(report)
    return report
