"""原始数据 export at scale: time and peak memory of the streamed CSV and xlsx.

    .venv/bin/python bench/raw_export_bench.py --reports 10000
    .venv/bin/python bench/raw_export_bench.py --reports 100000

Data (generated once per size, reused): one plan of 50 tasks × 4 units over enough monthly
periods, each report with ~100 characters of Chinese text, one target value, one evidence
name and one return comment per tenth report, written with bulk_create.
Each job runs in a fresh subprocess and prints its wall time and peak RSS (VmHWM):
`baseline` only starts Django and reads the plan; `csv` consumes the whole CSV stream;
`xlsx` writes the write-only workbook to a temporary file. Bounded memory means csv/xlsx
peak RSS minus baseline stays about the same at 10k and 100k reports.
Database: DATABASE_URL (default: SQLite file /tmp/huancui_raw_bench_<N>.sqlite3).
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(n_reports):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huancui_vet.settings_test")
    os.environ.setdefault("DATABASE_URL", f"sqlite:////tmp/huancui_raw_bench_{n_reports}.sqlite3")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()


def _peak_rss_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


TITLE = "原始数据基准方案"
TASKS, UNITS = 50, 4
TEXT = "组织召开专题推进会，研究部署本期重点工作；完成实训基地建设方案论证并报区政府审定。" * 2


def ensure_data(n_reports):
    from django.core.management import call_command
    from django.db import transaction

    from departments.models import Department, User
    from reports.models import Evidence, Report, ReportEvent, TargetValue
    from tasks.models import Plan, Target, Task, TaskAssignment

    call_command("migrate", verbosity=0)
    if Report.objects.filter(task__plan__title=TITLE).count() == n_reports:
        return
    with transaction.atomic():
        Plan.objects.filter(title=TITLE).delete()
        months = -(-n_reports // (TASKS * UNITS))
        plan = Plan.objects.create(
            title=TITLE, start_year=2000, end_year=2000 + months // 12 + 1, is_public=True
        )
        units = [Department.objects.get_or_create(name=f"基准单位{i}")[0] for i in range(UNITS)]
        user, _ = User.objects.get_or_create(username="bench_reporter", full_name="基准填报")
        tasks = Task.objects.bulk_create(
            Task(plan=plan, number=n + 1, content=f"基准任务{n + 1}。" + TEXT) for n in range(TASKS)
        )
        TaskAssignment.objects.bulk_create(
            TaskAssignment(task=t, department=u, role="lead" if i == 0 else "support")
            for t in tasks
            for i, u in enumerate(units)
        )
        targets = Target.objects.bulk_create(
            Target(
                task=t,
                year=2000,
                indicator="培训人次",
                target_value=100,
                kind="count",
                source_sentence="s",
            )
            for t in tasks
        )
        now = datetime.datetime(2001, 1, 1, tzinfo=datetime.UTC)
        made = 0
        for month in range(months):
            start = datetime.date(2000 + month // 12, month % 12 + 1, 1)
            batch = []
            for task in tasks:
                for u_index, unit in enumerate(units):
                    if made + len(batch) >= n_reports:
                        break
                    batch.append(
                        Report(
                            task=task,
                            department=unit,
                            period_start=start,
                            role="lead" if u_index == 0 else "support",
                            state="accepted",
                            progress_status="on_track" if u_index == 0 else "",
                            percent=50,
                            work_done=TEXT,
                            problems="资金到位进度偏慢",
                            next_steps="下月完成设计招标",
                            created_by=user,
                            submitted_by=user,
                            reviewed_by=user,
                            created_at=now,
                            first_submitted_at=now,
                            submitted_at=now,
                            reviewed_at=now,
                        )
                    )
            made += len(batch)
            saved = Report.objects.bulk_create(batch)
            TargetValue.objects.bulk_create(
                TargetValue(report=r, target=targets[r.task.number - 1], actual_value=42)
                for r in saved
                if r.role == "lead"
            )
            Evidence.objects.bulk_create(
                Evidence(
                    report=r,
                    file="x.pdf",
                    original_name="验收报告.pdf",
                    content_type="application/pdf",
                    size=1,
                    uploaded_by=user,
                )
                for r in saved
            )
            ReportEvent.objects.bulk_create(
                ReportEvent(report=r, action="returned", actor=user, at=now, comment="请补充照片")
                for i, r in enumerate(saved)
                if i % 10 == 0
            )


def child(job, n_reports):
    _setup(n_reports)
    from departments.models import User
    from reports import raw_export
    from tasks.models import Plan

    plan = Plan.objects.get(title=TITLE)
    leader = User(is_superuser=True)  # sees every unit
    filters = raw_export.RawFilters(plan=plan)
    started = time.perf_counter()
    rows = 0
    if job == "csv":
        for _ in raw_export.csv_stream(leader, filters):
            rows += 1
        rows -= 1  # the header
    elif job == "xlsx":
        with tempfile.TemporaryFile() as output:
            rows = raw_export.write_xlsx(leader, filters, output)
    print(
        json.dumps(
            {
                "job": job,
                "rows": rows,
                "seconds": time.perf_counter() - started,
                "peak_mb": _peak_rss_mb(),
            }
        )
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=10000)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.reports)
        return
    _setup(args.reports)
    ensure_data(args.reports)
    results = {}
    for job in ("baseline", "csv", "xlsx"):
        out = subprocess.run(
            [sys.executable, __file__, "--reports", str(args.reports), "--child", job],
            check=True,
            capture_output=True,
            text=True,
            env=os.environ.copy(),
        )
        results[job] = json.loads(out.stdout.strip().splitlines()[-1])
    base = results["baseline"]["peak_mb"]
    for job in ("csv", "xlsx"):
        r = results[job]
        print(
            f"{job}: {r['rows']} rows in {r['seconds']:.1f} s "
            f"({r['rows'] / r['seconds']:.0f} rows/s), peak RSS {r['peak_mb']:.1f} MB "
            f"(+{r['peak_mb'] - base:.1f} MB over a bare Django process, {base:.1f} MB)"
        )


if __name__ == "__main__":
    main()
