"""Writes for notifications: turn an event into notices and outbox rows.

`notify()` is the one entry point for events (report workflow, task changes, supervision
orders); `notify_many()` is the same for a batch (reminders, digests) in a constant
number of queries. Both run inside the caller's transaction, so the notices commit or
roll back with the change that caused them, and both are idempotent: rows are keyed by
`dedupe_key` + recipient (or + group bot) and a key seen before is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.models import (
    Delivery,
    EmailMode,
    Kind,
    Notice,
    NotificationSettings,
    UnitWebhook,
)
from notifications.outbox import enqueue_sending
from notifications.rules import UNIT_KINDS, required_kinds


@dataclass
class Message:
    """One event for a set of users and (optionally) their unit's group bots."""

    kind: Kind
    title: str
    body: str
    url: str
    dedupe_key: str
    recipients: list = field(default_factory=list)
    department_id: int | None = None  # post to this unit's group bots as well

    def __post_init__(self):
        if self.url and not self.url.startswith("/"):
            raise ValueError("a notice links to a portal path, never to another site")
        self.title = self.title[:200]


def wants_immediate_mail(user, kind, settings_by_user):
    """Mail `kind` to `user` now: has an address, mails immediately, has not opted out."""
    if not user.email:
        return False
    prefs = settings_by_user.get(user.pk)
    if prefs is None:
        return True
    if prefs.email_mode != EmailMode.IMMEDIATE:
        return False
    return kind in required_kinds(user) or kind not in prefs.email_disabled_kinds


def wants_in_digest(user, kind, prefs):
    return kind in required_kinds(user) or kind not in prefs.email_disabled_kinds


def notify(*, recipients: Iterable, kind, title, body, url, dedupe_key, department_id=None):
    """Notices for `recipients` (users, groups prefetched) and outbox rows; returns how many
    notices were new. Call inside the transaction of the change that caused the event."""
    message = Message(
        kind=kind,
        title=title,
        body=body,
        url=url,
        dedupe_key=dedupe_key,
        recipients=list(recipients),
        department_id=department_id,
    )
    return notify_many([message])


def notify_many(messages: list[Message], *, now=None) -> int:
    """`notify` for many messages in five queries whatever their number."""
    now = now or timezone.now()
    users = {u.pk: u for m in messages for u in m.recipients}
    settings_by_user = {
        s.user_id: s for s in NotificationSettings.objects.filter(user_id__in=list(users))
    }
    unit_ids = {m.department_id for m in messages if m.department_id and m.kind in UNIT_KINDS}
    bots_by_unit: dict[int | None, list[UnitWebhook]] = {}
    for bot in UnitWebhook.objects.filter(department_id__in=unit_ids, is_active=True):
        bots_by_unit.setdefault(bot.department_id, []).append(bot)

    notices, deliveries = [], []
    for m in messages:
        for user in m.recipients:
            key = f"{m.dedupe_key}:u{user.pk}"
            notices.append(
                Notice(
                    recipient=user,
                    kind=m.kind,
                    title=m.title,
                    body=m.body,
                    url=m.url,
                    dedupe_key=key,
                    created_at=now,
                )
            )
            if wants_immediate_mail(user, m.kind, settings_by_user):
                deliveries.append(_delivery(m, now, key + ":mail", recipient=user))
        if m.kind in UNIT_KINDS:
            for bot in bots_by_unit.get(m.department_id, []):
                if m.kind not in bot.disabled_kinds:
                    key = f"{m.dedupe_key}:bot{bot.pk}"
                    deliveries.append(_delivery(m, now, key, webhook=bot, channel=bot.channel))
    with transaction.atomic():
        known = _existing_keys(Notice, [n.dedupe_key for n in notices])
        known |= _existing_keys(Delivery, [d.dedupe_key for d in deliveries])
        new_notices = [n for n in notices if n.dedupe_key not in known]
        # ignore_conflicts: another host may insert the same key between the read and here.
        Notice.objects.bulk_create(new_notices, ignore_conflicts=True, batch_size=500)
        new_deliveries = [d for d in deliveries if d.dedupe_key not in known]
        Delivery.objects.bulk_create(new_deliveries, ignore_conflicts=True, batch_size=500)
        if new_deliveries and settings.CELERY_BROKER_URL:
            # robust: a broker that cannot be reached never undoes the change; cron sends.
            transaction.on_commit(enqueue_sending, robust=True)
    return len(new_notices)


def _existing_keys(model, keys):
    if not keys:
        return set()
    return set(model.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))


def _delivery(message, now, key, *, recipient=None, webhook=None, channel="email"):
    return Delivery(
        channel=channel,
        recipient=recipient,
        webhook=webhook,
        kind=message.kind,
        subject=message.title,
        body=message.body,
        url=message.url,
        dedupe_key=key,
        next_attempt_at=now,
        created_at=now,
    )


# --- reading the inbox -------------------------------------------------------------------


def notice_mark_read(*, user, notice) -> None:
    if notice.recipient_id != user.pk:
        raise PermissionError("not the recipient")
    Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())


def notice_mark_all_read(*, user) -> int:
    return Notice.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def settings_for(user) -> NotificationSettings:
    """The user's settings row (unsaved defaults when there is none yet)."""
    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user)


def settings_save(*, user, email_mode, email_disabled_kinds) -> NotificationSettings:
    """Store the user's choices; required kinds are dropped from the opt-out list."""
    prefs = settings_for(user)
    required = required_kinds(user)
    prefs.email_mode = email_mode
    prefs.email_disabled_kinds = sorted(
        {k for k in email_disabled_kinds if k in Kind.values and k not in required}
    )
    prefs.full_clean()
    prefs.save()
    return prefs


def unit_webhooks_save(*, department, keep, remove) -> None:
    """Save a unit's group bots in one transaction: the bots in `keep` (with an address) are
    created or updated, those in `remove` (address cleared) are deleted if they existed."""
    with transaction.atomic():
        for bot in [*keep, *remove]:
            if bot.department_id != department.pk:
                raise ValueError("a unit only sets its own bots")
        for bot in keep:
            bot.save()
        for bot in remove:
            if bot.pk:
                bot.delete()
