"""A real `celery -A huancui_vet worker` against Redis runs jobs, and finishes a job whose
worker was killed with SIGKILL mid-run once a worker is back (acks late + the stale claim).

Needs Redis on 127.0.0.1:6379 (uses its own database number, flushed first); skips when
Redis is unreachable unless HUANCUI_REQUIRE_TOOLS=1. Everything runs in subprocesses on a
file SQLite database, so the worker and this test share it.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 13
BROKER = f"redis://127.0.0.1:6379/{REDIS_DB}"
REQUIRE_TOOLS = os.environ.get("HUANCUI_REQUIRE_TOOLS") == "1"


def _redis():
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        if REQUIRE_TOOLS:
            pytest.fail(f"the Celery worker test needs Redis on 127.0.0.1:6379 ({exc})")
        pytest.skip(f"the Celery worker test needs Redis on 127.0.0.1:6379: {exc}")
    return client


@pytest.fixture
def setup(tmp_path):
    client = _redis()
    client.flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jobs.tests.worker_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/worker.sqlite3",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "CELERY_BROKER_URL": BROKER,
        "JOBS_STALE_SECONDS": "3",
        "CELERY_VISIBILITY_TIMEOUT": "4",
        "CELERY_RESTORE_INTERVAL": "1",
        "CELERY_RESTORE_THROTTLE": "1",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    workers = []

    def start_worker(name):
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the worker
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "huancui_vet",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{name}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill -9 takes the children too
        )
        workers.append((process, log))
        return process

    yield env, start_worker, tmp_path
    for process, log in workers:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()
    client.flushdb()


def start_job(env, *, steps, pause):
    """Create a user and start a `test.slow` job the way a view does; returns its id."""
    script = (
        "import django; django.setup()\n"
        "from departments.models import User\n"
        "from jobs.services import job_start\n"
        "user, _ = User.objects.get_or_create(username='worker_test')\n"
        f"job = job_start(kind='test.slow', user=user, params={{'steps': {steps}, "
        f"'pause': {pause}}})\n"
        "print(job.pk)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stdout.strip().splitlines()[-1].replace("-", "")


def job_row(env, job_id):
    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path, timeout=20) as db:
        return db.execute(
            "SELECT status, progress_done, progress_total, attempts, result FROM jobs_job "
            "WHERE replace(id, '-', '') = ?",
            (job_id,),
        ).fetchone()


def wait_for(env, job_id, predicate, timeout, logs):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = job_row(env, job_id)
        if row and predicate(row):
            return row
        time.sleep(0.2)
    details = "\n".join(p.read_text(errors="replace")[-3000:] for p in logs.glob("*.log"))
    raise AssertionError(f"job {job_id} stuck at {job_row(env, job_id)}\n{details}")


def test_a_worker_runs_the_job_and_finishes_it_after_being_killed_mid_run(setup):
    env, start_worker, tmp_path = setup
    worker = start_worker("first")
    quick = start_job(env, steps=2, pause=0.1)
    status, done, total, attempts, result = wait_for(
        env, quick, lambda r: r[0] == "done", 90, tmp_path
    )
    assert (done, total, attempts) == (2, 2, 1)
    assert (tmp_path / "media" / result).read_text() == "attempt 1: 2 steps"

    slow = start_job(env, steps=30, pause=0.2)
    wait_for(env, slow, lambda r: r[0] == "running" and r[1] >= 3, 60, tmp_path)
    os.killpg(worker.pid, signal.SIGKILL)  # kill -9: the worker and its pool child
    worker.wait(timeout=20)
    status, done, total, attempts, _ = job_row(env, slow)
    assert status == "running" and done < total  # left half done by the dead worker

    start_worker("second")
    started = time.monotonic()
    status, done, total, attempts, result = wait_for(
        env, slow, lambda r: r[0] == "done", 120, tmp_path
    )
    # Given back after the visibility timeout, claimed once the heartbeat went stale.
    assert time.monotonic() - started < 60
    assert (done, total, attempts) == (30, 30, 2)  # run again from scratch
    assert (tmp_path / "media" / result).read_text() == "attempt 2: 30 steps"
