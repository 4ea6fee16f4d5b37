"""Starting, running and reviving background jobs (one home for a job's state changes).

Where a job runs (`dispatch`): on a Celery worker when `CELERY_BROKER_URL` is set, else in a
background thread of the web process; either way only after the starting transaction has
committed, so the worker always finds the row. `JOBS_RUN_INLINE` (tests) runs it at once.

Idempotent and restart-safe (`job_run`):
- running starts with a conditional UPDATE that claims the row (排队中 → 处理中, attempt + 1);
  a second message for the same job claims nothing and does nothing;
- a message for a job already 已完成/失败 does nothing;
- while the work runs, a small daemon thread (`_Heartbeat`) moves the job's heartbeat every
  min(60, JOBS_STALE_SECONDS / 3) seconds, so a long step that reports no progress (a
  count, a big query, one transaction) still shows a live job;
- a 处理中 job whose heartbeat is older than `JOBS_STALE_SECONDS` lost its worker: the
  next message (Celery's redelivery with acks-late, or `job_revive_if_stale` from the job's
  page) claims it again and runs it from scratch; after `JOBS_MAX_ATTEMPTS` starts it is
  given up as 失败;
- progress, the result and the end are written only while the run's attempt is current, so
  a worker that comes back after being taken for dead cannot overwrite a newer run;
- each attempt writes its own file (jobs/<uuid>-a<attempt>.<ext>); a superseded attempt
  deletes the file it wrote, and only a run that finishes 已完成 while still current deletes
  the files of earlier attempts.
A failure stores a Chinese message, never a traceback; the exception goes to the log.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
import uuid
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from jobs.files import job_file_names
from jobs.models import FINISHED_STATUSES, Job, job_result_path
from jobs.registry import get_kind
from jobs.signals import job_finished

logger = logging.getLogger("jobs")

FAILURE_MESSAGE = "处理失败：系统内部错误，已记入日志。请稍后重新发起，或联系管理员。"
TIMEOUT_MESSAGE = "处理超时：数据量过大，请缩小范围后重新发起。"
GIVEN_UP_MESSAGE = "处理多次中断，已停止。请重新发起，或联系管理员。"
DONE_MESSAGE = "已完成。"
# Progress is written at most this often (seconds), and always at the end.
PROGRESS_INTERVAL = 1.0


class JobError(Exception):
    """An expected failure, its Chinese message shown to the user (e.g. "该单位没有数据")."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RunOutcome(enum.Enum):
    RAN = "ran"
    FINISHED_BEFORE = "finished_before"  # 已完成/失败 already: a redelivered message
    BUSY = "busy"  # 处理中 on a live worker
    MISSING = "missing"  # no such job (deleted with its user)


# --- starting -------------------------------------------------------------------------------


def job_start(*, kind: str, user, params: dict) -> Job:
    """Create a job for `user` and send it to run once the current transaction commits.
    PermissionDenied when the kind's access check refuses the user."""
    job_kind = get_kind(kind)
    if not job_kind.may_access(user, params):
        raise PermissionDenied
    job = Job.objects.create(kind=kind, created_by=user, params=params)
    job_enqueue(job.pk)
    return job


def job_enqueue(job_id) -> None:
    if settings.JOBS_RUN_INLINE:
        job_run(job_id)
        return
    # robust: a broker that cannot be reached must not turn the committed request into an
    # error; the job stays 排队中 and its page sends it again (job_revive_if_stale).
    transaction.on_commit(lambda: dispatch(job_id), robust=True)


def dispatch(job_id) -> threading.Thread | None:
    """Hand the job to a Celery worker, or to a new background thread (returned)."""
    if settings.CELERY_BROKER_URL:
        from jobs.celery_tasks import run_job

        run_job.delay(str(job_id))
        return None
    thread = threading.Thread(
        target=_run_in_thread, args=(job_id,), name=f"job-{job_id}", daemon=True
    )
    thread.start()
    return thread


def _run_in_thread(job_id) -> None:
    try:
        job_run(job_id)
    except Exception:  # job_run records failures itself; this is a database outage
        logger.exception("job %s could not be run", job_id)
    finally:
        connections.close_all()  # this thread's connections, not the request's


# --- running --------------------------------------------------------------------------------


class JobContext:
    """What a kind's `run` function gets: the job, its params and creator, and the means to
    report progress and store its result through the default storage."""

    def __init__(self, job: Job):
        self.job = job
        self.params = job.params
        self.user = job.created_by
        self.message = DONE_MESSAGE
        self.result_url = ""
        self._written_at = 0.0

    def _current(self):
        return _current_attempt(self.job.pk, self.job.attempts)

    def progress(self, done: int, total: int | None = None) -> None:
        """Report `done` of `total` (written at most once a second, and at the end)."""
        if total is not None:
            self.job.progress_total = max(total, 0)
        self.job.progress_done = max(done, 0)
        now = time.monotonic()
        if now - self._written_at < PROGRESS_INTERVAL and done != self.job.progress_total:
            return
        self._written_at = now
        self._current().update(
            progress_done=self.job.progress_done,
            progress_total=self.job.progress_total,
            heartbeat_at=timezone.now(),
        )

    def save_file(self, fileobj, *, filename: str, content_type: str) -> None:
        """Store the result under this attempt's own name (an older attempt still running
        never touches it); when this attempt was superseded meanwhile, its file is removed."""
        storage = self.job.result.storage
        name = job_result_path(self.job, filename)
        if storage.exists(name):  # this attempt saved before (a kind saving twice)
            storage.delete(name)
        fileobj.seek(0)
        saved = storage.save(name, File(fileobj, name=filename))
        if not self._current().update(
            result=saved, result_name=filename, content_type=content_type
        ):
            storage.delete(saved)
            logger.warning("job %s attempt %s superseded; its file removed", *self._ids())
            return
        self.job.result.name = saved
        self.job.result_name = filename

    def _ids(self):
        return self.job.pk, self.job.attempts


class _Heartbeat:
    """Moves a running job's heartbeat from a daemon thread while its work runs.

    The update is conditional on the attempt, so it never revives a superseded or finished
    run; it stops by itself when nothing matches any more. Its own database connection is
    closed when it stops (Django's connections belong to their thread)."""

    def __init__(self, job: Job):
        self.job_id = job.pk
        self.attempt = job.attempts
        self.interval = heartbeat_interval()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"job-heartbeat-{job.pk}", daemon=True
        )

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join(timeout=self.interval + 30)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    touched = _current_attempt(self.job_id, self.attempt).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # a busy database: try again at the next beat
                    logger.warning("job %s heartbeat failed", self.job_id, exc_info=True)
                    continue
                if not touched:
                    return
        finally:
            connections.close_all()  # this thread's connections only


def _current_attempt(job_id, attempt):
    """The job's row while `attempt` is still its running attempt: every write of a run goes
    through this filter, so a superseded run changes nothing."""
    return Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, attempts=attempt)


def _stale_before(now):
    return now - timedelta(seconds=settings.JOBS_STALE_SECONDS)


def heartbeat_interval() -> float:
    """Seconds between heartbeats: three per stale window, at most one a minute."""
    return max(min(60.0, settings.JOBS_STALE_SECONDS / 3), 0.05)


def _claim(job_id) -> Job | None:
    now = timezone.now()
    stale = _stale_before(now)
    claimable = Q(status=Job.Status.QUEUED) | Q(
        status=Job.Status.RUNNING, heartbeat_at__lt=stale, attempts__lt=settings.JOBS_MAX_ATTEMPTS
    )
    claimed = Job.objects.filter(claimable, pk=job_id).update(
        status=Job.Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        progress_done=0,
        progress_total=0,
        message="",
        result_url="",
    )
    if not claimed:
        return None
    return Job.objects.select_related("created_by").get(pk=job_id)


def job_run(job_id) -> RunOutcome:
    """Run job `job_id` if it is there to be run (see the module doc); never raises for a
    failure of the work itself."""
    job = _claim(job_id)
    if job is None:
        status = Job.objects.filter(pk=job_id).values_list("status", flat=True).first()
        if status in FINISHED_STATUSES:
            logger.info("job %s already finished (%s); nothing to do", job_id, status)
            return RunOutcome.FINISHED_BEFORE
        if status is None:
            logger.warning("job %s does not exist; nothing to do", job_id)
            return RunOutcome.MISSING
        logger.info("job %s not claimable (%s); not run", job_id, status)
        return RunOutcome.BUSY
    context = JobContext(job)
    logger.info("job %s (%s) started, attempt %s", job.pk, job.kind, job.attempts)
    try:
        with _Heartbeat(job):
            get_kind(job.kind).run(context)
    except JobError as exc:
        _finish(job, Job.Status.FAILED, exc.message)
    except SoftTimeLimitExceeded:
        logger.error("job %s (%s) ran out of time", job.pk, job.kind)
        _finish(job, Job.Status.FAILED, TIMEOUT_MESSAGE)
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, Job.Status.FAILED, FAILURE_MESSAGE)
    else:
        _finish(job, Job.Status.DONE, context.message, result_url=context.result_url)
    return RunOutcome.RAN


def _finish(job: Job, status, message: str, *, result_url: str = "") -> bool:
    now = timezone.now()
    changes = {"status": status, "message": message[:500], "finished_at": now, "heartbeat_at": now}
    if status == Job.Status.DONE:
        changes["progress_done"] = F("progress_total")
        changes["result_url"] = result_url
    if not _current_attempt(job.pk, job.attempts).update(**changes):
        logger.warning(
            "job %s attempt %s was superseded; its end is not recorded", job.pk, job.attempts
        )
        return False
    job.refresh_from_db()
    logger.info("job %s (%s) %s", job.pk, job.kind, status)
    if status == Job.Status.DONE:
        _delete_earlier_attempts_files(job)
    job_finished.send(sender=Job, job=job)
    return True


def _delete_earlier_attempts_files(job: Job) -> None:
    """Remove the files earlier attempts of `job` may have left; never the current one's."""
    storage = job.result.storage
    for name in job_file_names(job) - {job.result.name}:
        if storage.exists(name):
            storage.delete(name)


# --- reviving -------------------------------------------------------------------------------


def job_is_stale(job: Job, now=None) -> bool:
    """排队中 or 处理中 with no sign of life for JOBS_STALE_SECONDS (message lost, worker died)."""
    stale = _stale_before(now or timezone.now())
    if job.status == Job.Status.QUEUED:
        return (job.requeued_at or job.created_at) < stale
    if job.status == Job.Status.RUNNING:
        return (
            job.heartbeat_at is not None
            and job.heartbeat_at < stale
            and (job.requeued_at is None or job.requeued_at < stale)
        )
    return False


def job_revive_if_stale(job: Job) -> bool:
    """Send a stale job again (once per stale window), or give it up after too many starts.
    Called by the job's page and status so a lost job recovers while its owner waits."""
    now = timezone.now()
    if not job_is_stale(job, now):
        return False
    if job.status == Job.Status.RUNNING and job.attempts >= settings.JOBS_MAX_ATTEMPTS:
        current = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts)
        if current.update(status=Job.Status.FAILED, message=GIVEN_UP_MESSAGE, finished_at=now):
            job.refresh_from_db()
            job_finished.send(sender=Job, job=job)
        return True
    # A lease on the re-send: two page refreshes do not send it twice.
    if not Job.objects.filter(pk=job.pk, requeued_at=job.requeued_at, status=job.status).update(
        requeued_at=now
    ):
        return False
    logger.warning(
        "job %s (%s) was %s with no sign of life; sent again", job.pk, job.kind, job.status
    )
    job_enqueue(job.pk)
    job.refresh_from_db()
    return True


def parse_job_id(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
