"""Running a job: progress, result through the storage, idempotency, restarts, failures."""

import datetime
import logging
import threading

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from django.utils import timezone

from jobs.models import Job
from jobs.services import (
    FAILURE_MESSAGE,
    GIVEN_UP_MESSAGE,
    RunOutcome,
    dispatch,
    job_revive_if_stale,
    job_run,
    job_start,
)
from jobs.signals import job_finished
from jobs.tests import kinds


def _read(job):
    with default_storage.open(job.result.name, "rb") as fh:
        return fh.read().decode()


def test_a_started_job_runs_and_stores_its_file(world, echo_kind):
    job = job_start(kind=echo_kind, user=world.supervisor, params={"text": "你好"})
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.get_status_display() == "已完成"
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert job.message == "已导出 3 行。"
    assert job.attempts == 1
    assert job.result.name == f"jobs/{job.pk}-a1.txt"
    assert job.result_name == "结果.txt"
    assert job.content_type == "text/plain; charset=utf-8"
    assert _read(job) == "attempt 1: 你好"
    assert job.started_at is not None and job.finished_at >= job.started_at


def test_running_a_finished_job_again_does_nothing(world, echo_kind):
    job = job_start(kind=echo_kind, user=world.supervisor, params={"text": "a"})
    finished_at = Job.objects.get(pk=job.pk).finished_at
    # A redelivered message (acks-late) for the finished job.
    assert job_run(job.pk) is RunOutcome.FINISHED_BEFORE
    assert job_run(str(job.pk)) is RunOutcome.FINISHED_BEFORE
    job.refresh_from_db()
    assert [str(job.pk)] == kinds.CALLS
    assert (job.attempts, job.finished_at) == (1, finished_at)
    assert _read(job) == "attempt 1: a"
    # Purged (已过期) is finished too: a late message neither runs nor counts as busy.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.EXPIRED)
    assert job_run(job.pk) is RunOutcome.FINISHED_BEFORE


def test_a_job_running_on_a_live_worker_is_not_claimed_twice(world, echo_kind):
    job = Job.objects.create(kind=echo_kind, created_by=world.supervisor, params={})
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, attempts=1, heartbeat_at=timezone.now()
    )
    assert job_run(job.pk) is RunOutcome.BUSY
    assert kinds.CALLS == []
    assert Job.objects.get(pk=job.pk).attempts == 1


def test_a_missing_job_is_reported_missing(db):
    assert job_run("00000000-0000-0000-0000-000000000000") is RunOutcome.MISSING


def test_a_stale_running_job_is_run_again_and_its_success_removes_the_old_file(world, echo_kind):
    job = job_start(kind=echo_kind, user=world.supervisor, params={"text": "b"})
    job.refresh_from_db()
    old_name = job.result.name
    # Its worker died mid-run: 处理中, half done, no heartbeat for an hour.
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, progress_done=1, heartbeat_at=an_hour_ago, finished_at=None
    )
    assert job_run(job.pk) is RunOutcome.RAN
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.attempts == 2
    assert (old_name, job.result.name) == (f"jobs/{job.pk}-a1.txt", f"jobs/{job.pk}-a2.txt")
    assert _read(job) == "attempt 2: b"
    # The finished current attempt removed the first attempt's file.
    assert not default_storage.exists(old_name)
    assert [n for n in default_storage.listdir("jobs")[1] if str(job.pk) in n] == [
        f"{job.pk}-a2.txt"
    ]


def test_the_job_page_sends_a_stale_job_again(client, world, echo_kind):
    job = Job.objects.create(kind=echo_kind, created_by=world.supervisor, params={"text": "c"})
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, attempts=1, heartbeat_at=an_hour_ago
    )
    client.force_login(world.supervisor)
    response = client.get(f"/jobs/{job.pk}/status.json")
    assert response.json()["status"] == "done"
    job.refresh_from_db()
    assert (job.attempts, _read(job)) == (2, "attempt 2: c")


@override_settings(JOBS_MAX_ATTEMPTS=2)
def test_a_job_that_keeps_losing_its_worker_is_given_up(world, echo_kind):
    job = Job.objects.create(kind=echo_kind, created_by=world.supervisor, params={})
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, attempts=2, heartbeat_at=an_hour_ago
    )
    job.refresh_from_db()
    assert job_run(job.pk) is RunOutcome.BUSY  # no third start
    assert job_revive_if_stale(job) is True
    job.refresh_from_db()
    assert (job.status, job.message) == (Job.Status.FAILED, GIVEN_UP_MESSAGE)
    assert kinds.CALLS == []


def test_an_unexpected_failure_stores_a_chinese_message_and_logs_the_exception(
    world, echo_kind, caplog
):
    with caplog.at_level(logging.ERROR, logger="jobs"):
        job = job_start(kind=echo_kind, user=world.supervisor, params={"text": "boom"})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.get_status_display() == "失败"
    assert job.message == FAILURE_MESSAGE
    assert "Traceback" not in job.message and "secret" not in job.message
    assert not job.result.name
    assert any(r.exc_info and "secret internals" in str(r.exc_info[1]) for r in caplog.records)


def test_an_expected_failure_shows_its_own_message(world, echo_kind):
    job = job_start(kind=echo_kind, user=world.supervisor, params={"text": "refuse"})
    job.refresh_from_db()
    assert (job.status, job.message) == (Job.Status.FAILED, "该单位没有可导出的数据。")


def test_finishing_sends_the_signal_once(world, echo_kind):
    received = []

    def listener(sender, job, **kwargs):
        received.append((job.pk, job.status))

    job_finished.connect(listener)
    try:
        job = job_start(kind=echo_kind, user=world.supervisor, params={"text": "d"})
        job_run(job.pk)
    finally:
        job_finished.disconnect(listener)
    assert received == [(job.pk, Job.Status.DONE)]


def test_a_user_without_the_right_cannot_start_the_job(world, echo_kind):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        job_start(kind=echo_kind, user=world.reporter, params={})
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
@override_settings(JOBS_RUN_INLINE=False, CELERY_BROKER_URL="")
def test_without_a_broker_the_job_runs_in_a_thread_after_the_commit(echo_kind):
    from huancui_vet.testing import build_world

    world = build_world()
    started = []
    real_dispatch = dispatch

    def spy(job_id):
        thread = real_dispatch(job_id)
        started.append((job_id, thread))
        return thread

    import jobs.services as services

    services.dispatch = spy
    try:
        from django.db import transaction

        with transaction.atomic():
            job = job_start(kind=echo_kind, user=world.supervisor, params={"text": "线程"})
            assert started == []  # not before the commit
            assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
        assert len(started) == 1
        job_id, thread = started[0]
        assert isinstance(thread, threading.Thread) and thread is not threading.current_thread()
        thread.join(timeout=30)
    finally:
        services.dispatch = real_dispatch
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert _read(job) == "attempt 1: 线程"
