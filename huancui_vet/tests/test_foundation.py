"""The skeleton: configuration errors, deploy checks, health check, static files, login."""

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parents[2]


# Variables the test settings module sets for itself; a subprocess must not inherit them.
TEST_ONLY_VARS = {
    "SECRET_KEY",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    # The browser fixtures set this for Playwright; it must not leak into other processes.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def clean_env():
    return {k: v for k, v in os.environ.items() if k not in TEST_ONLY_VARS}


def run_manage(*args, **env_overrides):
    env = clean_env()
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_secret_key_with_debug_off_stops_with_one_sentence():
    result = run_manage("check", DEBUG="false")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "SECRET_KEY" in lines[0] and "set" in lines[0]


def test_debug_mode_runs_without_secret_key():
    result = run_manage("check", DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_deploy_check_is_clean_with_production_environment():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="k" * 20 + "-Production-Secret-Value-9f8e7d6c5b4a3210",
        ALLOWED_HOSTS="vet.huancui.gov.cn",
        CSRF_TRUSTED_ORIGINS="https://vet.huancui.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_healthz_reports_database_ok(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_healthz_returns_503_when_the_database_fails(client, db):
    with mock.patch("huancui_vet.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_healthz_returns_503_with_unreachable_database_url():
    script = (
        "import django;django.setup();"
        "from django.test import Client;"
        "r=Client().get('/healthz', HTTP_HOST='127.0.0.1');"
        "print(r.status_code, r.json()['database'])"
    )
    env = clean_env()
    env.update(
        DJANGO_SETTINGS_MODULE="huancui_vet.settings",
        DEBUG="true",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/nothing",
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "503 unavailable", result.stderr


def test_collectstatic_with_manifest_storage(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("css/portal.*.css.gz"))


def test_no_pending_migrations(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_login_page_is_chinese_and_public(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "登录督查平台" in body
    assert f'lang="{settings.LANGUAGE_CODE}"' in body  # zh-hans: matches the UI language


def test_anonymous_user_is_sent_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_security_headers_on_pages(client, db):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "role_attr, target",
    [
        ("reporter", "reports:my_tasks"),
        ("head", "reports:my_tasks"),
        ("neutral_supervisor", "reports:review_queue"),
        ("leader", "supervision:dashboard"),
    ],
)
def test_home_sends_each_role_to_its_page(client, world, role_attr, target):
    client.force_login(getattr(world, role_attr))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(target)


def test_user_without_role_sees_chinese_explanation(client, db):
    from departments.models import User

    user = User.objects.create_user("norole", password="x-Huancui-123")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "尚未分配角色" in response.content.decode()


def test_env_example_lists_every_variable_the_code_reads():
    import re

    readers = re.compile(r"""(?:env(?:\.\w+)?|environ\.get|\bget)\(\s*["']([A-Z][A-Z0-9_]+)["']""")
    sources = [
        BASE_DIR / "gunicorn.conf.py",
        *BASE_DIR.glob("*/settings.py"),
        BASE_DIR / "huancui_vet" / "object_storage.py",  # the bucket's settings
    ]
    read = {name for path in sources for name in readers.findall(path.read_text())}
    documented = set(
        re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", (BASE_DIR / ".env.example").read_text(), re.M)
    )
    # the scan itself works
    assert {"SECRET_KEY", "GUNICORN_WORKERS", "AWS_STORAGE_BUCKET_NAME"} <= read
    assert read - documented == set()


def test_a_request_body_over_the_upload_limit_is_refused_before_it_is_read(client, world):
    from django.conf import settings as django_settings

    client.force_login(world.reporter)
    response = client.generic(
        "POST",
        reverse("reports:bulk_upload"),
        data=b"x" * 10,
        content_type="multipart/form-data; boundary=zzz",
        CONTENT_LENGTH=str(django_settings.MAX_REQUEST_BYTES + 1),
    )
    assert response.status_code == 413
    assert "文件过大" in response.content.decode()
