"""Celery task: send the outbox's pending deliveries on a worker (see outbox.enqueue_sending)."""

from celery import shared_task

from notifications.outbox import send_pending


@shared_task(name="notifications.send_pending", acks_late=True, reject_on_worker_lost=True)
def send_pending_deliveries() -> None:
    # Each row is claimed before it is sent, so overlapping runs (several workers, the
    # send_notifications cron) never send a row twice.
    send_pending()
