"""Load test: gunicorn on a throwaway PostgreSQL, concurrent reporters, supervisors and readers,
optionally with the database restarted mid-run; then every acknowledged write is checked.

    .venv/bin/python bench/load_test.py --duration 90 --outage

What it does (loopback only, bounded in time and request count):
1. `initdb` a PostgreSQL cluster in a temporary directory (binaries from
   /usr/lib/postgresql/*/bin), started on its own free port on 127.0.0.1; migrates, loads the
   Huancui plan and creates load-test accounts (two reporters in each of three departments, so
   colleagues edit the same reports while departments edit different ones).
2. Starts gunicorn (production settings, DEBUG off) on 127.0.0.1.
3. Runs client threads for --duration seconds or --max-requests requests: reporters open a
   report, save it with a unique marker text and sometimes submit it; supervisors accept or
   return submitted reports from the review queue; readers load the dashboard.
4. With --outage, stops PostgreSQL (immediate mode, like a crash) at 40 % of the run and
   starts it again --outage-seconds later.
5. Checks in the database that every save acknowledged to a client (302 to the report) was
   written exactly once, that no save answered 409 was written, and that acknowledged
   accepts/returns are recorded; prints requests/s, p50/p99 latency, 409s, 5xx inside and
   outside the outage window, the log lines gunicorn wrote during the outage, and the time
   to the first success after PostgreSQL came back. Exits 1 if a check fails.
"""

import argparse
import glob
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = Path(sys.executable).parent / "gunicorn"
PASSWORD = "Huancui-load-2026"  # load-test accounts in a throwaway database only
HOST = "127.0.0.1"
MAX_DURATION = 600
OUTAGE_GRACE = 1.0  # seconds after PostgreSQL is ready that still count as the outage

SETUP = """
import json
import os
import django
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'huancui_vet.settings')
django.setup()
from django.contrib.auth.models import Group
from departments.models import Department, Role, User
from tasks.models import Plan, TaskAssignment
from tasks.periods import plan_periods

plan = Plan.objects.get()
periods = [p.start.isoformat() for p in plan_periods(plan)][:3]
out = {"reporters": [], "supervisors": [], "readers": []}
def account(username, role, department=None):
    user, _ = User.objects.get_or_create(
        username=username, defaults={"full_name": username, "department": department}
    )
    user.set_password(PASSWORD)
    user.save()
    user.groups.set([Group.objects.get(name=role.label)])
    return username
for name in ["区教育体育局", "区人力资源社会保障局", "区发改局"]:
    dept = Department.objects.get(name=name)
    task_ids = list(
        TaskAssignment.objects.filter(department=dept, role="lead", task__plan=plan)
        .order_by("task__number").values_list("task_id", flat=True)[:2]
    )
    targets = [[t, p] for t in task_ids for p in periods]
    for n in (1, 2):
        out["reporters"].append(
            {"username": account(f"load_{dept.pk}_{n}", Role.REPORTER, dept), "targets": targets}
        )
for n in (1, 2):
    out["supervisors"].append({"username": account(f"load_sup_{n}", Role.SUPERVISOR)})
for n in (1, 2, 3):
    out["readers"].append({"username": account(f"load_leader_{n}", Role.LEADER)})
print("SETUP-JSON " + json.dumps(out))
""".replace("PASSWORD", repr(PASSWORD))


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def pg_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        sys.exit("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin")
    return Path(found[-1]).parent


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary directory, on its own port."""

    def __init__(self, workdir):
        self.bin = pg_bin()
        self.data = workdir / "pgdata"
        self.port = free_port()
        self.log = workdir / "postgres.log"
        self.socket_dir = workdir

    def _pg(self, tool, *args, check=True):
        # PostgreSQL refuses to run as root: run its tools as the postgres system user then.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(
            [*prefix, str(self.bin / tool), *args], check=check, capture_output=True, text=True
        )

    def init(self):
        if os.geteuid() == 0:
            shutil.chown(self.socket_dir, user="postgres")
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self):
        options = (
            f"-p {self.port} -c listen_addresses={HOST} -k {self.socket_dir} "
            "-c max_connections=100 -c fsync=off -c full_page_writes=off"
        )
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode="fast"):
        self._pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def ready(self):
        result = self._pg("pg_isready", "-h", HOST, "-p", str(self.port), check=False)
        return result.returncode == 0

    @property
    def url(self):
        return f"postgres://postgres@{HOST}:{self.port}/huancui_load"


def portal_env(cluster, workdir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DEBUG="false",
        SECRET_KEY="load-test-only-" + "k" * 40,
        DATABASE_URL=cluster.url,
        CONN_MAX_AGE="60",
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        AXES_ENABLED="false",  # every client signs in once; lock-out is not what is measured
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env, *args):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def prepare(cluster, env):
    cluster._pg("createdb", "-h", HOST, "-p", str(cluster.port), "-U", "postgres", "huancui_load")
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "load_plan")
    done = subprocess.run([PYTHON, "-c", SETUP], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit("setup failed:\n" + done.stderr[-3000:])
    out = done.stdout
    return json.loads(out.split("SETUP-JSON ", 1)[1])


def start_gunicorn(env, port, workers, log_path):
    env = {
        **env,
        "GUNICORN_BIND": f"{HOST}:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": "4",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "GUNICORN_MAX_REQUESTS": "0",
    }
    log = open(log_path, "w")  # noqa: SIM115 - closed by the caller via process.log
    process = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    process.log = log
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit("gunicorn did not start; see " + str(log_path))


# --- clients -------------------------------------------------------------------------------


@dataclass
class Result:
    kind: str
    status: int
    start: float
    end: float


@dataclass
class Ledger:
    """What clients were told: the evidence the database is checked against."""

    results: list = field(default_factory=list)
    acked_saves: dict = field(default_factory=dict)  # marker -> report id
    conflict_saves: list = field(default_factory=list)  # refused: 409, 400, redirect back
    unknown_saves: list = field(default_factory=list)  # POST 5xx / no answer: must not exist
    unconfirmed_saves: list = field(default_factory=list)  # 302, then the next page failed
    acked_reviews: list = field(default_factory=list)  # (report id, "accept"/"return", comment)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, result):
        with self.lock:
            self.results.append(result)


class Stop(Exception):
    pass


class Browser:
    """One signed-in user: cookies, CSRF token, no redirect following."""

    CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    def __init__(self, port, ledger, budget):
        self.port = port
        self.ledger = ledger
        self.budget = budget
        self.cookies = {}
        self.csrf = ""

    def request(self, kind, method, path, form=None):
        if not self.budget.take():
            raise Stop
        body = urllib.parse.urlencode(form) if form is not None else None
        headers = {"Host": HOST, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        start = time.monotonic()
        status, text, location = 0, "", ""
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            status = response.status
            text = response.read().decode("utf-8", "replace")
            location = response.getheader("Location", "")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            conn.close()
        except OSError:
            status = 599  # no answer (connection refused/reset/timeout)
        self.ledger.add(Result(kind, status, start, time.monotonic()))
        match = self.CSRF.search(text)
        if match:
            self.csrf = match[1]
        return status, text, location

    def sign_in(self, username):
        for _ in range(20):
            self.request("login_page", "GET", "/accounts/login/")
            status, _, _ = self.request(
                "login",
                "POST",
                "/accounts/login/",
                {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf},
            )
            if status == 302:
                return
            time.sleep(0.5)
        raise RuntimeError(f"{username} could not sign in")


class Budget:
    def __init__(self, max_requests, deadline):
        self.left = max_requests
        self.deadline = deadline
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            if self.left <= 0 or time.monotonic() >= self.deadline:
                return False
            self.left -= 1
            return True


REPORT_ID = re.compile(r"/reports/(\d+)/")
VERSION = re.compile(r'name="version" value="(\d+)"')


def reporter(browser, spec, ledger, rng, name):
    browser.sign_in(spec["username"])
    seq = 0
    while True:
        task_id, period = rng.choice(spec["targets"])
        status, text, location = browser.request(
            "open", "GET", f"/reports/tasks/{task_id}/periods/{period}/"
        )
        if status == 302 and "/edit/" in location:
            path = urllib.parse.urlparse(location).path
            status, text, location = browser.request("open", "GET", path)
            if status != 200:
                time.sleep(0.1)  # submitted/accepted: not editable now; look again shortly
                continue
        elif status == 200:
            path = f"/reports/tasks/{task_id}/periods/{period}/"
        else:
            time.sleep(0.2)
            continue
        version = VERSION.search(text)
        if version is None:
            time.sleep(0.1)
            continue
        seq += 1
        marker = f"LT-{name}-{seq}"
        time.sleep(rng.uniform(0.05, 0.3))  # typing; colleagues overlap on the same report
        status, _, location = browser.request(
            "save",
            "POST",
            path,
            {
                "csrfmiddlewaretoken": browser.csrf,
                "version": version[1],
                "progress_status": "on_track",
                "percent": str(rng.randint(1, 99)),
                "work_done": marker,
                "problems": "",
                "next_steps": "",
            },
        )
        report = REPORT_ID.search(location or "")
        saved = False
        page_failed = False
        if status == 302 and report and location.rstrip("/").endswith(report[1]):
            # Like a browser: follow the redirect and read the message. "已保存" is the
            # acknowledgement; a refusal (e.g. a colleague submitted meanwhile) says why.
            shown, page, _ = browser.request("open", "GET", f"/reports/{report[1]}/")
            saved = shown == 200 and ("草稿已保存。" in page or ">已保存。<" in page)
            page_failed = shown >= 500
        with ledger.lock:
            if saved:
                ledger.acked_saves[marker] = int(report[1])
            elif page_failed:
                # The save answered 302 but the page after it failed (database gone
                # between the two requests): the user does not know; may exist.
                ledger.unconfirmed_saves.append(marker)
            elif status >= 500:
                ledger.unknown_saves.append(marker)
            else:
                # 409: stale version; 400: refused by a rule; 302 to the edit form: a
                # colleague created it first; 302 to the report with an error: not editable.
                ledger.conflict_saves.append(marker)
        if saved and rng.random() < 0.35:
            browser.request(
                "submit",
                "POST",
                f"/reports/{report[1]}/submit/",
                {"csrfmiddlewaretoken": browser.csrf},
            )


def supervisor(browser, spec, ledger, rng, name):
    browser.sign_in(spec["username"])
    seq = 0
    while True:
        status, text, _ = browser.request("queue", "GET", "/reports/review/")
        ids = sorted({int(i) for i in REPORT_ID.findall(text)}) if status == 200 else []
        if not ids:
            time.sleep(0.3)
            continue
        report_id = rng.choice(ids)
        seq += 1
        action = "accept" if rng.random() < 0.6 else "return"
        comment = f"LT-{name}-{seq}"
        status, _, location = browser.request(
            action,
            "POST",
            f"/reports/{report_id}/{action}/",
            {"csrfmiddlewaretoken": browser.csrf, "comment": comment},
        )
        if status == 302 and location.endswith("/reports/review/"):
            with ledger.lock:
                ledger.acked_reviews.append((report_id, action, comment))


def reader(browser, spec, ledger, rng, name):
    browser.sign_in(spec["username"])
    while True:
        browser.request("dashboard", "GET", "/supervision/dashboard/")


def run_client(role, port, spec, ledger, budget, seed, name, errors):
    rng = random.Random(seed)
    try:
        role(Browser(port, ledger, budget), spec, ledger, rng, name)
    except Stop:
        pass
    except Exception as exc:  # a client bug must not hide behind the figures
        errors.append(f"{name}: {exc!r}")


# --- checks --------------------------------------------------------------------------------


def query(cluster, sql):
    import psycopg2

    with (
        psycopg2.connect(host=HOST, port=cluster.port, user="postgres", dbname="huancui_load") as c,
        c.cursor() as cur,
    ):
        cur.execute(sql)
        return cur.fetchall()


def check_writes(cluster, ledger):
    """Each acknowledged save introduced its marker exactly once; no 409 save was written."""
    rows = query(
        cluster,
        "SELECT id, work_done FROM reports_historicalreport ORDER BY id, history_id",
    )
    introduced = {}
    previous = {}
    for report_id, work_done in rows:
        if previous.get(report_id) != work_done and (work_done or "").startswith("LT-"):
            introduced[work_done] = introduced.get(work_done, 0) + 1
        previous[report_id] = work_done
    acked = ledger.acked_saves
    lost = [m for m in acked if introduced.get(m, 0) == 0]
    duplicated = [m for m, n in introduced.items() if n > 1]
    conflict_written = [m for m in ledger.conflict_saves if introduced.get(m, 0)]
    unknown_written = [m for m in ledger.unknown_saves if introduced.get(m, 0)]
    unconfirmed_written = sum(1 for m in ledger.unconfirmed_saves if introduced.get(m, 0))
    events = query(
        cluster,
        "SELECT report_id, action, comment FROM reports_reportevent WHERE comment LIKE 'LT-%%'",
    )
    recorded = {}
    for _, _, comment in events:
        recorded[comment] = recorded.get(comment, 0) + 1
    reviews_lost = [c for _, _, c in ledger.acked_reviews if recorded.get(c, 0) == 0]
    reviews_duplicated = [c for c, n in recorded.items() if n > 1]
    return {
        "acknowledged_saves": len(acked),
        "lost_saves": lost,
        "duplicated_saves": duplicated,
        "refused_saves": len(ledger.conflict_saves),
        "refused_saves_written": conflict_written,
        "error_answered_saves": len(ledger.unknown_saves),
        "error_answered_saves_written": unknown_written,
        "saves_whose_next_page_failed": len(ledger.unconfirmed_saves),
        "saves_whose_next_page_failed_written": unconfirmed_written,
        "acknowledged_reviews": len(ledger.acked_reviews),
        "lost_reviews": reviews_lost,
        "duplicated_reviews": reviews_duplicated,
    }


def percentile(results, fraction):
    latencies = sorted((r.end - r.start) * 1000 for r in results)
    if not latencies:
        return None
    return round(latencies[max(0, int(len(latencies) * fraction + 0.5) - 1)], 1)


def summarise(ledger, started, finished, outage):
    results = ledger.results
    in_outage = []
    outside = []
    for r in results:
        overlaps = outage and r.start <= outage[1] + OUTAGE_GRACE and r.end >= outage[0]
        (in_outage if overlaps else outside).append(r)
    by_status = {}
    for r in results:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    by_kind = {}
    for r in results:
        key = f"{r.kind} {r.status}"
        by_kind[key] = by_kind.get(key, 0) + 1
    recovery = None
    if outage:
        after = [r.end for r in results if r.start >= outage[1] and r.status < 500]
        recovery = round(min(after) - outage[1], 2) if after else None
    return {
        "requests": len(results),
        "seconds": round(finished - started, 1),
        "requests_per_second": round(len(results) / (finished - started), 1),
        "p50_ms": percentile(results, 0.5),
        "p99_ms": percentile(results, 0.99),
        "by_status": dict(sorted(by_status.items())),
        "by_kind_status": dict(sorted(by_kind.items())),
        "conflicts_409": by_status.get(409, 0),
        "5xx_in_outage": sum(1 for r in in_outage if r.status >= 500),
        "requests_in_outage": len(in_outage),
        "5xx_outside_outage": sum(1 for r in outside if r.status >= 500),
        "p50_ms_outside_outage": percentile(outside, 0.5),
        "p99_ms_outside_outage": percentile(outside, 0.99),
        "outage_seconds": round(outage[1] - outage[0], 1) if outage else None,
        "recovery_seconds_after_db_ready": recovery,
    }


def log_lines_between(path, count_from):
    with open(path, encoding="utf-8", errors="replace") as fh:
        lines = fh.read().splitlines()
    return lines[count_from:], len(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (max 600)")
    parser.add_argument("--max-requests", type=int, default=50000)
    parser.add_argument("--reporters", type=int, default=6, help="reporter threads (≤ 6 accounts)")
    parser.add_argument("--supervisors", type=int, default=2)
    parser.add_argument("--readers", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (4 threads each)")
    parser.add_argument("--outage", action="store_true", help="restart PostgreSQL mid-run")
    parser.add_argument("--outage-seconds", type=float, default=8)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    duration = min(args.duration, MAX_DURATION)
    if not GUNICORN.exists():
        sys.exit("gunicorn is not installed in this Python environment")

    workdir = Path(tempfile.mkdtemp(prefix="huancui-load-"))
    cluster = Cluster(workdir)
    gunicorn = None
    try:
        print(f"PostgreSQL cluster in {workdir} on port {cluster.port} …", flush=True)
        cluster.init()
        cluster.start()
        env = portal_env(cluster, workdir)
        accounts = prepare(cluster, env)
        port = free_port()
        gunicorn_log = workdir / "gunicorn.log"
        gunicorn = start_gunicorn(env, port, args.workers, gunicorn_log)
        print(f"gunicorn on http://{HOST}:{port}, load for {duration:.0f} s …", flush=True)

        ledger = Ledger()
        errors = []
        started = time.monotonic()
        budget = Budget(args.max_requests, started + duration)
        plan = (
            [(reporter, s) for s in accounts["reporters"][: args.reporters]]
            + [(supervisor, s) for s in accounts["supervisors"][: args.supervisors]]
            + [(reader, s) for s in (accounts["readers"] * 3)[: args.readers]]
        )
        threads = [
            threading.Thread(
                target=run_client,
                args=(role, port, spec, ledger, budget, args.seed + i, f"c{i}", errors),
                daemon=True,
            )
            for i, (role, spec) in enumerate(plan)
        ]
        for thread in threads:
            thread.start()

        outage = None
        outage_log = []
        if args.outage:
            time.sleep(duration * 0.4)
            _, log_mark = log_lines_between(gunicorn_log, 0)
            down_at = time.monotonic()
            cluster.stop(mode="immediate")
            print(f"PostgreSQL stopped at {down_at - started:.1f} s", flush=True)
            time.sleep(args.outage_seconds)
            cluster.start()
            while not cluster.ready():
                time.sleep(0.05)
            up_at = time.monotonic()
            print(f"PostgreSQL ready again at {up_at - started:.1f} s", flush=True)
            outage = (down_at, up_at)
            time.sleep(OUTAGE_GRACE)
            outage_log, _ = log_lines_between(gunicorn_log, log_mark)
        for thread in threads:
            thread.join(timeout=duration + 60)
        finished = time.monotonic()

        figures = summarise(ledger, started, finished, outage)
        figures["client_errors"] = errors
        if outage:
            failed_in_outage = figures["5xx_in_outage"]
            figures["log_lines_during_outage"] = len(outage_log)
            figures["log_lines_per_failed_request"] = (
                round(len(outage_log) / failed_in_outage, 2) if failed_in_outage else None
            )
            figures["traceback_lines_during_outage"] = sum(
                1 for line in outage_log if line.startswith("Traceback")
            )
        figures["writes"] = check_writes(cluster, ledger)
        print(json.dumps(figures, ensure_ascii=False, indent=1))
        if args.json:
            Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1))
        writes = figures["writes"]
        failed = (
            writes["lost_saves"]
            or writes["duplicated_saves"]
            or writes["refused_saves_written"]
            or writes["error_answered_saves_written"]
            or writes["lost_reviews"]
            or writes["duplicated_reviews"]
            or figures["5xx_outside_outage"]
            or errors
        )
        print("RESULT:", "FAIL" if failed else "OK")
        return 1 if failed else 0
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            try:
                gunicorn.wait(timeout=20)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
            gunicorn.log.close()
        cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
