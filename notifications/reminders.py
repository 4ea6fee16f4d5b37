"""Daily reminders and digests (`send_reminders`): which units must be told what today.

Selection rule, per plan and reporting period, from `tasks.periods` (the one due-date
rule): a unit that carries a task and has not submitted the period's report is reminded
`NOTIFY_DUE_SOON_DAYS` days before the due date, on the due date, and on each day of
`NOTIFY_OVERDUE_DAYS` after it (so a finished plan viewed years later stays quiet). A closed
period is never reminded. Units are handled in batches of `batch_size`, each in a constant
number of queries, so memory stays bounded whatever the number of plans, units or reports.
Every notice is keyed by event + recipient + day: running the command twice sends nothing
twice, and several hosts may run it at once.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from departments.models import User
from huancui_vet.dates import chinese_date
from notifications.models import Delivery, EmailMode, Kind, Notice, NotificationSettings
from notifications.order_receivers import order_colour_reminders
from notifications.rules import supervisors, unit_staff
from notifications.services import Message, notify_many, wants_in_digest
from reports.models import PeriodLock, ReportState, ReportSummary
from reports.selectors import PeriodState, period_state
from tasks.models import Plan, TaskAssignment
from tasks.periods import end_of_day, plan_periods

# Lines the supervisors' digest adds from other apps: callables (today) -> list of str.
# supervision registers "orders turning red" here once orders exist.
DIGEST_SECTIONS: list[Callable[[datetime.date], list[str]]] = []


@dataclass
class RunStats:
    notices: int = 0
    batches: int = 0
    newly_overdue: int = 0
    digests: int = 0
    per_kind: dict = field(default_factory=lambda: defaultdict(int))


def reminder_kind(due: datetime.date, today: datetime.date):
    """The reminder a missing report gets today, or None: the one date rule for reminders."""
    days_left = (due - today).days
    if days_left == settings.NOTIFY_DUE_SOON_DAYS:
        return Kind.DUE_SOON
    if days_left == 0:
        return Kind.DUE_TODAY
    if -days_left in settings.NOTIFY_OVERDUE_DAYS:
        return Kind.OVERDUE
    return None


def _title(kind, label, due, today):
    if kind == Kind.DUE_SOON:
        return f"{label}进展报告{(due - today).days}天后截止"
    if kind == Kind.DUE_TODAY:
        return f"{label}进展报告今天截止"
    return f"{label}进展报告已逾期{(today - due).days}天"


def _chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def plan_due_periods(plan, today):
    """[(period, kind)] of the plan's periods that need a reminder today (no queries)."""
    result = []
    for period in plan_periods(plan):
        kind = reminder_kind(period.due, today)
        if kind is not None:
            result.append((period, kind))
    return result


def _missing(plan, period, department_ids, now):
    """{department_id: [(task number, task content, role)]} not yet submitted (two queries)."""
    expected = (
        TaskAssignment.objects.filter(task__plan=plan, department_id__in=department_ids)
        .order_by("department_id", "task__number")
        .values_list("department_id", "task_id", "task__number", "task__content", "role")
    )
    # "Submitted" is reports.selectors.period_state's rule, evaluated at this moment.
    submitted = (PeriodState.SUBMITTED, PeriodState.LATE)
    rows = ReportSummary.objects.filter(
        plan=plan, period_start=period.start, department_id__in=department_ids
    ).values_list("department_id", "task_id", "first_submitted_at")
    done = {
        (department_id, task_id)
        for department_id, task_id, first_submitted_at in rows
        if period_state(period, first_submitted_at, now.date(), cutoff=now) in submitted
    }
    missing = defaultdict(list)
    for department_id, task_id, number, content, role in expected:
        if (department_id, task_id) not in done:
            missing[department_id].append((number, content, role))
    return missing


def _reminder_body(plan, period, kind, tasks):
    lines = [
        f"《{plan.display_title}》{period.label}的进展报告应于{chinese_date(period.due)}前报送，"
        f"本单位尚有{len(tasks)}项任务未报送："
    ]
    for number, content, role in tasks[:20]:
        short = content if len(content) <= 30 else content[:30] + "…"
        lines.append(f"· 第{number}号任务（{'牵头' if role == 'lead' else '配合'}）{short}")
    if len(tasks) > 20:
        lines.append(f"…… 另有{len(tasks) - 20}项")
    return "\n".join(lines)


def plan_reminders(plan, today, *, batch_size, stats):
    """Reminders for one plan, unit batch by unit batch (about nine queries per batch)."""
    due_periods = plan_due_periods(plan, today)
    if not due_periods:
        return
    closed = set(
        PeriodLock.objects.closed()
        .filter(plan=plan, period_start__in=[p.start for p, _ in due_periods])
        .values_list("period_start", flat=True)
    )
    due_periods = [(p, k) for p, k in due_periods if p.start not in closed]
    if not due_periods:
        return
    department_ids = sorted(
        set(TaskAssignment.objects.filter(task__plan=plan).values_list("department_id", flat=True))
    )
    now = timezone.now()
    url = reverse("reports:my_tasks")
    for chunk in _chunks(department_ids, batch_size):
        staff = unit_staff(chunk)
        for period, kind in due_periods:
            missing = _missing(plan, period, chunk, now)
            if period.due == today - datetime.timedelta(days=1):
                stats.newly_overdue += sum(len(tasks) for tasks in missing.values())
            messages = [
                Message(
                    kind=kind,
                    title=_title(kind, period.label, period.due, today),
                    body=_reminder_body(plan, period, kind, tasks),
                    url=url,
                    dedupe_key=f"{kind}:p{plan.pk}:{period.start}:d{department_id}:{today}",
                    recipients=staff.get(department_id, []),
                    department_id=department_id,
                )
                for department_id, tasks in missing.items()
            ]
            with transaction.atomic():
                created = notify_many(messages)
            stats.notices += created
            stats.per_kind[kind] += created
            stats.batches += 1


def supervisor_digest(today, stats, extra_lines=()):
    """One notice per supervisor: what came in yesterday, what waits, what turned overdue."""
    start = end_of_day(today - datetime.timedelta(days=2))
    came_in = ReportSummary.objects.filter(
        submitted_at__gte=start, submitted_at__lt=end_of_day(today - datetime.timedelta(days=1))
    ).count()
    waiting = ReportSummary.objects.filter(state=ReportState.SUBMITTED).count()
    yesterday = chinese_date(today - datetime.timedelta(days=1))
    extra = [*extra_lines, *(line for section in DIGEST_SECTIONS for line in section(today))]
    if not (came_in or waiting or stats.newly_overdue or extra):
        return  # a quiet day (e.g. every plan finished): no mail about nothing
    lines = [
        f"{yesterday}报送进展报告 {came_in} 份；",
        f"目前待审核 {waiting} 份；",
        f"{yesterday}截止、逾期未报 {stats.newly_overdue} 项（单位×任务）。",
        *extra,
    ]
    message = Message(
        kind=Kind.SUPERVISOR_DIGEST,
        title=f"督查每日汇总（{chinese_date(today)}）",
        body="\n".join(lines),
        url=reverse("reports:review_queue"),
        dedupe_key=f"{Kind.SUPERVISOR_DIGEST}:{today}",
        recipients=supervisors(),
    )
    with transaction.atomic():
        stats.notices += notify_many([message])


def email_digests(today, *, batch_size, stats):
    """One mail per digest-mode user with yesterday's notices (constant queries per batch)."""
    day = today - datetime.timedelta(days=1)
    since, until = end_of_day(day - datetime.timedelta(days=1)), end_of_day(day)
    user_ids = list(
        NotificationSettings.objects.filter(email_mode=EmailMode.DIGEST)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    now = timezone.now()
    for chunk in _chunks(user_ids, batch_size):
        users = {
            u.pk: u
            for u in User.objects.filter(pk__in=chunk, is_active=True)
            .exclude(email="")
            .prefetch_related("groups", "notification_settings")
        }
        notices = defaultdict(list)
        for notice in (
            Notice.objects.filter(
                recipient_id__in=list(users), created_at__gte=since, created_at__lt=until
            )
            .order_by("recipient_id", "created_at", "pk")
            .only("recipient_id", "kind", "title", "url")
        ):
            user = users[notice.recipient_id]
            if wants_in_digest(user, notice.kind, user.notification_settings):
                notices[notice.recipient_id].append(notice)
        rows = [
            _digest_delivery(users[user_id], items, day, now) for user_id, items in notices.items()
        ]
        keys = [r.dedupe_key for r in rows]
        with transaction.atomic():
            known = set(
                Delivery.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
            )
            new = [r for r in rows if r.dedupe_key not in known]
            Delivery.objects.bulk_create(new, ignore_conflicts=True)
        stats.digests += len(new)


def _digest_delivery(user, notices, day, now):
    lines = [f"{chinese_date(day)}共有 {len(notices)} 条新消息："]
    lines += [f"· {n.title}" for n in notices[:100]]
    if len(notices) > 100:
        lines.append(f"…… 另有{len(notices) - 100}条，请登录平台查看。")
    return Delivery(
        channel="email",
        recipient=user,
        kind=Kind.EMAIL_DIGEST,
        subject=f"消息汇总（{chinese_date(day)}）",
        body="\n".join(lines),
        url=reverse("notifications:inbox"),
        dedupe_key=f"email_digest:{day}:u{user.pk}",
        next_attempt_at=now,
        created_at=now,
    )


def run_reminders(*, today=None, batch_size=100) -> RunStats:
    """Everything `send_reminders` does for `today` (the portal's local date by default)."""
    today = today or timezone.localdate()
    stats = RunStats()
    for plan in Plan.objects.order_by("pk").iterator(chunk_size=100):
        plan_reminders(plan, today, batch_size=batch_size, stats=stats)
    order_lines = order_colour_reminders(today, stats)
    supervisor_digest(today, stats, extra_lines=order_lines)
    email_digests(today, batch_size=batch_size * 5, stats=stats)
    return stats
