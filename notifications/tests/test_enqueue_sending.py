"""With a Celery broker, queued mails and bot posts are sent by a worker soon after commit."""

from unittest import mock

import pytest
from django.core.cache import cache

from notifications.celery_tasks import send_pending_deliveries
from notifications.models import Delivery, Kind
from notifications.services import notify


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _notify(world, key):
    world.reporter.email = "zhang@example.cn"
    world.reporter.save()
    return notify(
        recipients=[world.reporter],
        kind=Kind.REPORT_RETURNED,
        title="报告被退回",
        body="请补充。",
        url="/reports/",
        dedupe_key=key,
    )


def test_with_a_broker_queued_deliveries_schedule_one_send(
    world, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    with mock.patch.object(send_pending_deliveries, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=True):
            _notify(world, "a")
        with django_capture_on_commit_callbacks(execute=True):
            _notify(world, "b")  # within the coalescing window: the same run sends it
    assert Delivery.objects.count() == 2
    apply_async.assert_called_once_with(countdown=10)


def test_without_a_broker_nothing_is_scheduled(world, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(send_pending_deliveries, "apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True),
    ):
        _notify(world, "a")
    assert Delivery.objects.count() == 1
    apply_async.assert_not_called()


def test_an_unreachable_broker_never_undoes_the_change(
    world, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    with (
        mock.patch.object(
            send_pending_deliveries, "apply_async", side_effect=ConnectionError("refused")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _notify(world, "a")
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 1


def test_the_task_sends_the_pending_batch(world, mailoutbox):
    _notify(world, "a")
    send_pending_deliveries()
    assert Delivery.objects.get().status == Delivery.Status.SENT
    assert [m.to for m in mailoutbox] == [["zhang@example.cn"]]
