"""Every error page is Chinese: bad Host, malformed multipart bodies, CSRF failures; and the
production cookie names."""

import subprocess
import sys

from django.test import Client
from django.urls import reverse

from huancui_vet.testing import PASSWORD

BAD_REQUEST_TEXT = "请求无效"


def test_an_unknown_host_gets_the_chinese_400_page(db):
    response = Client().get("/accounts/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert BAD_REQUEST_TEXT in response.content.decode()
    assert "Bad Request" not in response.content.decode()


def test_oversized_multipart_part_headers_get_the_chinese_400_page(world):
    client = Client()
    client.force_login(world.reporter)
    boundary = "BoUnDaRy"
    huge_header = "X-Padding: " + "a" * 2_000_000
    body = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="work_done"\r\n{huge_header}\r\n\r\n'
        f"x\r\n--{boundary}--\r\n"
    ).encode()
    url = reverse("reports:report_create", args=[world.task1.pk, "2023-06-01"])
    response = client.generic(
        "POST", url, body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 400
    assert BAD_REQUEST_TEXT in response.content.decode()


def test_a_post_without_a_csrf_token_gets_the_chinese_csrf_page(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "edu_reporter", "password": PASSWORD})
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期，请刷新后重试" in html
    assert "CSRF verification failed" not in html
    assert "_auth_user_id" not in client.session


def test_production_cookies_are_secure_httponly_lax_with_the_host_prefix():
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE,"
        " s.CSRF_COOKIE_SAMESITE, s.SESSION_COOKIE_PATH, s.SESSION_COOKIE_DOMAIN)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "huancui_vet.settings", "SECRET_KEY": "k" * 50}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",  # Secure
        "True",
        "True",  # HttpOnly session cookie
        "Lax",
        "Lax",
        "/",  # __Host- cookies need path "/" and no Domain
        "None",
    ]
