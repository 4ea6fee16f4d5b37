"""Leadership workbook at scale: time and peak memory against openpyxl's write-only floor.

    .venv/bin/python bench/excel_bench.py --reports 100000 --rounds 3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helper_d_excel_bench \\
        .venv/bin/python bench/excel_bench.py --reports 100000

What is measured: the real product path `export_report --details`, i.e.
`collect_workbook_data()` (dashboard + scorecard selectors) and `build_workbook(...,
include_details=True)`: the four leadership sheets plus the 填报明细 sheet, which streams every
submitted report of the plan from the database (`values_list().iterator()`) into a
write-only sheet. With N reports in one plan, 填报明细 has N rows.

The floor, in the same run: openpyxl `Workbook(write_only=True)` appending exactly the same
N detail rows (same values, pre-built in memory before the clock starts, no styles) and
saving. Each job runs in a fresh subprocess, interleaved over the rounds, and reports its own
wall time and peak RSS (VmHWM from /proc/self/status); `baseline` is the RSS of
a process that only starts Django and reads the plan, `details` builds only the streamed
填报明细 sheet (no selectors) to show the writer's own memory stays flat.
Targets (issue 6): workbook ≤ 1.5× the floor; memory bounded (streamed rows, no
whole-queryset lists).

Data (generated once, reused when the count matches): one plan of 100 tasks × 10 units
(1 lead + 9 supporting) over just enough monthly periods up to May 2023, each report
accepted on time with 60–150 characters of Chinese progress text, written with bulk_create.
Database: DATABASE_URL (default: SQLite file /tmp/helper_d_excel_bench.sqlite3).
"""

import argparse
import datetime
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huancui_vet.settings_test")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/helper_d_excel_bench.sqlite3")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

TITLE = "Excel基准方案"
TASKS, UNITS, DEPARTMENTS = 100, 10, 50
AS_OF = datetime.date(2023, 6, 30)
BATCH = 5000
PHRASES = [
    "组织召开专题推进会，研究部署本期重点工作",
    "完成实训基地建设方案论证并报区政府审定",
    "联合企业开展职工技能培训，累计培训人员逐步增加",
    "推进校企合作项目落地，签订合作协议若干份",
    "开展“双师型”教师认定工作，教师队伍结构持续优化",
    "落实财政资金保障，相关经费已列入年度预算",
    "加强督导检查，对发现的问题建立台账限期整改",
    "积极对接上级部门，争取政策和项目支持",
]
PROBLEMS = ["资金到位进度偏慢", "企业参与积极性有待提高", "专业师资力量仍显不足", ""]


def _peak_rss_kb():
    """This process's peak RSS. /proc VmHWM, not ru_maxrss: on Linux ru_maxrss keeps the
    parent's high-water mark across fork+exec, which would hide the child's own peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _mb(kilobytes):
    return round(kilobytes / 1024, 1)


def ensure_data(n_reports):
    from departments.models import Department, Role
    from huancui_vet.testing import make_user
    from reports.models import ProgressStatus, Report, ReportState, ReportSummary
    from supervision.tests.excel_fixtures import summary_for
    from tasks.models import Plan, Task, TaskAssignment
    from tasks.periods import periods_due_by

    call_command("migrate", verbosity=0)
    # Just enough monthly periods before the as-of date for N reports, so every expected
    # report exists (nothing overdue) and the plan looks like a real, well-kept one.
    periods_needed = -(-n_reports // (TASKS * UNITS))
    month_index = (AS_OF.year * 12 + AS_OF.month - 1) - 1 - (periods_needed - 1)
    first = datetime.date(month_index // 12, month_index % 12 + 1, 1)
    plan = Plan.objects.filter(title=TITLE).first()
    if (
        plan
        and plan.reporting_starts_on == first
        and Report.objects.filter(task__plan=plan).count() == n_reports
    ):
        print(f"reusing {n_reports} reports", flush=True)
        return
    print(f"generating {n_reports} reports …", flush=True)
    started = time.perf_counter()
    rng = random.Random(6)
    if plan:
        ReportSummary.objects.filter(plan=plan).delete()
        Report.objects.filter(task__plan=plan).delete()
        plan.delete()
    plan = Plan.objects.create(
        title=TITLE,
        start_year=first.year,
        end_year=AS_OF.year + 1,
        reporting_starts_on=first,
    )
    departments = list(Department.objects.filter(name__startswith="Excel基准单位"))
    if len(departments) < DEPARTMENTS:
        Department.objects.bulk_create(
            Department(name=f"Excel基准单位{i:02d}", sort_order=i)
            for i in range(len(departments), DEPARTMENTS)
        )
        departments = list(Department.objects.filter(name__startswith="Excel基准单位"))
    user = make_user(f"excel_bench_{plan.pk}", Role.REPORTER, departments[0])
    tasks = Task.objects.bulk_create(
        Task(plan=plan, number=n, content=f"基准任务{n}：" + PHRASES[n % len(PHRASES)])
        for n in range(1, TASKS + 1)
    )
    assignments = []
    for task in tasks:
        units = rng.sample(departments, UNITS)
        for position, dept in enumerate(units):
            role = TaskAssignment.Role.LEAD if position == 0 else TaskAssignment.Role.SUPPORT
            assignments.append(
                TaskAssignment(task=task, department=dept, role=role, position=position)
            )
    TaskAssignment.objects.bulk_create(assignments)

    periods = periods_due_by(plan, AS_OF)
    batch, made = [], 0

    def flush():
        with transaction.atomic():
            Report.objects.bulk_create(batch)
            ReportSummary.objects.bulk_create(summary_for(r, plan) for r in batch)
        batch.clear()

    for period in periods:
        submitted = timezone.make_aware(
            datetime.datetime.combine(period.due - datetime.timedelta(days=2), datetime.time(10))
        )
        for a in assignments:
            if made == n_reports:
                break
            lead = a.role == TaskAssignment.Role.LEAD
            text = "；".join(rng.sample(PHRASES, rng.randint(2, 5))) + "。"
            batch.append(
                Report(
                    task_id=a.task_id,
                    department_id=a.department_id,
                    period_start=period.start,
                    role=a.role,
                    state=ReportState.ACCEPTED,
                    progress_status=ProgressStatus.ON_TRACK if lead else "",
                    percent=rng.randint(0, 100) if lead else None,
                    work_done=text,
                    problems=rng.choice(PROBLEMS),
                    created_by=user,
                    first_submitted_at=submitted,
                    submitted_at=submitted,
                    reviewed_at=submitted + datetime.timedelta(days=1),
                )
            )
            made += 1
            if len(batch) == BATCH:
                flush()
    if batch:
        flush()
    if made < n_reports:
        raise SystemExit(f"only {made} report slots before {AS_OF}; raise TASKS or UNITS")
    print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)


def child(job):
    """Run one job in this (fresh) process; print one JSON line."""
    import openpyxl.chart  # noqa: F401 - warm imports: measure the work, not module loading
    from openpyxl import Workbook

    import supervision.selectors  # noqa: F401
    from supervision.workbook import build_workbook, collect_workbook_data
    from supervision.workbook.details import DETAIL_COLUMNS, detail_rows
    from tasks.models import Plan

    plan = Plan.objects.get(title=TITLE)
    out = Path(tempfile.mkdtemp(prefix="helper_d_excel_")) / f"{job}.xlsx"
    rows = 0
    seconds = cpu = 0.0
    if job == "floor":
        data_rows = list(detail_rows(plan=plan, as_of=AS_OF))  # not timed
        started, cpu_started = time.perf_counter(), time.process_time()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("填报明细")
        ws.append([c.header for c in DETAIL_COLUMNS])
        for row in data_rows:
            ws.append(row)
        wb.save(out)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        rows = len(data_rows)
    elif job == "details":
        # Only the streamed 填报明细 sheet (no selectors): its own time and memory.
        from supervision.workbook.data import WorkbookData

        started, cpu_started = time.perf_counter(), time.process_time()
        data = WorkbookData(plan=plan, year=AS_OF.year, as_of=AS_OF)
        rows = build_workbook(data, out, include_details=True)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    elif job == "workbook":
        started, cpu_started = time.perf_counter(), time.process_time()
        data = collect_workbook_data(plan=plan, year=AS_OF.year, as_of=AS_OF, user=None)
        rows = build_workbook(data, out, include_details=True)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    size = out.stat().st_size if out.exists() else 0
    if out.exists():
        out.unlink()
    out.parent.rmdir()
    peak = _peak_rss_kb()
    print(
        json.dumps(
            {
                "job": job,
                "seconds": seconds,
                "cpu": cpu,
                "rss_mb": _mb(peak),
                "rows": rows,
                "mb": round(size / 2**20, 1),
            }
        )
    )


def run_child(job, n_reports):
    result = subprocess.run(
        [sys.executable, __file__, "--child", job, "--reports", str(n_reports)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=["floor", "workbook", "details", "baseline"])
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    from django.db import connection

    ensure_data(args.reports)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    if args.rounds < 1:
        return
    results = {"floor": [], "workbook": [], "details": [], "baseline": []}
    for round_no in range(1, args.rounds + 1):
        for job in ("baseline", "floor", "workbook", "details"):
            r = run_child(job, args.reports)
            results[job].append(r)
            print(
                f"round {round_no} {job:9s} {r['seconds']:7.2f} s (cpu {r['cpu']:6.2f} s)"
                f"  peak RSS {r['rss_mb']:6.1f} MB"
                f"  rows {r['rows']}  file {r['mb']} MB",
                flush=True,
            )
    ratios = [
        w["seconds"] / f["seconds"]
        for w, f in zip(results["workbook"], results["floor"], strict=True)
    ]

    def best(job, key):
        return min(r[key] for r in results[job])

    # Other processes share this machine: the fastest round of each job is the least
    # disturbed one, and CPU time is less sensitive to contention than wall time.
    summary = {
        "reports": args.reports,
        "database": connection.vendor,
        "floor_s_best": round(best("floor", "seconds"), 2),
        "workbook_s_best": round(best("workbook", "seconds"), 2),
        "ratio_best_wall": round(best("workbook", "seconds") / best("floor", "seconds"), 2),
        "ratio_best_cpu": round(best("workbook", "cpu") / best("floor", "cpu"), 2),
        "ratio_median_per_round": round(statistics.median(ratios), 2),
        "baseline_rss_mb": max(r["rss_mb"] for r in results["baseline"]),
        "floor_rss_mb": max(r["rss_mb"] for r in results["floor"]),
        "workbook_rss_mb": max(r["rss_mb"] for r in results["workbook"]),
        "details_only_s_best": round(best("details", "seconds"), 2),
        "details_only_rss_mb": max(r["rss_mb"] for r in results["details"]),
    }
    print(json.dumps(summary, ensure_ascii=False))
    ratio = summary["ratio_best_wall"]
    verdict = "OK" if ratio <= 1.5 else "OVER TARGET"
    print(f"workbook / write-only floor = {ratio}× (best rounds; target ≤ 1.5×): {verdict}")


if __name__ == "__main__":
    main()
