"""`send_reminders` at scale: queries per batch and peak memory while reminders are chosen.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hv_reminders_bench \\
        .venv/bin/python bench/reminders_bench.py --units 300 --plans 20 --reports 200000

Generates (once; reused when the counts match) `--units` departments with a reporter and a
head each, `--plans` monthly plans (2023–2026) of 16 tasks × 5 units, and `--reports`
reports with their ReportSummary rows, oldest periods first. In the period due on the
benchmark day (2026年11月5日, October due) every second unit has already submitted, so about
half the units of each plan are reminded. Then it runs `run_reminders()` for that day and
prints: notices created, batches, the SQL queries of each batch (min / max: constant when
they do not grow with the data), wall time, and the peak Python memory (tracemalloc) of the
run. A second run the same day must create nothing (idempotence). Uses the database named
in DATABASE_URL (default: the SQLite file /tmp/huancui_reminders_bench.sqlite3).
"""

import argparse
import datetime
import os
import sys
import time
import tracemalloc
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huancui_vet.settings_test")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/huancui_reminders_bench.sqlite3")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from departments.models import Department, Role, User  # noqa: E402
from notifications import reminders  # noqa: E402
from notifications.models import Delivery, Notice  # noqa: E402
from reports.models import Report, ReportState, ReportSummary  # noqa: E402
from tasks.models import Plan, Task, TaskAssignment  # noqa: E402
from tasks.periods import plan_periods  # noqa: E402

TASKS, UNITS_PER_TASK = 16, 5
TITLE = "提醒基准方案"
TODAY = datetime.date(2026, 11, 5)  # October 2026 is due today
BATCH = 5000


def generate(n_units, n_plans, n_reports):
    if (
        Plan.objects.filter(title__startswith=TITLE).count() == n_plans
        and Department.objects.filter(name__startswith="提醒单位").count() == n_units
        and ReportSummary.objects.count() == n_reports
    ):
        print(f"reusing {n_units} units / {n_plans} plans / {n_reports} reports")
        return
    print(f"generating {n_units} units / {n_plans} plans / {n_reports} reports …", flush=True)
    started = time.perf_counter()
    ReportSummary.objects.all().delete()
    Report.objects.all().delete()
    Plan.objects.filter(title__startswith=TITLE).delete()
    User.objects.filter(username__startswith="rb_").delete()
    Department.objects.filter(name__startswith="提醒单位").delete()
    units = Department.objects.bulk_create(
        Department(name=f"提醒单位{i:04d}", sort_order=i) for i in range(n_units)
    )
    users = User.objects.bulk_create(
        User(username=f"rb_{kind}_{u.pk}", department=u, email=f"{kind}{u.pk}@example.gov.cn")
        for u in units
        for kind in ("reporter", "head")
    )
    groups = {role: Group.objects.get(name=role.label).pk for role in (Role.REPORTER, Role.HEAD)}
    User.groups.through.objects.bulk_create(
        User.groups.through(
            user_id=user.pk,
            group_id=groups[Role.HEAD if "_head_" in user.username else Role.REPORTER],
        )
        for user in users
    )
    author = users[0]
    rows, remaining = [], n_reports
    for p in range(n_plans):
        plan = Plan.objects.create(title=f"{TITLE}{p:04d}", start_year=2023, end_year=2026)
        tasks = Task.objects.bulk_create(
            Task(plan=plan, number=t + 1, content=f"基准任务{t + 1}：推进职业教育改革。")
            for t in range(TASKS)
        )
        TaskAssignment.objects.bulk_create(
            TaskAssignment(
                task=task,
                department=units[(p * 7 + t * 3 + u * 11) % n_units],
                role=TaskAssignment.Role.LEAD if u == 0 else TaskAssignment.Role.SUPPORT,
                position=u,
            )
            for t, task in enumerate(tasks)
            for u in range(UNITS_PER_TASK)
        )
        assignments = list(TaskAssignment.objects.filter(task__plan=plan).order_by("pk"))
        share = remaining // (n_plans - p)
        remaining -= share
        for period in plan_periods(plan):
            if period.due > TODAY or share <= 0:
                break
            for a in assignments:
                if share <= 0:
                    break
                if period.due == TODAY and a.department_id % 2:
                    continue  # every second unit has not yet reported the period due today
                share -= 1
                rows.append((plan.pk, period, a))
                if len(rows) >= BATCH:
                    _flush(rows, author)
    _flush(rows, author)
    print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _flush(rows, author):
    if not rows:
        return
    with transaction.atomic():
        created = Report.objects.bulk_create(
            Report(
                task_id=a.task_id,
                department_id=a.department_id,
                period_start=period.start,
                role=a.role,
                state=ReportState.ACCEPTED,
                work_done="按计划推进。",
                created_by=author,
                first_submitted_at=_sent(period),
                submitted_at=_sent(period),
            )
            for _, period, a in rows
        )
        ReportSummary.objects.bulk_create(
            ReportSummary(
                report_id=r.pk,
                plan_id=plan_id,
                task_id=r.task_id,
                department_id=r.department_id,
                period_start=r.period_start,
                due_date=period.due,
                is_lead=a.role == TaskAssignment.Role.LEAD,
                state=r.state,
                first_submitted_at=r.first_submitted_at,
                submitted_at=r.submitted_at,
            )
            for r, (plan_id, period, a) in zip(created, rows, strict=True)
        )
    rows.clear()


def _sent(period):
    return timezone.make_aware(datetime.datetime.combine(period.due, datetime.time(9)))


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def run(batch_size, *, trace_memory=True):
    counter, per_batch, last = QueryCounter(), [], [0]
    original = reminders.notify_many

    def counting_notify_many(messages, **kwargs):
        result = original(messages, **kwargs)
        per_batch.append(counter.count - last[0])
        last[0] = counter.count
        return result

    reminders.notify_many = counting_notify_many
    at = datetime.datetime.combine(
        TODAY, datetime.time(8), tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")
    )
    try:
        with time_machine.travel(at, tick=False), connection.execute_wrapper(counter):
            if trace_memory:
                tracemalloc.start()
            started = time.perf_counter()
            stats = reminders.run_reminders(batch_size=batch_size)
            elapsed = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1] if trace_memory else 0
            tracemalloc.stop()
    finally:
        reminders.notify_many = original
    return stats, per_batch, counter.count, elapsed, peak


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--plans", type=int, default=4)
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    generate(args.units, args.plans, args.reports)
    Delivery.objects.all().delete()
    Notice.objects.all().delete()

    # Timed without tracemalloc (which slows Python down several times), then again with it.
    _, _, _, elapsed, _ = run(args.batch_size, trace_memory=False)
    Delivery.objects.all().delete()
    Notice.objects.all().delete()
    stats, per_batch, total, _, peak = run(args.batch_size)
    plan_batches = per_batch[:-1]  # the last notify_many is the supervisors' digest
    print(
        f"database: {connection.vendor}; units {args.units}, plans {args.plans}, "
        f"reports {ReportSummary.objects.count()}, batch size {args.batch_size}"
    )
    print(
        f"notices created: {stats.notices} in {stats.batches} batches "
        f"({Delivery.objects.count()} mails queued)"
    )
    if plan_batches:
        print(
            f"queries per batch: min {min(plan_batches)}, max {max(plan_batches)} "
            f"(the first batch of a plan also reads the plan's locks and units)"
        )
    print(
        f"queries in total: {total}; wall time {elapsed:.2f} s (untraced); "
        f"peak traced Python memory {peak / 1024 / 1024:.1f} MB"
    )
    again, _, _, _, _ = run(args.batch_size)
    print(f"second run the same day: {again.notices} notices created (idempotent)")


if __name__ == "__main__":
    main()
