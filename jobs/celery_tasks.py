"""The Celery task that runs a job on a worker (found by `app.autodiscover_tasks`)."""

from celery import shared_task
from django.conf import settings

from jobs.services import RunOutcome, job_run


@shared_task(
    name="jobs.run", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None
)
def run_job(self, job_id: str) -> None:
    outcome = job_run(job_id)
    if outcome is RunOutcome.BUSY:
        # Redelivered while the job still looks alive (its worker was lost moments ago):
        # try again once its heartbeat can have gone stale. A live job stays unclaimable.
        raise self.retry(
            countdown=settings.JOBS_STALE_SECONDS + 1, max_retries=settings.JOBS_MAX_ATTEMPTS
        )
