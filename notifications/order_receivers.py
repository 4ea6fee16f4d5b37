"""Supervision orders (督办单) become notices: issued, urged, sent back, extension decided,
closed, a unit's missing report urged, and (daily, from send_reminders) an order turning
amber or red.

Only the units named on the order (主办 and 协办 when issued; the 主办 unit for the steps it
must act on) hear about it, so no notice carries another unit's order.
"""

import datetime

from django.dispatch import receiver
from django.urls import reverse

from huancui_vet.dates import chinese_date
from notifications.models import Kind
from notifications.receivers import never_breaks_the_change
from notifications.rules import unit_staff
from notifications.services import Message, notify, notify_many
from supervision import signals as order_signals
from supervision.orders.colours import COLOUR_LABELS
from supervision.orders.models import OrderUnit, SupervisionOrder
from supervision.orders.selectors import load_order_facts
from tasks.models import Plan


def _order_url(order_pk):
    return reverse("supervision:order_detail", kwargs={"pk": order_pk})


def _units(order, *, host_only):
    units = OrderUnit.objects.filter(order=order)
    if host_only:
        units = units.filter(role=OrderUnit.Role.HOST)
    return list(units.values_list("department_id", flat=True))


def _notify_order(order, *, kind, title, body, step, host_only=True):
    department_ids = _units(order, host_only=host_only)
    staff = unit_staff(department_ids)
    for department_id in department_ids:
        notify(
            recipients=staff.get(department_id, []),
            kind=kind,
            title=f"{title}：{order.number}",
            body=body,
            url=_order_url(order.pk),
            dedupe_key=f"{kind}:o{order.pk}:{step}:d{department_id}",
            department_id=department_id,
        )


def _event_count(order):
    # Each step writes one OrderEvent, so the count keys a repeated step (a second urging).
    return order.events.count()


@receiver(order_signals.order_issued, sender=SupervisionOrder)
@never_breaks_the_change
def on_order_issued(sender, order, actor, **kwargs):
    _notify_order(
        order,
        kind=Kind.ORDER_ISSUED,
        title="督办单下达",
        body=(
            f"第{order.task.number}号任务：{order.reason}\n"
            f"办理时限：{chinese_date(order.deadline)}。请签收并按时反馈办理情况。"
        ),
        step="issued",
        host_only=False,
    )


@receiver(order_signals.order_urged, sender=SupervisionOrder)
@never_breaks_the_change
def on_order_urged(sender, order, actor, **kwargs):
    _notify_order(
        order,
        kind=Kind.ORDER_URGED,
        title="督办催办",
        body=f"督办单 {order.number} 被催办，办理时限：{chinese_date(order.deadline)}。",
        step=f"e{_event_count(order)}",
    )


@receiver(order_signals.order_sent_back, sender=SupervisionOrder)
@never_breaks_the_change
def on_order_sent_back(sender, order, actor, **kwargs):
    _notify_order(
        order,
        kind=Kind.ORDER_SENT_BACK,
        title="办理情况被退回重办",
        body=f"督办单 {order.number} 的办理情况被退回，请按要求重新办理并反馈。",
        step=f"e{_event_count(order)}",
    )


@receiver(order_signals.order_extension_decided, sender=SupervisionOrder)
@never_breaks_the_change
def on_order_extension_decided(sender, order, actor, granted=False, **kwargs):
    outcome = f"已同意，新的办理时限：{chinese_date(order.deadline)}" if granted else "未同意"
    _notify_order(
        order,
        kind=Kind.ORDER_EXTENSION_DECIDED,
        title="延期申请已答复",
        body=f"督办单 {order.number} 的延期申请{outcome}。",
        step=f"e{_event_count(order)}",
    )


@receiver(order_signals.order_closed, sender=SupervisionOrder)
@never_breaks_the_change
def on_order_closed(sender, order, actor, **kwargs):
    _notify_order(
        order,
        kind=Kind.ORDER_CLOSED,
        title="督办单已办结",
        body=f"督办单 {order.number} 已办结。",
        step="closed",
    )


@receiver(order_signals.report_urged)
@never_breaks_the_change
def on_report_urged(sender, urging, actor, **kwargs):
    task = urging.task
    notify(
        recipients=unit_staff([urging.department_id]).get(urging.department_id, []),
        kind=Kind.ORDER_URGED,
        title=f"催报：第{task.number}号任务",
        body=f"{urging.message}\n（{chinese_date(urging.period_start)}起的填报期）",
        url=reverse("reports:task_detail", kwargs={"pk": task.pk}),
        dedupe_key=f"report_urged:u{urging.pk}",
        department_id=urging.department_id,
    )


def order_colour_reminders(today: datetime.date, stats) -> list[str]:
    """Notices for open orders that are amber or red today, once per order and colour.

    Returns digest lines for the supervisors (orders that turned red today). Runs the five
    queries of `load_order_facts` per plan with orders, plus the notice writes.
    """
    red_today = []
    plan_ids = SupervisionOrder.objects.values_list("plan_id", flat=True).distinct()
    for plan in Plan.objects.filter(pk__in=plan_ids).order_by("pk"):
        facts = load_order_facts(plan=plan, as_of=today)
        messages = []
        staff = unit_staff({o.host_id for o in facts.open_orders() if o.host_id})
        for order in facts.open_orders():
            colour = order.colour
            if colour not in ("amber", "red") or order.host_id is None:
                continue
            if colour == "red" and order.standing.red_since == today:
                red_today.append(order.number)
            messages.append(
                Message(
                    kind=Kind.ORDER_LEVEL_CHANGED,
                    title=f"督办单亮{COLOUR_LABELS[colour][:2]}：{order.number}",
                    body=(
                        f"督办单 {order.number} 现为{COLOUR_LABELS[colour]}，"
                        f"办理时限：{chinese_date(order.deadline)}。"
                    ),
                    url=_order_url(order.pk),
                    # once per order and colour, however often send_reminders runs
                    dedupe_key=f"{Kind.ORDER_LEVEL_CHANGED}:o{order.pk}:{colour}",
                    recipients=staff.get(order.host_id, []),
                    department_id=order.host_id,
                )
            )
        stats.notices += notify_many(messages)
    if not red_today:
        return []
    return [f"今日转为红色（超期）的督办单 {len(red_today)} 件：{'、'.join(red_today)}；"]
