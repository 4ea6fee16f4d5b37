"""Failing calmly: a database outage gives every user the Chinese 503 page with one log line,
and a committed save is never answered with an error."""

import logging
from contextlib import contextmanager
from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from reports.models import Report

OUTAGE_TEXT = "系统暂时无法访问，请稍后再试"


@contextmanager
def database_down():
    """Every query on the test connection fails the way a dead PostgreSQL does."""

    def refuse(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(refuse):
        yield


def outage_client(user=None):
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("persona", [None, "reporter", "supervisor", "leader"])
def test_every_user_gets_the_chinese_503_page_and_one_log_line(world, caplog, persona):
    client = outage_client(getattr(world, persona) if persona else None)
    caplog.set_level(logging.WARNING, logger="django.request")
    with database_down():
        if persona is None:  # signing in is what needs the database for an anonymous user
            response = client.post(reverse("login"), {"username": "x", "password": "y"})
        else:
            response = client.get(reverse("reports:my_tasks"))
    assert response.status_code == 503
    assert OUTAGE_TEXT in response.content.decode()
    assert response["Retry-After"] == "10"
    request_records = [r for r in caplog.records if r.name == "django.request"]
    assert len(request_records) == 1
    assert request_records[0].exc_info is None
    assert "\n" not in request_records[0].getMessage()
    assert "OperationalError" in request_records[0].getMessage()


def test_a_post_during_the_outage_gets_503_too(world, caplog):
    client = outage_client(world.reporter)
    url = reverse("reports:report_create", args=[world.task1.pk, "2023-06-01"])
    with database_down():
        response = client.post(url, {"version": 0, "work_done": "x"})
    assert response.status_code == 503
    assert OUTAGE_TEXT in response.content.decode()


def test_healthz_says_503_during_the_outage_and_everything_recovers_after(world):
    client = outage_client(world.supervisor)
    with database_down():
        assert client.get("/healthz").status_code == 503
        assert client.get(reverse("reports:review_queue")).status_code == 503
    assert client.get("/healthz").status_code == 200
    assert client.get(reverse("reports:review_queue")).status_code == 200


def test_a_save_committed_before_the_session_save_fails_is_answered_as_saved(
    world, caplog, frozen, settings
):
    settings.SESSION_REFRESH_SECONDS = 0  # the session's sliding expiry is due on this request
    client = outage_client(world.reporter)
    url = reverse("reports:report_create", args=[world.task1.pk, "2023-06-01"])
    with mock.patch.object(SessionStore, "save", side_effect=OperationalError("gone")):
        response = client.post(
            url,
            {"version": 0, "progress_status": "on_track", "percent": "40", "work_done": "已完成"},
        )
    report = Report.objects.get()
    assert report.percent == 40 and report.work_done == "已完成"
    # The client is told what happened: the saved report, not an error.
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report_detail", args=[report.pk])
    assert any("session not saved" in r.getMessage() for r in caplog.records)
