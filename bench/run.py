"""Every page a user opens, over real HTTP against gunicorn, as ratios to a signed-in trivial view.

    .venv/bin/python bench/generate.py --scale province --fraction 0.02
    .venv/bin/python bench/run.py [--rounds 10] [--json /tmp/bench-run.json]
    .venv/bin/python bench/run.py --rounds 5 --pages dashboard,scorecard,compliance,public_page

Uses the data bench/generate.py wrote (same DATABASE_URL; default the SQLite file
/tmp/huancui_generated.sqlite3). What it does, loopback only and bounded in time:
1. In this process (production settings, DEBUG off): signs the bench users in (sessions in the
   database, shared with gunicorn), picks the largest plan, its worst as-of date (two days
   before a period's reports are due) and a task and a report on it; for every page counts
   the SQL queries and the bytes of one request with Django's test client.
2. Starts gunicorn (bench/bench_wsgi.py: the portal plus /bench/trivial/, see
   bench/bench_urls.py) on 127.0.0.1 with --workers workers, and for 1 and 8 concurrent users
   times --rounds requests per user of the trivial view and of each page, interleaved.
3. Prints, per page: queries, KB, and for each concurrency the median latency, p99 and the
   ratio median(page) / median(trivial at the same concurrency); writes the same as JSON.
gunicorn is stopped at the end, and every request times out after --timeout seconds; the
whole run stops after --max-seconds.
"""

import argparse
import datetime
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
HOST = "127.0.0.1"
ENV = {
    "DJANGO_SETTINGS_MODULE": "huancui_vet.settings",
    "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/huancui_generated.sqlite3"),
    "DEBUG": "false",
    "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": f"{HOST},testserver",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "LOG_LEVEL": "WARNING",
    "STATIC_ROOT": os.environ.get("STATIC_ROOT", "/tmp/huancui_bench_static"),
}
os.environ.update(ENV)
sys.path[:0] = [str(BENCH), str(ROOT)]

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from departments.models import Role, User  # noqa: E402
from huancui_vet.testing import make_user  # noqa: E402
from reports.models import Report, ReportSummary  # noqa: E402
from tasks.models import Plan  # noqa: E402
from tasks.periods import plan_periods  # noqa: E402

CONCURRENCY = (1, 8)


def worst_as_of(plan):
    """Two days before the due date of the last period due before today: every task checks its
    units for a "due soon" warning and the whole history counts."""
    today = datetime.date.today()
    due = [p.due for p in plan_periods(plan) if p.due < today]
    return (due[-1] if due else today) - datetime.timedelta(days=2)


def user(username, role):
    found = User.objects.filter(username=username).first()
    return found or make_user(username, role)


def pages():
    """(name, username, url) for every page a user opens, on the largest plan."""
    largest = (
        ReportSummary.objects.values("plan_id")
        .annotate(n=Count("id"))
        .order_by("-n", "plan_id")
        .values_list("plan_id", flat=True)
        .first()
    )
    if largest is None:
        sys.exit("no reports: run bench/generate.py first")
    plan = Plan.objects.get(pk=largest)
    as_of = worst_as_of(plan)
    task = plan.tasks.order_by("number").first()
    report = Report.objects.filter(task=task).order_by("-period_start").first()
    author = User.objects.filter(username="bench_author").first()
    unit = author.department_id if author else task.principal_lead.pk
    own_task = plan.tasks.filter(assignments__department_id=unit).order_by("number").first()
    own_task = own_task or task
    q = f"plan={plan.pk}&as_of={as_of:%Y-%m-%d}"
    sup, rep, admin = "bench_supervisor", "bench_author", "bench_admin"
    return (
        plan,
        as_of,
        [
            ("trivial", sup, "/bench/trivial/"),
            ("my_tasks", rep, reverse("reports:my_tasks")),
            ("task_page", sup, reverse("reports:task_detail", args=[task.pk])),
            ("task_page_unit", rep, reverse("reports:task_detail", args=[own_task.pk])),
            ("task_history", sup, reverse("reports:task_history", args=[task.pk])),
            ("report_history", sup, reverse("reports:report_history", args=[report.pk])),
            ("review_queue", sup, reverse("reports:review_queue")),
            ("review_queue_filtered", sup, f"{reverse('reports:review_queue')}?plan={plan.pk}"),
            ("period_list", sup, reverse("reports:period_list")),
            ("dashboard", sup, f"{reverse('supervision:dashboard')}?{q}"),
            ("scorecard", sup, f"{reverse('supervision:scorecard')}?{q}&period_kind=plan"),
            ("compliance", sup, f"{reverse('supervision:compliance')}?{q}"),
            (
                "unit_score",
                sup,
                f"{reverse('supervision:department_score', args=[unit])}?{q}&period_kind=plan",
            ),
            ("orders", sup, f"{reverse('supervision:order_list')}?{q}"),
            ("orders_all", sup, f"{reverse('supervision:order_list')}?{q}&colour=all"),
            (
                "orders_red_unit",
                sup,
                f"{reverse('supervision:order_list')}?{q}&colour=red&department={unit}",
            ),
            ("public_page", sup, reverse("supervision:public_plan", args=[plan.pk])),
            ("inbox", rep, reverse("notifications:inbox")),
            ("inbox_unread_first", rep, f"{reverse('notifications:inbox')}?sort=unread"),
            ("admin_reports", admin, reverse("admin:reports_report_changelist")),
            (
                "admin_reports_filtered",
                admin,
                f"{reverse('admin:reports_report_changelist')}"
                f"?department__id__exact={unit}&state__exact=accepted",
            ),
            ("admin_tasks", admin, reverse("admin:tasks_task_changelist")),
            ("admin_orders", admin, reverse("admin:supervision_supervisionorder_changelist")),
            ("admin_notices", admin, reverse("admin:notifications_notice_changelist")),
        ],
    )


def sessions_and_counts(page_list):
    """Session cookies for the bench users, and (queries, bytes, status) of one request each."""
    user("bench_supervisor", Role.SUPERVISOR)
    admin = user("bench_admin", Role.ADMINISTRATOR)
    if not admin.is_superuser:
        admin.is_superuser = admin.is_staff = True
        admin.save(update_fields=["is_superuser", "is_staff"])
    clients, cookies, counts = {}, {}, {}
    for name, username, url in page_list:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
            cookies[username] = clients[username].cookies[settings.SESSION_COOKIE_NAME].value
        client = clients[username]
        client.get(url)  # warm per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts[name] = (len(queries), len(response.content), response.status_code)
    return cookies, counts


def start_gunicorn(port, workers, log):
    env = {
        **os.environ,
        "GUNICORN_BIND": f"{HOST}:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": "1",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "GUNICORN_MAX_REQUESTS": "0",
        "PYTHONPATH": f"{BENCH}:{ROOT}",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "-c", "gunicorn.conf.py", "bench_wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit(f"gunicorn did not start; see {log.name}")


def get(port, url, cookie, timeout):
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    conn.request("GET", url, headers={"Host": HOST, "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{url}: HTTP {response.status}")
    return time.perf_counter() - started


def timed(port, url, cookie, users, rounds, timeout):
    """Latencies of `rounds` requests per user, `users` users at once."""
    times, errors = [], []

    def one_user():
        for _ in range(rounds):
            try:
                times.append(get(port, url, cookie, timeout))
            except Exception as exc:  # noqa: BLE001 - reported, not fatal
                errors.append(str(exc))

    threads = [threading.Thread(target=one_user) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(errors[0])
    return times


def p99(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]


def measure(port, page_list, cookies, args):
    names = {
        username: f"{settings.SESSION_COOKIE_NAME}={cookie}" for username, cookie in cookies.items()
    }
    started = time.monotonic()
    results = {}
    for name, username, url in page_list:
        results[name] = {}
        for users in CONCURRENCY:
            if time.monotonic() - started > args.max_seconds:
                sys.exit("stopped: --max-seconds reached")
            cookie = names[username]
            try:
                timed(port, url, cookie, users, 1, args.timeout)  # warm
                trivial = timed(
                    port,
                    "/bench/trivial/",
                    names["bench_supervisor"],
                    users,
                    args.rounds,
                    args.timeout,
                )
                page = timed(port, url, cookie, users, args.rounds, args.timeout)
            except RuntimeError as exc:
                # A page over --timeout is a result (reported as such), not the end of the run.
                results[name][users] = {"error": str(exc)}
                print(f"{name} × {users}: {exc}", file=sys.stderr, flush=True)
                continue
            results[name][users] = {
                "median_ms": statistics.median(page) * 1000,
                "p99_ms": p99(page) * 1000,
                "trivial_median_ms": statistics.median(trivial) * 1000,
                "ratio": statistics.median(page) / statistics.median(trivial),
            }
            row = results[name][users]
            print(
                f"{name} × {users}: {row['ratio']:.1f}× (median {row['median_ms']:.0f} ms, "
                f"p99 {row['p99_ms']:.0f} ms)",
                file=sys.stderr,
                flush=True,
            )
    return results


def _cells(result):
    if "error" in result:
        return f"{'—':>9s} {result['error'][:10]:>10s}"
    return f"{result['ratio']:8.1f}× {result['p99_ms']:10.0f}"


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=10, help="requests per user and page")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--max-seconds", type=float, default=900)
    parser.add_argument("--json", default="/tmp/huancui_bench_run.json")
    parser.add_argument(
        "--pages",
        default="",
        help="comma-separated page names to measure (e.g. dashboard,scorecard,compliance,"
        "public_page); default every page. The trivial view is always measured.",
    )
    args = parser.parse_args()
    call_command("collectstatic", "--noinput", verbosity=0)
    with override_settings(ROOT_URLCONF="bench_urls"):
        plan, as_of, page_list = pages()
        if args.pages:
            wanted = {"trivial", *args.pages.split(",")}
            unknown = wanted - {name for name, _, _ in page_list}
            if unknown:
                sys.exit(f"unknown pages: {', '.join(sorted(unknown))}")
            page_list = [row for row in page_list if row[0] in wanted]
        cookies, counts = sessions_and_counts(page_list)
    for name, (_, _, status) in counts.items():
        if status != 200:
            sys.exit(f"{name}: HTTP {status} in-process")
    port = args.port or _free_port()
    with tempfile.NamedTemporaryFile(
        "w", prefix="bench-gunicorn-", suffix=".log", delete=False
    ) as log:
        process = start_gunicorn(port, args.workers, log)
        try:
            results = measure(port, page_list, cookies, args)
        finally:
            process.terminate()
            process.wait(timeout=30)
    summary = {
        "database": connection.vendor,
        "reports": ReportSummary.objects.count(),
        "plans": Plan.objects.count(),
        "plan": plan.title,
        "plan_reports": ReportSummary.objects.filter(plan=plan).count(),
        "as_of": as_of.isoformat(),
        "workers": args.workers,
        "rounds": args.rounds,
        "pages": {
            name: {
                "queries": counts[name][0],
                "bytes": counts[name][1],
                **{f"c{u}": r for u, r in by_users.items()},
            }
            for name, by_users in results.items()
        },
    }
    Path(args.json).write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    print(
        f"{summary['database']}, {summary['reports']:,} reports, {summary['plans']} plans; "
        f"largest plan {plan.title} ({summary['plan_reports']:,} reports), as of {as_of}; "
        f"gunicorn {args.workers} workers × 1 thread, {args.rounds} requests per user"
    )
    print(
        f"{'page':24s} {'queries':>7s} {'KB':>6s} {'ratio c1':>9s} {'p99 c1 ms':>10s} "
        f"{'ratio c8':>9s} {'p99 c8 ms':>10s}"
    )
    for name, row in summary["pages"].items():
        print(
            f"{name:24s} {row['queries']:7d} {row['bytes'] / 1024:6.1f} "
            f"{_cells(row['c1'])} {_cells(row['c8'])}"
        )
    print(f"JSON: {args.json}")


def _free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    main()
