"""Throttles beyond axes: password spraying from one IP, wrong old passwords on password change,
and the client IP behind a trusted proxy (audit rows and lock-out keys)."""

from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.urls import reverse

from departments.models import SecurityEvent
from huancui_vet.testing import PASSWORD

LOGIN = reverse("login")
CHANGE = reverse("password_change")


def attempt(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@override_settings(LOGIN_IP_FAILURE_LIMIT=6)
def test_spraying_many_usernames_from_one_ip_is_throttled(client, world):
    names = ["edu_reporter", "hr_reporter", "supervisor", "leader", "nobody1", "nobody2"]
    for name in names:  # one wrong password per name: axes' username+IP lock never fires
        assert attempt(client, name, "Spring2023!").status_code == 200
    refused = attempt(client, "edu_reporter", PASSWORD)  # even the right password
    assert refused.status_code == 429
    assert "登录失败次数过多" in refused.text
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.THROTTLED).count() == 1
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert attempt(other, "edu_reporter", PASSWORD).status_code == 302


@override_settings(PASSWORD_CHANGE_FAILURE_LIMIT=3)
def test_wrong_old_passwords_on_password_change_are_audited_and_throttled(client, world):
    client.force_login(world.reporter)
    new = {"new_password1": "Xk2-new-passphrase-9", "new_password2": "Xk2-new-passphrase-9"}
    for _ in range(3):
        response = client.post(CHANGE, {"old_password": "guess", **new})
        assert response.status_code == 200
    failed = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PASSWORD_CHANGE_FAILED)
    assert failed.count() == 3 and {e.user for e in failed} == {world.reporter}
    refused = client.post(CHANGE, {"old_password": PASSWORD, **new})
    assert refused.status_code == 429
    assert "原密码连续输错次数过多" in refused.text
    world.reporter.refresh_from_db()
    assert world.reporter.check_password(PASSWORD)  # unchanged even with the right old password


BEHIND_PROXY = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.7, 10.0.0.2"}


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_behind_a_trusted_proxy_the_forwarded_client_ip_is_audited_and_locks_out(world):
    client = Client(**BEHIND_PROXY)
    attempt(client, "edu_reporter", "wrong")
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGIN_FAILED)
    assert event.ip_address == "203.0.113.7"
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    # Another client behind the same proxy is a different lock-out key.
    for _ in range(6):
        attempt(client, "edu_reporter", "wrong")
    assert attempt(client, "edu_reporter", PASSWORD).status_code != 302  # locked out
    colleague = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert attempt(colleague, "edu_reporter", PASSWORD).status_code == 302


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_the_forwarded_header_from_an_untrusted_peer_is_ignored(world):
    client = Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="203.0.113.7")
    attempt(client, "edu_reporter", "wrong")
    assert SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGIN_FAILED).ip_address == (
        "192.0.2.50"
    )
    assert AccessAttempt.objects.get().ip_address == "192.0.2.50"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_proxy_count_takes_the_address_the_last_proxy_saw(world):
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    attempt(client, "edu_reporter", "wrong")
    assert SecurityEvent.objects.get().ip_address == "203.0.113.9"


def test_without_proxy_settings_the_header_is_ignored(world):
    client = Client(REMOTE_ADDR="192.0.2.60", HTTP_X_FORWARDED_FOR="203.0.113.7")
    attempt(client, "edu_reporter", "wrong")
    assert SecurityEvent.objects.get().ip_address == "192.0.2.60"
