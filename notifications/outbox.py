"""The outbox sender: claims due rows, sends each once, records failures and retries.

Claiming: a short transaction selects due rows `FOR UPDATE SKIP LOCKED` (PostgreSQL; on
SQLite the IMMEDIATE transaction serialises claimers instead), bumps `attempts` and moves
`next_attempt_at` a lease into the future, then commits. Another host's claim skips or no
longer matches those rows, so each row is sent by one host. Sending happens outside any
transaction; a host that dies mid-send leaves the row to be retried after the lease.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from notifications.channels import deliver
from notifications.models import Delivery

logger = logging.getLogger("notifications")

LEASE = timedelta(minutes=10)
# New deliveries within this many seconds share one Celery run of send_pending.
ENQUEUE_COALESCE_SECONDS = 10


def backoff(attempts):
    """Wait before the next try: 1, 2, 4, 8 … minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def claim_batch(*, size, now=None):
    now = now or timezone.now()
    with transaction.atomic():
        due = Delivery.objects.filter(
            status=Delivery.Status.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:size])
        if not ids:
            return []
        # Only rows still due: guards a backend without row locks against double claims.
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.PENDING).update(
            next_attempt_at=now + LEASE
        )
        rows = list(Delivery.objects.filter(pk__in=ids).select_related("recipient", "webhook"))
    return rows


def record_outcome(delivery, error, now):
    delivery.attempts += 1
    if error is None:
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = now
        delivery.last_error = ""
    else:
        delivery.last_error = error[:2000]
        if delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            delivery.status = Delivery.Status.FAILED
            logger.error("notice delivery %s failed for good: %s", delivery.pk, error)
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            logger.warning("notice delivery %s failed, will retry: %s", delivery.pk, error)
    delivery.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"])


def send_batch(*, size=50):
    """Claim and send one batch; returns (sent, failed)."""
    sent = failed = 0
    for delivery in claim_batch(size=size):
        try:
            deliver(delivery)
            error = None
        except Exception as exc:  # any failure of a channel is recorded, never raised
            error = f"{type(exc).__name__}: {exc}"
        record_outcome(delivery, error, timezone.now())
        if error is None:
            sent += 1
        else:
            failed += 1
    return sent, failed


def send_pending(*, batch_size=50, max_batches=1000):
    """Send everything due now, batch by batch; returns (sent, failed)."""
    total_sent = total_failed = 0
    for _ in range(max_batches):
        sent, failed = send_batch(size=batch_size)
        total_sent += sent
        total_failed += failed
        if sent + failed == 0:
            break
    return total_sent, total_failed


def enqueue_sending() -> bool:
    """With a Celery broker, send what was just queued on a worker soon after the commit
    (the `send_notifications` cron stays as the safety net). Events within
    ENQUEUE_COALESCE_SECONDS share one run: the run starts after that delay and sends
    everything due by then. Returns whether a run was scheduled."""
    if not settings.CELERY_BROKER_URL:
        return False
    if not cache.add("notifications:send-pending-queued", 1, timeout=ENQUEUE_COALESCE_SECONDS):
        return False
    from notifications.celery_tasks import send_pending_deliveries

    send_pending_deliveries.apply_async(countdown=ENQUEUE_COALESCE_SECONDS)
    return True
