"""Reports for supervision tests, written straight through the models (+ summary sync).

Dates are local calendar days; a report "submitted on" a day is stamped at 10:00 that day.
The scenarios below are set in the test world (huancui_vet/testing.py): a monthly plan from
January 2023, each month's reports due on the 5th of the next month.
"""

import datetime

from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from departments.models import Department
from reports.models import ProgressStatus, Report, ReportState, TargetValue
from reports.summary import sync_report_summary
from tasks.models import Task, TaskAssignment

D = datetime.date


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


def edu_january_accepted(world, *, percent):
    """edu's January report on task 1: sent 3 February (on time), accepted 4 February."""
    return make_report(
        world.task1,
        world.edu,
        D(2023, 1, 1),
        author=world.reporter,
        submitted_on=D(2023, 2, 3),
        accepted_on=D(2023, 2, 4),
        percent=percent,
    )


def february_sent(world):
    """February's sent reports (due 5 March): edu sends task 1 on time and task 2 two days
    late; hr's task 2 was sent early and returned once. hr's task 1 is not sent."""
    make_report(
        world.task1, world.edu, D(2023, 2, 1), author=world.reporter, submitted_on=D(2023, 3, 5)
    )
    make_report(
        world.task2, world.edu, D(2023, 2, 1), author=world.reporter, submitted_on=D(2023, 3, 7)
    )
    make_report(
        world.task2,
        world.hr,
        D(2023, 2, 1),
        author=world.hr_reporter,
        submitted_on=D(2023, 3, 1),
        state="returned",
        times_returned=1,
    )


def add_department_with_task(world, i):
    """A new department leading a new task of the plan (number 10 + i), edu supporting."""
    department = Department.objects.create(name=f"扩展单位{i}", sort_order=10 + i)
    task = Task.objects.create(plan=world.plan, number=10 + i, content=f"扩展任务{i}")
    TaskAssignment.objects.create(task=task, department=department, role="lead")
    TaskAssignment.objects.create(task=task, department=world.edu, role="support")
    return department, task


def count_queries(client, url):
    """The number of queries a GET of `url` runs when it computes its figures (none kept:
    supervision.figure_cache); the page must answer 200."""
    caches["figures"].clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)
