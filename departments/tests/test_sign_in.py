"""Signing in: login page, axes lock-out, session expiry, own password change, logout.

The lock-out tests post to the real login form (axes needs a request). Every other test
uses force_login: `client.login()` runs authenticate() without a request, which axes refuses.
"""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from huancui_vet.testing import PASSWORD

LOGIN = reverse("login")


def attempt(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_page_is_chinese_and_open_to_anonymous(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "登录督查平台" in response.text
    assert 'autocomplete="current-password"' in response.text


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("reports:bulk_entry"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN + "?next=")


def test_correct_password_signs_in_and_cycles_the_session_key(client, world):
    client.get(LOGIN)
    before = client.session.session_key
    response = attempt(client, "edu_reporter", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(world.reporter.pk)
    assert client.session.session_key != before


def test_wrong_password_shows_a_chinese_error(client, world):
    response = attempt(client, "edu_reporter", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.text


def test_lock_out_after_the_failure_limit_with_the_chinese_page(client, world):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert attempt(client, "edu_reporter", "wrong-password").status_code == 200
    response = attempt(client, "edu_reporter", "wrong-password")
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.text
    assert f"连续 {limit} 次输入错误的密码" in response.text
    assert "请 15 分钟后再试" in response.text
    # The correct password is refused during the cool-off.
    response = attempt(client, "edu_reporter", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lock_out_is_per_username_and_ends_after_the_cool_off(client, world):
    with time_machine.travel(datetime.datetime(2024, 3, 1, 9, 0, tzinfo=datetime.UTC)) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            attempt(client, "edu_reporter", "wrong-password")
        assert attempt(client, "edu_reporter", PASSWORD).status_code == 429
        # Another account from the same office address is not locked.
        assert attempt(client, "edu_head", PASSWORD).status_code == 302
        client.post(reverse("logout"))
        clock.shift(settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1))
        assert attempt(client, "edu_reporter", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_failure_count(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "edu_reporter", "wrong-password")
    assert attempt(client, "edu_reporter", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "edu_reporter", "wrong-password").status_code == 200
    assert attempt(client, "edu_reporter", PASSWORD).status_code == 302


def test_session_expires_after_inactivity_and_each_request_extends_it(client, world):
    url = reverse("password_change")
    with time_machine.travel(datetime.datetime(2024, 3, 1, 9, 0, tzinfo=datetime.UTC)) as clock:
        client.force_login(world.reporter)
        assert client.get(url).status_code == 200
        assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
        almost = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
        clock.shift(almost)
        assert client.get(url).status_code == 200  # activity slides the expiry
        clock.shift(almost)
        assert client.get(url).status_code == 200
        clock.shift(datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def test_user_changes_own_password_and_other_sessions_end(client, world):
    other_device = Client()
    other_device.force_login(world.reporter)
    client.force_login(world.reporter)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Weihai-harbour-2024",
            "new_password2": "Weihai-harbour-2024",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert "其他设备上的登录已失效" in client.get(reverse("password_change_done")).text
    world.reporter.refresh_from_db()
    assert world.reporter.check_password("Weihai-harbour-2024")
    response = other_device.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_password_change_refuses_a_weak_password_in_chinese(client, world):
    client.force_login(world.reporter)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "这个密码太常见了" in response.text or "密码全部为数字" in response.text
    world.reporter.refresh_from_db()
    assert world.reporter.check_password(PASSWORD)


def test_logout_is_post_only(client, world):
    client.force_login(world.reporter)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.get(reverse("password_change")).status_code == 302


@pytest.mark.parametrize("persona", ["reporter", "supervisor", "leader", "admin"])
def test_signed_in_user_visiting_login_is_sent_home(client, world, persona):
    client.force_login(getattr(world, persona))
    response = client.get(LOGIN)
    assert response.status_code == 302
