"""A live job is never run twice, and an older run never touches a newer run's file."""

import io
import time

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings

from jobs import registry
from jobs.models import Job
from jobs.services import RunOutcome, dispatch, job_revive_if_stale, job_run, job_start

STALE = 2  # seconds: the heartbeat beats every 2/3 s


def _slow_silent(context):
    """Works longer than the stale window and reports no progress meanwhile."""
    time.sleep(STALE * 3)
    context.save_file(io.BytesIO(b"slow"), filename="x.txt", content_type="text/plain")


@pytest.mark.django_db(transaction=True)
@override_settings(JOBS_RUN_INLINE=False, CELERY_BROKER_URL="", JOBS_STALE_SECONDS=STALE)
def test_a_silent_long_step_keeps_the_job_alive_and_unclaimable():
    from huancui_vet.testing import build_world

    world = build_world()
    registry.register("test.slow", label="慢", run=_slow_silent, may_access=lambda u, p: True)
    try:
        job = Job.objects.create(kind="test.slow", created_by=world.supervisor, params={})
        thread = dispatch(job.pk)
        assert thread is not None
        time.sleep(STALE * 2)  # twice the stale window, no progress reported
        running = Job.objects.get(pk=job.pk)
        assert running.status == Job.Status.RUNNING
        # A redelivery and the job's page both find it alive.
        assert job_run(job.pk) is RunOutcome.BUSY
        assert job_revive_if_stale(running) is False
        thread.join(timeout=30)
    finally:
        registry.unregister("test.slow")
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 1)
    with default_storage.open(job.result.name) as fh:
        assert fh.read() == b"slow"


def test_a_superseded_run_neither_replaces_nor_keeps_its_file(world, echo_kind):
    job = job_start(kind=echo_kind, user=world.supervisor, params={"text": "new"})
    job.refresh_from_db()
    current_name = job.result.name
    # Attempt 1, taken for dead long ago, comes back and saves its file late.
    old = Job.objects.get(pk=job.pk)
    old.attempts = 0
    old.status = Job.Status.RUNNING
    from jobs.services import JobContext

    JobContext(old).save_file(io.BytesIO(b"old"), filename="x.txt", content_type="text/plain")
    job.refresh_from_db()
    assert job.result.name == current_name
    with default_storage.open(current_name) as fh:
        assert fh.read().decode() == "attempt 1: new"
    assert not default_storage.exists(f"jobs/{job.pk}-a0.txt")


def test_a_superseded_run_does_not_delete_the_current_file_on_finishing(world, echo_kind):
    """Attempt 2 runs now; attempt 1's late end neither records nor deletes anything."""
    from jobs.services import _finish

    job = job_start(kind=echo_kind, user=world.supervisor, params={"text": "x"})
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=2)
    default_storage.save(f"jobs/{job.pk}-a2.txt", io.BytesIO(b"two"))
    stale = Job.objects.get(pk=job.pk)
    stale.attempts = 1
    assert _finish(stale, Job.Status.DONE, "旧") is False
    assert default_storage.exists(f"jobs/{job.pk}-a2.txt")
