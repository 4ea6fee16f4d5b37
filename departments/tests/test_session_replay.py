"""Logging out makes the old session cookie useless: replaying it leads to the login page."""

from django.conf import settings
from django.test import Client
from django.urls import reverse

from huancui_vet.testing import PASSWORD


def test_replaying_the_session_cookie_after_logout_is_sent_to_login(world):
    client = Client()
    client.post(reverse("login"), {"username": "edu_reporter", "password": PASSWORD})
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("reports:my_tasks")).status_code == 200
    client.post(reverse("logout"))

    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    response = attacker.get(reverse("reports:my_tasks"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
