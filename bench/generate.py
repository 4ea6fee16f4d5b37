"""Generate a district's or a province's data for the benchmarks (seeded, bulk inserts).

    .venv/bin/python bench/generate.py --scale district
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hv_province \\
        .venv/bin/python bench/generate.py --scale province [--fraction 0.1]

district: 19 units, one monthly 2020-2023 plan of 16 tasks, ~2,700 reports.
province: 300 units and 150 plans of mixed size (10-40 tasks × 5 units), the largest of
210 tasks × 10 units with 100,000 reports: about 1,000,000 reports in all.
Every report gets its ReportSummary and one history row (django-simple-history), the
largest plan gets supervision orders in every stage (supervision/tests/orders_fixtures.py),
and a supervisor, a reporter and a leader sign in with password `bench` (bench_supervisor,
bench_author, bench_leader). `--fraction F` scales the units, plans, tasks and orders down
(CI runs 0.001). Plans and reports come from bench/dashboard_bench.add_plan, so the two
benchmarks share one generator. Earlier generated data (plans titled 省级方案…/区级方案…) is
replaced. Uses the database named in DATABASE_URL (default: /tmp/huancui_generated.sqlite3,
outside the repository).
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/huancui_generated.sqlite3")

import dashboard_bench  # noqa: E402  (sets up Django)
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402

from departments.models import Department, Role  # noqa: E402
from reports.models import Report, ReportSummary  # noqa: E402
from supervision.orders.models import SupervisionFile, SupervisionOrder, Verification  # noqa: E402
from supervision.tests.orders_fixtures import bulk_orders  # noqa: E402
from tasks.models import Plan, Task  # noqa: E402

SCALES = {
    # units, [(tasks, units per task, report budget or None for every period)], orders
    "district": {"units": 19, "largest": (16, 5, 2_700), "others": 0, "orders": 60},
    "province": {"units": 300, "largest": (210, 10, 100_000), "others": 149, "orders": 2_000},
}
OTHER_TASKS = (10, 20, 30, 40)  # 25 on average × 5 units × 48 periods ≈ 6,000 reports a plan
TITLES = {"district": "区级方案", "province": "省级方案"}
PASSWORD = "bench"


def _scaled(value, fraction, minimum):
    return max(minimum, round(value * fraction))


def plan_shapes(scale, fraction, seed):
    """[(tasks, units per task, report budget)] for every plan, the largest first."""
    spec = SCALES[scale]
    rng = random.Random(seed)
    tasks, units, budget = spec["largest"]
    shapes = [(_scaled(tasks, fraction, 4), units, _scaled(budget, fraction, 1))]
    for _ in range(_scaled(spec["others"], fraction, 0 if not spec["others"] else 1)):
        n_tasks = _scaled(rng.choice(OTHER_TASKS), fraction, 2)
        shapes.append((n_tasks, 5, n_tasks * 5 * dashboard_bench.PERIODS))
    return shapes


def generate(scale, *, fraction=1.0, seed=15, verbose=True):
    """Replace earlier generated data with a fresh, seeded `scale`; returns the counts."""
    started = time.perf_counter()
    title = TITLES[scale]
    _delete_generated()
    n_units = _scaled(SCALES[scale]["units"], fraction, 10)
    Department.objects.bulk_create(
        (
            Department(name=f"基准单位{i:03d}", short_name=f"单位{i:03d}", sort_order=i)
            for i in range(n_units)
        ),
        ignore_conflicts=True,
    )
    departments = list(Department.objects.filter(name__startswith="基准单位").order_by("name"))
    departments = departments[:n_units]
    author = _signed_in_user("bench_author", Role.REPORTER, departments[0])
    supervisor = _signed_in_user("bench_supervisor", Role.SUPERVISOR)
    _signed_in_user("bench_leader", Role.LEADER)
    reports = 0
    plans = []
    for index, (n_tasks, units, budget) in enumerate(plan_shapes(scale, fraction, seed)):
        written = dashboard_bench.add_plan(
            title=f"{title}{index:04d}",
            plan_index=index + seed,
            n_tasks=n_tasks,
            units=min(units, len(departments)),
            departments=departments,
            budget=budget,
            author=author,
            is_public=index == 0,
            with_history=True,
        )
        reports += written
        plans.append(f"{title}{index:04d}")
        if verbose and index % 10 == 0:
            print(f"  plan {index + 1}: {n_tasks} tasks, {written:,} reports", flush=True)
    largest = Plan.objects.get(title=plans[0])
    orders = _scaled(SCALES[scale]["orders"], fraction, 10)
    bulk_orders(largest, orders, issuer=supervisor)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts = {"units": n_units, "plans": len(plans), "reports": reports, "orders": orders}
    if verbose:
        print(f"{scale} × {fraction}: {counts} in {time.perf_counter() - started:.1f} s")
    return counts


def _delete_generated():
    old = Plan.objects.filter(
        Q(title__startswith=TITLES["district"]) | Q(title__startswith=TITLES["province"])
    )
    orders = SupervisionOrder.objects.filter(plan__in=old)
    SupervisionFile.objects.filter(order__in=orders).delete()
    Verification.objects.filter(plan__in=old).delete()
    orders.delete()
    reports = Report.objects.filter(task__plan__in=old)
    Report.history.filter(task__plan__in=old).delete()
    ReportSummary.objects.filter(plan__in=old).delete()
    reports.delete()
    Task.objects.filter(plan__in=old).delete()
    old.delete()


def _signed_in_user(username, role, department=None):
    user = dashboard_bench._user(username, role, department)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=sorted(SCALES), required=True)
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    if not 0 < args.fraction <= 1:
        parser.error("--fraction must be in (0, 1]")
    call_command("migrate", verbosity=0)
    generate(args.scale, fraction=args.fraction, seed=args.seed)


if __name__ == "__main__":
    main()
