"""Two app hosts, one database, one cache, one bucket: what a user does on one host is true
on the other at once (huancui_vet/tests/multihost.py builds the stack).

Over real HTTP against two gunicorn processes with production-like settings:
- a report saved and submitted through host A is in the review queue and on its page
  through host B (no per-process copy of database data goes stale);
- a session created on host A works on host B, is served from the shared cache without a
  database write per request, and signing out on B ends it on A;
- evidence uploaded through host A is stored in the S3 bucket (nothing on local disk) and
  downloads byte-identical through host B for an allowed user; another unit gets 404;
- a workbook with detail sheets requested on host B is built by the Celery worker (broker on
  Redis), stored in the bucket and downloaded through host A by its creator only.

Runs in the PostgreSQL pass (DATABASE_URL=postgres://…; CI's second step), creating its own
throwaway database on that server; on SQLite it is skipped (the SQLite pass runs the same
code paths in process). Needs Redis (HUANCUI_MULTIHOST_REDIS, default
redis://127.0.0.1:6379/13, which uses databases 13 and 14) and moto's server
(requirements-dev.txt). Select it alone with `pytest -m multihost`.
"""

import hashlib
import html
import os
import re
import subprocess
from urllib.parse import urlsplit

import pytest

from conftest import REQUIRE_TOOLS
from huancui_vet.tests.multihost import HOST, Stack

pytestmark = pytest.mark.multihost

DEMO_PASSWORD = "Huancui-demo-2023"  # noqa: S105 - create_demo_accounts' public demo password
REDIS_URL = os.environ.get("HUANCUI_MULTIHOST_REDIS", "redis://127.0.0.1:6379/13")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n" + b"%" * 30000


def _unavailable(reason):
    if REQUIRE_TOOLS:
        pytest.fail(f"multi-host test: {reason}")
    pytest.skip(f"multi-host test: {reason}")


def _postgres_server():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("multi-host test runs in the PostgreSQL pass (DATABASE_URL=postgres://…)")
    return url


@pytest.fixture(scope="module")
def stack():
    pg_url = _postgres_server()
    try:
        import boto3  # noqa: F401
        import moto.server  # noqa: F401
        import redis
        import requests  # noqa: F401
    except ImportError as exc:
        _unavailable(f"{exc.name} is not installed (pip install -r requirements-dev.txt)")
    built = Stack(pg_url=pg_url, redis_url=REDIS_URL)
    try:
        try:
            built.pg_connect().close()
        except Exception as exc:  # noqa: BLE001 - any failure means: no server to use
            pg = f"{built.pg['host']}:{built.pg['port']}"
            _unavailable(f"PostgreSQL at {pg} unavailable ({exc})")
        try:
            built.flush_redis()
        except redis.RedisError as exc:
            _unavailable(f"Redis at {built.redis_server} unavailable ({exc})")
        built.start_s3()
        try:
            built.prepare_database()
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"preparing the database failed:\n{exc.stderr.decode()}") from exc
        yield built
    finally:
        built.close()


@pytest.fixture(scope="module")
def hosts(stack):
    """Two app hosts, "a" and "b", on the same database, cache and bucket."""
    stack.start_host("a")
    stack.start_host("b")
    return stack


@pytest.fixture(scope="module")
def worker(hosts):
    """The background worker on the same stack (`celery -A huancui_vet worker`, broker
    CELERY_BROKER_URL = the second reserved Redis database). A test that needs a job built by
    the worker and downloaded from the other host takes this fixture next to `hosts`."""
    try:
        import celery  # noqa: F401
    except ImportError:
        _unavailable("celery is not installed")
    return hosts.start_worker()


@pytest.fixture(autouse=True)
def _process_logs(stack):
    """The processes' logs, shown by pytest only when the test fails (captured output)."""
    yield
    print(stack.logs())


class Browser:
    """A user's browser: one cookie jar for the portal's address, whichever host answers (as
    behind the load balancer), CSRF tokens taken from the forms."""

    def __init__(self, stack):
        import requests

        self.stack = stack
        self.http = requests.Session()

    def get(self, host, path, **kwargs):
        return self.http.get(
            self.stack.url(host, path), allow_redirects=False, timeout=30, **kwargs
        )

    def post(self, host, path, data=None, **kwargs):
        data = {**(data or {}), "csrfmiddlewaretoken": self.http.cookies.get("csrftoken", "")}
        return self.http.post(
            self.stack.url(host, path), data=data, allow_redirects=False, timeout=30, **kwargs
        )

    def sign_in(self, host, username):
        self.get(host, "/accounts/login/")  # sets the CSRF cookie
        response = self.post(
            host, "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, response.text[:500]
        return self.http.cookies["sessionid"]

    def form_fields(self, host, path):
        """Every named input, select and textarea of the page's first POST form, with its
        current value (what a browser would send unchanged)."""
        page = self.get(host, path)
        assert page.status_code == 200, page.status_code
        fields = {}
        for attrs in re.findall(r"<input\b([^>]*)>", page.text):
            name, value = (
                re.search(r'\bname="([^"]+)"', attrs),
                re.search(r'\bvalue="([^"]*)"', attrs),
            )
            if name and not re.search(r'type="(submit|file|checkbox|search)"', attrs):
                fields[name[1]] = html.unescape(value[1]) if value else ""
        for name, body in re.findall(
            r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page.text, re.S
        ):
            chosen = re.search(r'<option[^>]*value="([^"]*)"[^>]*selected', body)
            fields[name] = chosen[1] if chosen else ""
        for name, body in re.findall(
            r'<textarea\b[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page.text, re.S
        ):
            fields[name] = html.unescape(body).strip()
        return fields


def location(response):
    return urlsplit(response.headers["Location"]).path


def new_draft(browser, host, marker, *, task=None):
    """Through `host`: open the first period of a task page (`task`, or the first task on
    My tasks offering one) that has no report yet and save a draft whose text carries
    `marker`; returns the report's id."""
    if task is None:
        page = browser.get(host, "/reports/mine/")
        assert page.status_code == 200
        tasks = list(dict.fromkeys(re.findall(r'href="/reports/tasks/(\d+)/"', page.text)))
    else:
        tasks = [task]
    for pk in tasks:
        page = browser.get(host, f"/reports/tasks/{pk}/")
        create = re.search(r'href="(/reports/tasks/\d+/periods/[\d-]+/)"', page.text)
        if create:
            break
    else:
        raise AssertionError(f"no period to report on (tasks {tasks})")
    fields = browser.form_fields(host, create[1])
    fields.update(progress_status="on_track", percent="30", work_done=f"完成情况 {marker}")
    response = browser.post(host, create[1], fields)
    assert response.status_code == 302, (fields, response.text[-3000:])
    found = re.fullmatch(r"/reports/(\d+)/", location(response))
    assert found, location(response)
    return int(found[1])


def test_a_report_submitted_on_host_a_is_in_the_review_queue_on_host_b_at_once(hosts):
    supervisor, reporter = Browser(hosts), Browser(hosts)
    supervisor.sign_in("b", "supervisor")
    before = supervisor.get("b", "/reports/review/")  # B has served the queue before
    assert before.status_code == 200

    reporter.sign_in("a", "edu_reporter")
    pk = new_draft(reporter, "a", "甲主机保存")
    assert reporter.post("a", f"/reports/{pk}/submit/").status_code == 302

    queue = supervisor.get("b", "/reports/review/")
    assert queue.status_code == 200
    assert f'href="/reports/{pk}/"' not in before.text
    assert f'href="/reports/{pk}/"' in queue.text
    page = supervisor.get("b", f"/reports/{pk}/")
    assert page.status_code == 200
    assert "甲主机保存" in page.text and "已报送待审核" in page.text


def test_a_session_from_host_a_works_on_host_b_and_sign_out_on_b_ends_it_on_a(hosts):
    browser = Browser(hosts)
    key = browser.sign_in("a", "leader")
    # Served from the shared cache: the session is in Redis ...
    cached = [k.decode() for k in hosts.redis().keys("*sessions.cached_db*")]
    assert any(k.endswith(key) for k in cached), cached
    expiry = hosts.sql("SELECT expire_date FROM django_session WHERE session_key = %s", [key])
    assert len(expiry) == 1  # ... and written through to the database

    for host in ("b", "a", "b", "a"):
        response = browser.get(host, "/notifications/")
        assert response.status_code == 200, (host, response.status_code, response.headers)
        assert "刘区长" in response.text
    # Reading pages on both hosts wrote nothing (the refresh interval has not passed).
    assert (
        hosts.sql("SELECT expire_date FROM django_session WHERE session_key = %s", [key]) == expiry
    )

    assert browser.post("b", "/accounts/logout/").status_code == 302
    stale = Browser(hosts)
    stale.http.cookies.set("sessionid", key, domain=HOST)
    response = stale.get("a", "/notifications/")
    assert response.status_code == 302
    assert location(response) == "/accounts/login/"
    assert not [k for k in hosts.redis().keys("*sessions.cached_db*") if k.decode().endswith(key)]


def test_evidence_uploaded_on_host_a_is_in_the_bucket_and_downloads_on_host_b(hosts):
    # Task 11: led by 区教育体育局, supported by 区财政局 only; 区人社局 is not on it.
    task = hosts.sql("SELECT id FROM tasks_task WHERE number = 11")[0][0]
    units = hosts.sql(
        "SELECT d.name FROM tasks_taskassignment a JOIN departments_department d"
        " ON d.id = a.department_id WHERE a.task_id = %s ORDER BY d.name",
        [task],
    )
    assert [name for (name,) in units] == ["区教育体育局", "区财政局"]
    reporter = Browser(hosts)
    reporter.sign_in("a", "edu_reporter")
    pk = new_draft(reporter, "a", "佐证上传", task=task)
    response = reporter.post(
        "a",
        f"/reports/{pk}/evidence/",
        files={"file": ("会议纪要.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    page = reporter.get("a", f"/reports/{pk}/")
    (evidence_id,) = re.findall(r'href="/reports/evidence/(\d+)/"', page.text)

    s3 = hosts.s3()
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="huancui-multihost").get("Contents", [])]
    stored = [k for k in keys if k.startswith("evidence/")]
    assert len(stored) == 1, keys
    assert s3.get_object(Bucket="huancui-multihost", Key=stored[0])["Body"].read() == PDF
    assert not os.path.exists(hosts.env["MEDIA_ROOT"])  # nothing landed on a host's disk

    download = reporter.get("b", f"/reports/evidence/{evidence_id}/")
    assert download.status_code == 200
    assert hashlib.sha256(download.content).digest() == hashlib.sha256(PDF).digest()
    assert "attachment" in download.headers["Content-Disposition"]
    supervisor = Browser(hosts)
    supervisor.sign_in("b", "supervisor")
    assert supervisor.get("b", f"/reports/evidence/{evidence_id}/").content == PDF

    other = Browser(hosts)
    other.sign_in("b", "hr_reporter")  # another unit, not on the task
    refused = other.get("b", f"/reports/evidence/{evidence_id}/")
    assert refused.status_code in (403, 404)
    assert PDF[:20] not in refused.content


def test_a_workbook_requested_on_host_b_is_built_by_the_worker_and_downloaded_on_host_a(
    hosts, worker
):
    import io
    import json
    import time

    import openpyxl

    leader = Browser(hosts)
    leader.sign_in("b", "leader")
    started = leader.post("b", "/supervision/export.xlsx?details=1")
    assert started.status_code == 302, started.text[:500]
    found = re.fullmatch(r"/jobs/([0-9a-f-]{36})/", location(started))
    assert found, location(started)
    job = found[1]

    # Host A answers the progress poll; the worker (not a host's thread) builds the file.
    deadline = time.monotonic() + 60
    while True:
        status = json.loads(leader.get("a", f"/jobs/{job}/status.json").text)
        if status["finished"] or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status["status"] == "done", (status, worker.log()[-3000:])
    assert job in worker.log()

    s3 = hosts.s3()
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="huancui-multihost").get("Contents", [])]
    assert any(key.endswith(f"jobs/{job}-a1.xlsx") for key in keys), keys

    download = leader.get("a", status["download_url"])
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "no-store"
    workbook = openpyxl.load_workbook(io.BytesIO(download.content), read_only=True)
    assert "汇总" in workbook.sheetnames and "填报明细" in workbook.sheetnames
    summary = "\n".join(
        str(cell) for row in workbook["汇总"].iter_rows(values_only=True) for cell in row if cell
    )
    assert "环翠区" in summary

    # The job is its creator's only: another signed-in user gets 404 on either host.
    other = Browser(hosts)
    other.sign_in("a", "supervisor")
    assert other.get("a", f"/jobs/{job}/").status_code == 404
    assert other.get("b", status["download_url"]).status_code == 404
