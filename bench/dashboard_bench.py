"""Dashboard and scorecard cost at province scale, as a ratio to a trivial view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helper_c_bench \\
        .venv/bin/python bench/dashboard_bench.py --reports 1000000

Generates (once; reused on the next run when the counts match) 200 departments and enough
plans of 16 tasks × 5 units × 48 monthly periods to hold N reports, with one ReportSummary
per report, written with bulk_create in batches. Then, in one process with Django's test
Client and the full middleware stack (session, auth, CSP…), it times three signed-in GETs
in interleaved rounds: a trivial view (HttpResponse("ok")), the dashboard and the scorecard
of one plan. Prints the median time of each and the median of the per-round ratios.
Target (issue 5): dashboard and scorecard ≤ 30× the trivial view at 1,000,000 reports on
PostgreSQL. `--orders N` adds N supervision orders (督办单, every stage and colour, one in
ten with a verification) to the measured plan and also times its order list (issue 9).
Uses the database named in DATABASE_URL (default: the SQLite file
/tmp/huancui_dashboard_bench.sqlite3).

Growth with a plan's size (issue 11): `--tasks 200,800` measures plans of 200 and 800 tasks
(each plan keeps `--reports` reports, so only the task count changes) at both as-of dates:
a quiet one and the worst one, two days before a period's reports are due, when every task
checks each of its units for a "due soon" warning. The last lines print the 800/200 ratio
of the dashboard's time; linear cost gives about 4×, the old quadratic light computation
about 16×.

    .venv/bin/python bench/dashboard_bench.py --tasks 200,800 --reports 4000 --rounds 5
"""

import argparse
import datetime
import os
import statistics
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huancui_vet.settings_test")
# Outside the repository: a generated database must never end up in a commit.
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/huancui_dashboard_bench.sqlite3")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402
from django.apps import apps  # noqa: E402

if not apps.ready:  # imported by a test (bench/generate.py): Django and logging are set up
    django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.utils import timezone  # noqa: E402
from simple_history.utils import bulk_create_with_history  # noqa: E402

from departments.models import Department, Role  # noqa: E402
from huancui_vet.testing import make_user  # noqa: E402
from reports.models import Report, ReportState, ReportSummary  # noqa: E402
from supervision.orders.models import SupervisionFile, SupervisionOrder, Verification  # noqa: E402
from supervision.tests.orders_fixtures import bulk_orders  # noqa: E402
from tasks.models import Plan, Target, Task, TaskAssignment  # noqa: E402
from tasks.periods import plan_periods  # noqa: E402

TASKS, UNITS, DEPARTMENTS = 16, 5, 200
PERIODS = 48  # monthly, 2020-2023
BATCH = 5000
AS_OF = datetime.date(2023, 6, 10)  # quiet: no report due within three days
WORST_AS_OF = datetime.date(2023, 6, 3)  # May's reports are due on 5 June
AS_OF_DATES = {"quiet": AS_OF, "worst": WORST_AS_OF}
TITLE = "基准方案"


def trivial(request):
    return HttpResponse("ok")


def _urlconf():
    module = types.ModuleType("dashboard_bench_urls")
    module.urlpatterns = [path("trivial/", trivial), path("", include("huancui_vet.urls"))]
    sys.modules[module.__name__] = module
    return module.__name__


def generate(n_reports, n_tasks=TASKS):
    plans_needed = max(1, -(-n_reports // (n_tasks * UNITS * PERIODS)))
    existing = Plan.objects.filter(title__startswith=TITLE).count()
    existing_tasks = Task.objects.filter(plan__title__startswith=TITLE).count()
    if (
        existing == plans_needed
        and existing_tasks == plans_needed * n_tasks
        and ReportSummary.objects.count() == n_reports
    ):
        print(f"reusing {existing} plans of {n_tasks} tasks / {n_reports} reports")
        return
    print(f"generating {plans_needed} plans / {n_reports} reports …", flush=True)
    started = time.perf_counter()
    ReportSummary.objects.all().delete()
    Report.objects.all().delete()
    Plan.objects.filter(title__startswith=TITLE).delete()
    departments = list(Department.objects.filter(name__startswith="基准单位"))
    if len(departments) < DEPARTMENTS:
        Department.objects.bulk_create(
            Department(name=f"基准单位{i:03d}", short_name=f"单位{i:03d}", sort_order=i)
            for i in range(len(departments), DEPARTMENTS)
        )
        departments = list(Department.objects.filter(name__startswith="基准单位"))
    author = _user("bench_author", Role.REPORTER, departments[0])
    remaining = n_reports
    for p in range(plans_needed):
        remaining -= add_plan(
            title=f"{TITLE}{p:04d}",
            plan_index=p,
            n_tasks=n_tasks,
            departments=departments,
            budget=remaining,
            author=author,
            is_public=p == 0,
        )
        if remaining <= 0:
            break
    print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def add_plan(
    *,
    title,
    plan_index,
    n_tasks,
    departments,
    budget,
    author,
    units=UNITS,
    is_public=False,
    with_history=False,
):
    """One monthly 2020-2023 plan of `n_tasks` × `units` assignments with up to `budget`
    reports (and their summaries, and with `with_history` their history rows), bulk-inserted.

    States and dates follow a fixed hash of (plan, period, assignment): the same arguments
    always give the same rows. Returns the number of reports written. Also used by
    bench/generate.py.
    """
    p = plan_index
    plan = Plan.objects.create(
        title=title,
        start_year=2020,
        end_year=2023,
        is_public=is_public,
        document_date=datetime.date(2020, 1, 1),
    )
    tasks = Task.objects.bulk_create(
        Task(plan=plan, number=t + 1, content=f"基准任务{t + 1}：推进职业教育改革。")
        for t in range(n_tasks)
    )
    assignments = []
    for t, task in enumerate(tasks):
        for u in range(units):
            dept = departments[(p * 7 + t * 3 + u * 11) % len(departments)]
            role = TaskAssignment.Role.LEAD if u == 0 else TaskAssignment.Role.SUPPORT
            assignments.append(TaskAssignment(task=task, department=dept, role=role, position=u))
    TaskAssignment.objects.bulk_create(assignments, ignore_conflicts=True)
    assignments = list(TaskAssignment.objects.filter(task__plan=plan))
    Target.objects.bulk_create(
        Target(
            task=tasks[i % len(tasks)],
            year=2020 + i,
            indicator="指标",
            target_value=50,
            unit="%",
            kind=Target.Kind.PERCENTAGE,
            source_sentence="基准",
        )
        for i in range(4)
    )
    written = 0
    reports, summaries_for = [], []
    text = "按计划推进相关工作，完成阶段性任务，存在问题已协调解决。" * 3
    for i, period in enumerate(plan_periods(plan)):
        for a in assignments:
            if written >= budget:
                break
            written += 1
            h = (p * 31 + i * 7 + a.pk) % 20
            state = (
                ReportState.ACCEPTED
                if h < 14
                else ReportState.SUBMITTED
                if h < 17
                else ReportState.RETURNED
            )
            sent = timezone.make_aware(
                datetime.datetime.combine(
                    period.due - datetime.timedelta(days=h % 6 - 2), datetime.time(10)
                )
            )
            lead = a.role == TaskAssignment.Role.LEAD
            reports.append(
                Report(
                    task_id=a.task_id,
                    department_id=a.department_id,
                    period_start=period.start,
                    role=a.role,
                    state=state,
                    progress_status="on_track" if lead else "",
                    percent=min(100, 2 * i + 5) if lead else None,
                    work_done=text,
                    created_by=author,
                    first_submitted_at=sent,
                    submitted_at=sent,
                    reviewed_at=sent + datetime.timedelta(days=2)
                    if state != ReportState.SUBMITTED
                    else None,
                    times_returned=1 if state == ReportState.RETURNED else 0,
                )
            )
            summaries_for.append((plan.pk, period.due, lead))
            if len(reports) >= BATCH:
                _flush(reports, summaries_for, with_history=with_history)
    _flush(reports, summaries_for, with_history=with_history)
    return written


def _flush(reports, summaries_for, *, with_history=False):
    if not reports:
        return
    with transaction.atomic():
        if with_history:
            created = bulk_create_with_history(reports, Report, batch_size=BATCH)
        else:
            created = Report.objects.bulk_create(reports)
        ReportSummary.objects.bulk_create(
            ReportSummary(
                report_id=r.pk,
                plan_id=plan_id,
                task_id=r.task_id,
                department_id=r.department_id,
                period_start=r.period_start,
                due_date=due,
                is_lead=lead,
                state=r.state,
                progress_status=r.progress_status,
                percent=r.percent,
                first_submitted_at=r.first_submitted_at,
                submitted_at=r.submitted_at,
                accepted_at=r.reviewed_at if r.state == ReportState.ACCEPTED else None,
                times_returned=r.times_returned,
            )
            for r, (plan_id, due, lead) in zip(created, summaries_for, strict=True)
        )
    reports.clear()
    summaries_for.clear()


def _user(username, role, department=None):
    from departments.models import User

    return User.objects.filter(username=username).first() or make_user(username, role, department)


def _measured_plan_id():
    plans = list(
        Plan.objects.filter(title__startswith=TITLE).order_by("pk").values_list("pk", flat=True)
    )
    return plans[len(plans) // 2]


def generate_orders(count):
    """`count` orders on the measured plan (reused when the count matches)."""
    plan_id = _measured_plan_id()
    if SupervisionOrder.objects.filter(plan_id=plan_id).count() == count:
        return
    print(f"generating {count} orders …", flush=True)
    SupervisionFile.objects.all().delete()
    Verification.objects.all().delete()
    SupervisionOrder.objects.all().delete()
    supervisor = _user("bench_supervisor", Role.SUPERVISOR)
    bulk_orders(Plan.objects.get(pk=plan_id), count, issuer=supervisor)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def measure(rounds, as_of=AS_OF):
    supervisor = _user("bench_supervisor", Role.SUPERVISOR)
    plans = list(Plan.objects.filter(title__startswith=TITLE).values_list("pk", flat=True))
    plan_id = _measured_plan_id()
    client = Client()
    client.force_login(supervisor)
    urls = {
        "trivial": "/trivial/",
        "orders": f"/supervision/orders/?plan={plan_id}&as_of={as_of:%Y-%m-%d}&colour=red",
        "dashboard": f"/supervision/dashboard/?plan={plan_id}&as_of={as_of:%Y-%m-%d}",
        "scorecard": (
            f"/supervision/scorecard/?plan={plan_id}&period_kind=plan&as_of={as_of:%Y-%m-%d}"
        ),
    }
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        print(
            f"{name:10s} {len(ctx.captured_queries):3d} queries, {len(response.content) // 1024} KB"
        )
    for _ in range(3):  # warm-up
        for url in urls.values():
            client.get(url)
    times = {name: [] for name in urls}
    order = list(urls)
    for r in range(rounds):
        for name in order[r % len(order) :] + order[: r % len(order)]:  # rotate each round
            started = time.perf_counter()
            client.get(urls[name])
            times[name].append(time.perf_counter() - started)
    print(
        f"\n{connection.vendor}, {ReportSummary.objects.count():,} reports, "
        f"{len(plans)} plans, plan #{plan_id}, as of {as_of}, {rounds} rounds"
    )
    print(f"{SupervisionOrder.objects.filter(plan_id=plan_id).count():,} orders on the plan")
    result = {}
    for name in urls:
        ratios = [t / b for t, b in zip(times[name], times["trivial"], strict=True)]
        result[name] = statistics.median(ratios)
        print(
            f"{name:10s} median {statistics.median(times[name]) * 1000:8.2f} ms   "
            f"ratio to trivial {result[name]:6.1f}×"
        )
    return result


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--orders", type=int, default=0, help="supervision orders on the plan")
    parser.add_argument(
        "--tasks",
        default=str(TASKS),
        help="tasks per plan; a comma list (e.g. 200,800) compares the dashboard's growth",
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    sizes = [int(n) for n in args.tasks.split(",")]
    results = {}
    urlconf = _urlconf()
    for n_tasks in sizes:
        generate(args.reports, n_tasks)
        generate_orders(args.orders)
        with override_settings(ROOT_URLCONF=urlconf, DEBUG=False, ALLOWED_HOSTS=["testserver"]):
            for label, as_of in AS_OF_DATES.items():
                results[(n_tasks, label)] = measure(args.rounds, as_of)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print(
            f"\ngrowth of the dashboard from {small} to {large} tasks "
            f"(linear: {large / small:.0f}×)"
        )
        for label in AS_OF_DATES:
            growth = results[(large, label)]["dashboard"] / results[(small, label)]["dashboard"]
            print(f"{label:6s} as-of: {growth:5.1f}×")
    print(settings.DATABASES["default"]["ENGINE"])


if __name__ == "__main__":
    main()
