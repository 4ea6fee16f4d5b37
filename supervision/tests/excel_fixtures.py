"""Report data for the workbook tests: the real plan (load_plan) with a history of reports.

Reports are bulk-created with their ReportSummary rows (the projection the dashboard reads),
so a full plan history costs a few queries instead of thousands.
"""

import datetime

from django.core.management import call_command
from django.utils import timezone

from reports.models import ProgressStatus, Report, ReportState, ReportSummary
from tasks.models import Plan, Task, TaskAssignment
from tasks.periods import make_period, periods_due_by

AS_OF = datetime.date(2023, 6, 30)
DANGEROUS_TEXT = '=HYPERLINK("http://evil.example","点我")'


def aware(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def load_real_plan():
    """The Huancui plan from fixtures/huancui_plan.json, via helper A's command."""
    call_command("load_plan", verbosity=0)
    return Plan.objects.exclude(title__startswith="测试").get()


def summary_for(report, plan):
    accepted_at = report.reviewed_at if report.state == ReportState.ACCEPTED else None
    return ReportSummary(
        report=report,
        plan=plan,
        task_id=report.task_id,
        department_id=report.department_id,
        period_start=report.period_start,
        due_date=make_period(plan, report.period_start).due,
        is_lead=report.role == TaskAssignment.Role.LEAD,
        state=report.state,
        progress_status=report.progress_status,
        percent=report.percent,
        first_submitted_at=report.first_submitted_at,
        submitted_at=report.submitted_at,
        accepted_at=accepted_at,
        times_returned=report.times_returned,
    )


def seed_history(plan, *, user, as_of=AS_OF, skip_last_for=(), texts=None):
    """Accepted, on-time reports from every assigned unit for every period due by `as_of`.

    `skip_last_for`: task numbers whose units did not report the latest due period (overdue).
    `texts`: task number -> work_done of its lead reports (e.g. formula-like text).
    """
    texts = texts or {}
    tasks = list(Task.objects.filter(plan=plan).with_units().order_by("number"))
    periods = periods_due_by(plan, as_of)
    reports = []
    for index, period in enumerate(periods):
        last = index == len(periods) - 1
        for task in tasks:
            if last and task.number in skip_last_for:
                continue
            for a in task.assignments.all():
                lead = a.role == TaskAssignment.Role.LEAD
                submitted = aware(period.due - datetime.timedelta(days=2))
                percent = min(100, (task.number * 5 + index * 3) % 101) if lead else None
                reports.append(
                    Report(
                        task=task,
                        department_id=a.department_id,
                        period_start=period.start,
                        role=a.role,
                        state=ReportState.ACCEPTED,
                        progress_status=_status_for(task.number) if lead else "",
                        percent=percent,
                        work_done=texts.get(
                            task.number, f"第{task.number}项任务{period.label}进展。"
                        )
                        if lead
                        else "配合完成相关工作。",
                        created_by=user,
                        first_submitted_at=submitted,
                        submitted_at=submitted,
                        reviewed_at=submitted + datetime.timedelta(days=1),
                    )
                )
    Report.objects.bulk_create(reports, batch_size=500)
    # bulk_create sets pks on SQLite and PostgreSQL alike (Django 5.x).
    ReportSummary.objects.bulk_create([summary_for(r, plan) for r in reports], batch_size=500)
    return reports


def _status_for(number):
    if number % 7 == 0:
        return ProgressStatus.BEHIND
    if number % 11 == 0:
        return ProgressStatus.BLOCKED
    return ProgressStatus.ON_TRACK


def table_rows(ws, first_row=4):
    """A sheet's table rows from `first_row` to the first empty row (notes follow it)."""
    rows = []
    for row in ws.iter_rows(min_row=first_row, values_only=True):
        if all(value is None for value in row):
            break
        rows.append(list(row))
    return rows
