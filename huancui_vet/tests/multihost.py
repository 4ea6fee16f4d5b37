"""A province installation in miniature, for huancui_vet/tests/test_multihost.py.

`Stack` owns everything the multi-host test starts and always stops it again: a throwaway
PostgreSQL database (created, migrated, loaded with the plan and the demo accounts, dropped at
the end), dedicated Redis database numbers (flushed before and after), an S3 server (moto's
server mode) with the bucket created, and any number of processes — gunicorn app hosts, and
later a Celery worker — all sharing one environment (`Stack.env`) with production-like
settings (DEBUG off, the same SECRET_KEY, no HTTPS on loopback).

Adding a process is one call: `stack.start(name, argv, ready=...)`; `stack.start_host(name)`
is that call for gunicorn, and `stack.start_worker()` for `celery -A huancui_vet worker`.
Every process writes its output to a log file that is printed when a test fails.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
BUCKET = "huancui-multihost"
REGION = "us-east-1"
START_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=0.5).close()
    except OSError:
        return False
    return True


def http_ok(port: int, path: str) -> bool:
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=2)
        conn.request("GET", path, headers={"Host": HOST})
        status = conn.getresponse().status
        conn.close()
    except OSError:
        return False
    return status == 200


class Process:
    """One started process, its log, and how to stop it (the whole process group)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() reaches gunicorn's workers
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, ready: Callable[[], bool], timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.popen.returncode}):\n{self.log()}")
            if ready():
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        self._log.close()


class Stack:
    """The shared services and the processes of one multi-host test module.

    `pg_url` is a PostgreSQL server (postgres://user@host:port) where a database may be
    created; `redis_url` a Redis server with the first of two database numbers reserved for
    this test (cache + sessions, then the Celery broker).
    """

    def __init__(self, *, pg_url: str, redis_url: str):
        self.tmp = Path(tempfile.mkdtemp(prefix="huancui-multihost-"))
        self.processes: dict[str, Process] = {}
        self.hosts: dict[str, int] = {}  # app host name -> port
        server = urlsplit(pg_url)
        self.pg = {
            "host": server.hostname or HOST,
            "port": server.port or 5432,
            "user": server.username or "postgres",
        }
        self.database = f"huancui_multihost_{os.getpid()}_{secrets.token_hex(3)}"
        redis = urlsplit(redis_url)
        self.redis_server = f"{redis.scheme}://{redis.netloc}"
        self.redis_db = int((redis.path or "/13").strip("/") or 13)
        self.s3_port = free_port()
        password = f":{server.password}" if server.password else ""
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "huancui_vet.settings",
            "PYTHONPATH": str(ROOT),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),  # one key for every host
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": (
                f"postgres://{self.pg['user']}{password}@{self.pg['host']}:{self.pg['port']}"
                f"/{self.database}"
            ),
            "CONN_MAX_AGE": "60",
            "CACHE_URL": f"{self.redis_server}/{self.redis_db}",
            "CELERY_BROKER_URL": f"{self.redis_server}/{self.redis_db + 1}",
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": f"http://{HOST}:{self.s3_port}",
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": "multihost",
            "AWS_SECRET_ACCESS_KEY": "multihost-secret",
            "STATIC_ROOT": str(self.tmp / "static"),
            "MEDIA_ROOT": str(self.tmp / "media-must-stay-empty"),
        }
        # Settings the pytest process itself was given must not leak into the hosts.
        for name in ("DJANGO_CONFIGURATION", "HUANCUI_CHROMIUM"):
            self.env.pop(name, None)

    # --- processes -------------------------------------------------------------------------

    def start(self, name: str, argv: list[str], *, ready: Callable[[], bool], env=None) -> Process:
        """Start a process with the stack's environment and wait until `ready()` is true."""
        process = Process(name, argv, {**self.env, **(env or {})}, self.tmp)
        self.processes[name] = process
        process.wait_ready(ready)
        return process

    def start_host(self, name: str, *, workers: int = 1, threads: int = 2) -> int:
        """An app host: gunicorn with gunicorn.conf.py, as in production; returns its port."""
        port = free_port()
        env = {
            "GUNICORN_BIND": f"{HOST}:{port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": str(threads),
            "GUNICORN_ACCESS_LOG": "-",
            "GUNICORN_MAX_REQUESTS": "0",
        }
        # No control socket: its default path is one per user, shared by every gunicorn.
        argv = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--no-control-socket"]
        self.start(name, argv, env=env, ready=lambda: http_ok(port, "/healthz"))
        self.hosts[name] = port
        return port

    def start_worker(self, name: str = "worker") -> Process:
        """The background worker (`celery -A huancui_vet worker`), one process, solo pool."""
        argv = [str(BIN / "celery"), "-A", "huancui_vet", "worker", "--pool=solo"]
        argv += ["--concurrency=1", "--loglevel=INFO", "--without-heartbeat", "--without-gossip"]
        log = self.tmp / f"{name}.log"
        return self.start(name, argv, ready=lambda: "ready." in _read(log))

    def start_s3(self) -> None:
        """moto's S3 server on a free loopback port, with the portal's bucket."""
        argv = [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(self.s3_port)]
        self.start("s3", argv, ready=lambda: port_open(self.s3_port))
        self.s3().create_bucket(Bucket=BUCKET)

    def s3(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.env["AWS_S3_ENDPOINT_URL"],
            region_name=REGION,
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
        )

    def url(self, host: str, path: str) -> str:
        return f"http://{HOST}:{self.hosts[host]}{path}"

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{p.log()[-4000:]}" for name, p in self.processes.items())

    # --- database and cache ----------------------------------------------------------------

    def pg_connect(self, dbname: str = "postgres"):
        import psycopg2

        connection = psycopg2.connect(dbname=dbname, connect_timeout=3, **self.pg)
        connection.autocommit = True
        return connection

    def sql(self, query: str, params=(), *, dbname: str | None = None) -> list[tuple]:
        """Rows of one query on the stack's database (for facts the test checks)."""
        connection = self.pg_connect(dbname or self.database)
        try:
            with connection.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def redis(self, offset: int = 0):
        import redis

        return redis.Redis.from_url(f"{self.redis_server}/{self.redis_db + offset}")

    def prepare_database(self) -> None:
        """Create, migrate and load the throwaway database (plan + demo accounts) and collect
        the static files, in one Django process."""
        self.sql(f'CREATE DATABASE "{self.database}"', dbname="postgres")
        script = (
            "import django; django.setup()\n"
            "from django.core.management import call_command as c\n"
            "c('migrate', verbosity=0); c('load_plan', verbosity=0)\n"
            "c('create_demo_accounts', force=True, verbosity=0)\n"
            "c('collectstatic', interactive=False, verbosity=0)\n"
        )
        subprocess.run(  # noqa: S603 - this interpreter, a fixed script
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            timeout=120,
        )

    def flush_redis(self) -> None:
        for offset in (0, 1):
            self.redis(offset).flushdb()

    def close(self) -> None:
        """Stop every process (newest first), drop the database, empty the Redis databases."""
        for process in reversed(list(self.processes.values())):
            process.stop()
        with contextlib.suppress(Exception):
            self.flush_redis()
        with contextlib.suppress(Exception):
            self.sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)', dbname="postgres")
        shutil.rmtree(self.tmp, ignore_errors=True)


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
