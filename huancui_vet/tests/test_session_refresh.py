"""Sessions slide their idle expiry without an UPDATE on every request; the cache is shared."""

import datetime
import socket

import environ
import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

START = datetime.datetime(2024, 3, 1, 9, 0, tzinfo=datetime.UTC)


def session_writes(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [
        q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]
    ]


def test_requests_within_the_refresh_interval_write_nothing(client, world):
    url = reverse("reports:my_tasks")
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(world.reporter)
        # Signing in started the interval: the first page writes nothing either.
        assert session_writes(client, url) == []
        for _ in range(3):
            clock.shift(datetime.timedelta(seconds=settings.SESSION_REFRESH_SECONDS // 4))
            assert session_writes(client, url) == []


def test_a_request_after_the_interval_slides_the_expiry(client, world):
    url = reverse("reports:my_tasks")
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(world.reporter)
        client.get(url)
        key = client.session.session_key
        first_expiry = Session.objects.get(pk=key).expire_date
        clock.shift(datetime.timedelta(seconds=settings.SESSION_REFRESH_SECONDS + 1))
        assert len(session_writes(client, url)) == 1
        moved = Session.objects.get(pk=key).expire_date - first_expiry
        assert moved == datetime.timedelta(seconds=settings.SESSION_REFRESH_SECONDS + 1)


@pytest.mark.django_db
def test_anonymous_requests_create_no_session(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert Session.objects.count() == 0


def test_refresh_interval_is_a_twentieth_of_the_idle_timeout_by_default():
    assert settings.SESSION_REFRESH_SECONDS == settings.SESSION_COOKIE_AGE // 20
    assert settings.SESSION_SAVE_EVERY_REQUEST is False


def _redis_up():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_cache_url_gives_two_hosts_one_redis_cache():
    """What two app hosts with the same CACHE_URL build: a value set by one is read by the other."""
    config = environ.Env.cache_url_config("redis://127.0.0.1:6379/15")
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    host_a = RedisCache(config["LOCATION"], {"KEY_PREFIX": "hv-test"})
    host_b = RedisCache(config["LOCATION"], {"KEY_PREFIX": "hv-test"})
    host_a.set("shared", "从一号主机写入", 30)
    assert host_b.get("shared") == "从一号主机写入"
    host_b.delete("shared")
    assert host_a.get("shared") is None


def test_without_cache_url_the_cache_is_local_memory():
    assert settings.CACHES["default"]["BACKEND"] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )
