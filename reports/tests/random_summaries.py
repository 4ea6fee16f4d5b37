"""A seeded random plan of reports for tests that compare a rule's SQL twin with the rule.

Covers what the rules distinguish: reports on time, late, missing, never submitted (drafts),
returned (now or before), accepted before and after the cutoff, submitted just before and at
a deadline, two lead units reporting the same period (the principal-lead tie), and reports of
a unit no longer assigned to the task.
"""

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from departments.models import Department
from huancui_vet.testing import make_user
from reports.models import ProgressStatus, Report, ReportState, ReportSummary
from tasks.models import Plan, Task, TaskAssignment
from tasks.periods import Period, plan_periods, submission_deadline

STATES = [
    ReportState.DRAFT,
    ReportState.AWAITING_SIGNOFF,
    ReportState.SUBMITTED,
    ReportState.RETURNED,
    ReportState.ACCEPTED,
    ReportState.ACCEPTED,
]


@dataclass
class RandomPlan:
    plan: Plan
    tasks: list
    periods: list[Period]
    principal: dict  # task_id -> principal lead department id


def _moment(rng, period):
    """A first submission around the period's deadline: well before, just before, exactly
    at, just after, or weeks after it."""
    deadline = submission_deadline(period)
    offset = rng.choice(
        [
            -datetime.timedelta(days=rng.randint(1, 20)),
            -datetime.timedelta(seconds=1),
            datetime.timedelta(0),
            datetime.timedelta(seconds=1),
            datetime.timedelta(days=rng.randint(1, 60)),
        ]
    )
    return deadline + offset


def build_random_plan(seed, *, tasks=6, units=5, cycle="monthly", years=1):
    rng = random.Random(seed)
    plan = Plan.objects.create(
        title=f"随机方案{seed}",
        document_date=datetime.date(2023, 1, 1),
        start_year=2023,
        end_year=2022 + years,
        reporting_cycle=cycle,
    )
    departments = [
        Department.objects.create(name=f"随机单位{seed}-{i}", sort_order=i) for i in range(units)
    ]
    author = make_user(f"random_author_{seed}", None, departments[0])
    periods = plan_periods(plan)
    made_tasks, principal = [], {}
    reports = []
    for number in range(1, tasks + 1):
        task = Task.objects.create(plan=plan, number=number, content=f"随机任务{number}")
        made_tasks.append(task)
        chosen = rng.sample(departments, rng.randint(2, units))
        leads = 2 if number % 2 == 0 else 1  # even tasks have two lead units (ties)
        for position, department in enumerate(chosen):
            role = TaskAssignment.Role.LEAD if position < leads else TaskAssignment.Role.SUPPORT
            TaskAssignment.objects.create(
                task=task, department=department, role=role, position=position
            )
        principal[task.pk] = chosen[0].pk
        reporting = chosen + [d for d in departments if d not in chosen][:1]  # one unassigned
        for period in periods:
            for position, department in enumerate(reporting):
                if rng.random() < 0.2:
                    continue  # no report at all
                reports.append(_report(rng, task, department, period, position < leads, author))
    created = Report.objects.bulk_create(reports)
    ReportSummary.objects.bulk_create(
        ReportSummary(
            report_id=r.pk,
            plan_id=plan.pk,
            task_id=r.task_id,
            department_id=r.department_id,
            period_start=r.period_start,
            due_date=r.period_start,  # not read by the rules under test
            is_lead=r.role == TaskAssignment.Role.LEAD,
            state=r.state,
            progress_status=r.progress_status,
            percent=r.percent,
            first_submitted_at=r.first_submitted_at,
            submitted_at=r.submitted_at,
            accepted_at=r.reviewed_at if r.state == ReportState.ACCEPTED else None,
            times_returned=r.times_returned,
        )
        for r in created
    )
    return RandomPlan(plan=plan, tasks=made_tasks, periods=periods, principal=principal)


def _report(rng, task, department, period, lead, author):
    state = rng.choice(STATES)
    first = submitted = reviewed = None
    times_returned = 0
    if state != ReportState.DRAFT or rng.random() < 0.3:  # a withdrawn draft keeps its times
        first = _moment(rng, period)
        submitted = first + datetime.timedelta(days=rng.choice([0, 0, 3, 40]))
    if state == ReportState.DRAFT and rng.random() < 0.5:
        first = None  # withdrawn: its on-time clock restarts, the last submission stays
    if state in (ReportState.ACCEPTED, ReportState.RETURNED):
        reviewed = (submitted or timezone.now()) + datetime.timedelta(days=rng.choice([1, 5, 45]))
    if state == ReportState.RETURNED or rng.random() < 0.2:
        times_returned = rng.randint(1, 2)
    return Report(
        task=task,
        department=department,
        period_start=period.start,
        role=TaskAssignment.Role.LEAD if lead else TaskAssignment.Role.SUPPORT,
        state=state,
        progress_status=rng.choice(list(ProgressStatus.values)) if lead else "",
        percent=rng.choice([None, 10, 50, 100]) if lead else None,
        created_by=author,
        first_submitted_at=first,
        submitted_at=submitted,
        reviewed_at=reviewed,
        times_returned=times_returned,
    )


def as_of_dates(periods):
    """Dates before, on and after deadlines, mid-period, before the first period and after
    the last one was due."""
    days = {periods[0].start - datetime.timedelta(days=3)}
    for period in periods[::2]:
        days |= {
            period.due - datetime.timedelta(days=1),
            period.due,
            period.due + datetime.timedelta(days=1),
            period.start + datetime.timedelta(days=14),
        }
    days.add(periods[-1].due + datetime.timedelta(days=30))
    return sorted(days)
