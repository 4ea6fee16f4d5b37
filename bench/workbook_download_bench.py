"""Is the leadership workbook without its detail sheet fast enough to answer in the request?

    .venv/bin/python bench/workbook_download_bench.py --rounds 7

Loads the Huancui plan with its deterministic demo reports (`load_plan`,
`load_demo_reports`: 16 tasks, 19 units, ~2,600 reports) into the SQLite file
/tmp/huancui_workbook_bench.sqlite3 (or DATABASE_URL), then times, in interleaved rounds with
Django's test Client and the full middleware stack: the signed-in trivial view
(bench/bench_urls.py), the dashboard, the workbook download without details
(GET /supervision/export.xlsx, answered in the request) and the same workbook with its
填报明细 sheet built directly (what the background job does). Prints medians and the median
per-round ratios to the trivial view.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huancui_vet.settings_test")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/huancui_workbook_bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from departments.models import Role, User  # noqa: E402
from supervision.workbook import build_workbook, collect_workbook_data  # noqa: E402
from tasks.models import Plan  # noqa: E402
from tasks.periods import default_as_of  # noqa: E402


def _data():
    call_command("migrate", verbosity=0)
    if not Plan.objects.exists():
        call_command("load_plan", verbosity=0)
        call_command("create_demo_accounts", "--force", verbosity=0, stdout=io.StringIO())
        call_command("load_demo_reports", verbosity=0)
    return Plan.objects.get()


def _time(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    plan = _data()
    as_of = default_as_of(plan, timezone.localdate())
    user = User.objects.filter(groups__name=Role.SUPERVISOR.label).first()
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)

    def with_details():
        data = collect_workbook_data(plan=plan, year=as_of.year, as_of=as_of, user=user)
        build_workbook(data, io.BytesIO(), include_details=True)

    jobs = {
        "trivial": lambda: client.get("/bench/trivial/"),
        "dashboard": lambda: client.get("/supervision/"),
        "workbook (no details, in the request)": lambda: client.get("/supervision/export.xlsx"),
        "workbook with details (the job's work)": with_details,
    }
    for job in jobs.values():  # warm caches
        job()
    times = {name: [] for name in jobs}
    for _ in range(args.rounds):
        for name, job in jobs.items():
            times[name].append(_time(job))
    print(f"{plan.title}: {plan.tasks.count()} tasks, {settings.DATABASES['default']['ENGINE']}")
    for name, values in times.items():
        ratios = [v / t for v, t in zip(values, times["trivial"], strict=True)]
        print(
            f"{name:42} {statistics.median(values) * 1000:8.1f} ms"
            f"  {statistics.median(ratios):8.1f}× trivial"
        )


if __name__ == "__main__":
    with override_settings(ROOT_URLCONF="bench_urls"):
        main()
