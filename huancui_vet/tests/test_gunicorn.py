"""The production path: gunicorn with the repository's config and production settings."""

import gzip
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(tmp_path, **overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "SESSION_", "CSRF_", "DJANGO_", "DATABASE_", "DEBUG"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="gunicorn-test-" + "z" * 40,
        ALLOWED_HOSTS="vet.example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        GUNICORN_WORKERS="1",
        GUNICORN_ACCESS_LOG="/dev/null",
    )
    env.update(overrides)
    return env


def get(port, path, host="127.0.0.1"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path, headers={"Host": host})
    response = conn.getresponse()
    return response.status, response.read().decode()


def serve(env):
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed in this environment")
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    process = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, port
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    process.kill()
    pytest.fail("gunicorn did not start: " + (process.stdout.read() or ""))


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def test_healthz_is_200_under_gunicorn_with_production_settings(tmp_path):
    process, port = serve(production_env(tmp_path))
    try:
        status, body = get(port, "/healthz")
        assert status == 200
        assert '"database": "ok"' in body
        # Other pages still get the production protections: unknown host refused.
        status, _ = get(port, "/accounts/login/")
        assert status == 400
        # The right host over plain HTTP is redirected to HTTPS.
        status, _ = get(port, "/accounts/login/", host="vet.example.gov.cn")
        assert status == 301
    finally:
        stop(process)


def test_healthz_is_503_under_gunicorn_with_a_broken_database_url(tmp_path):
    env = production_env(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/nothing")
    process, port = serve(env)
    try:
        status, body = get(port, "/healthz")
        assert status == 503
        assert '"database": "unavailable"' in body
    finally:
        stop(process)


def test_gunicorn_refuses_to_start_without_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = subprocess.run(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{free_port()}"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_gunicorn_serves_hashed_static_files_gzipped_with_far_future_caching(tmp_path):
    # As behind the HTTPS proxy: the proxy marks the request as HTTPS, so no redirect.
    env = production_env(tmp_path, BEHIND_HTTPS_PROXY="true")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=120,
    )
    process, port = serve(env)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/healthz")  # warm up
        conn.getresponse().read()
        manifest = (tmp_path / "static" / "staticfiles.json").read_text()
        hashed = re.search(r'"css/portal\.css": "([^"]+)"', manifest)[1]
        conn.request(
            "GET",
            f"/static/{hashed}",
            headers={
                "Host": "vet.example.gov.cn",
                "Accept-Encoding": "gzip",
                "X-Forwarded-Proto": "https",
            },
        )
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200
        assert response.getheader("Content-Encoding") == "gzip"
        assert "max-age=315360000" in response.getheader("Cache-Control")
        assert "immutable" in response.getheader("Cache-Control")
        assert gzip.decompress(body).startswith(b"/*") or len(gzip.decompress(body)) > 100
    finally:
        stop(process)


def test_each_worker_freezes_its_start_up_heap():
    """post_worker_init moves the loaded objects out of the collector's generations, so a
    full collection during a request no longer walks Django's start-up objects."""
    import gc
    import runpy

    config = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
