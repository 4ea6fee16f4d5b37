"""Demo supervision orders for `load_demo_reports`, so a new portal shows the 督办 component
at work (colours, urgings, send-backs, a 不属实 finding) instead of full marks everywhere.

Deterministic and idempotent: nothing is written when the plan already has orders. Each
order's stored status and timestamps agree with its timeline (the colour is replayed from
the timeline, the order page shows the status).
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from departments.models import User
from supervision.orders.access import can_handle
from supervision.orders.models import (
    OrderEvent,
    OrderSettings,
    OrderStatus,
    OrderUnit,
    SupervisionOrder,
    Verification,
)
from supervision.orders.services import order_number_allocate
from tasks.models import TaskAssignment

Action = OrderEvent.Action


@dataclass(frozen=True)
class Scenario:
    status: str
    steps: tuple  # (action, days after issue)


SCENARIOS = (
    Scenario(
        OrderStatus.CLOSED, ((Action.ACKNOWLEDGED, 1), (Action.REPLIED, 8), (Action.CLOSED, 10))
    ),
    Scenario(
        OrderStatus.ACKNOWLEDGED, ((Action.ACKNOWLEDGED, 2), (Action.URGED, 16), (Action.URGED, 25))
    ),
    Scenario(
        OrderStatus.CLOSED,
        ((Action.ACKNOWLEDGED, 1), (Action.URGED, 18), (Action.REPLIED, 26), (Action.CLOSED, 28)),
    ),
    Scenario(
        OrderStatus.SENT_BACK,
        ((Action.ACKNOWLEDGED, 1), (Action.REPLIED, 9), (Action.SENT_BACK, 12)),
    ),
    Scenario(OrderStatus.REPLIED, ((Action.ACKNOWLEDGED, 3), (Action.REPLIED, 15))),
    Scenario(OrderStatus.ISSUED, ()),
)
REASONS = (
    ("本月进展报告逾期未报。", "5个工作日内补报，并说明逾期原因。"),
    ("目标完成进度明显滞后于时序要求。", "制定整改措施，明确完成时限和责任人。"),
    ("佐证材料不完整，与报告内容不符。", "补充实地照片、文件等佐证材料。"),
)
# What each step says on the order's timeline and print-out, as a unit or a supervisor would.
STEP_TEXTS = {
    Action.ACKNOWLEDGED: "已签收，已明确分管领导和具体责任人，正在抓紧落实。",
    Action.REPLIED: "已按要求完成整改，整改情况说明和佐证材料已报送。",
    Action.SENT_BACK: "反馈材料不完整，未附佐证材料，请补充后重新反馈。",
    Action.CLOSED: "经核实已整改到位，予以办结。",
    Action.URGED: "请抓紧办理，按时限反馈办理结果。",
}
# Steps the host unit takes (签收, 反馈); the others are the supervisor's.
UNIT_STEPS = (Action.ACKNOWLEDGED, Action.REPLIED)
DEADLINE_DAYS = 20
SPACING_DAYS = 15


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def demo_orders_create(*, plan, actor, last_day, count=12) -> int:
    """`count` orders on `plan`'s lead units, issued every 15 days and ending near `last_day`
    (the plan's end, or today for a running plan). Returns how many were written."""
    if SupervisionOrder.objects.filter(plan=plan).exists():
        return 0
    units: dict[int, list[int]] = {}
    for a in TaskAssignment.objects.filter(task__plan=plan).order_by(
        "task__number", "role", "position"
    ):
        units.setdefault(a.task_id, []).append(a.department_id)
    if not units:
        return 0
    task_ids = list(units)
    prefix = OrderSettings.for_plan(plan).number_prefix
    first_issue = last_day - datetime.timedelta(days=SPACING_DAYS * count)
    with transaction.atomic():
        for i in range(count):
            issued = first_issue + datetime.timedelta(days=SPACING_DAYS * i)
            task_id = task_ids[(i * 5) % len(task_ids)]
            _order(plan, actor, prefix, i, issued, task_id, units[task_id])
    return count


def _order(plan, actor, prefix, i, issued, task_id, departments):
    scenario = SCENARIOS[i % len(SCENARIOS)]
    reason, requirement = REASONS[i % len(REASONS)]
    deadline = issued + datetime.timedelta(days=DEADLINE_DAYS)
    sequence = order_number_allocate(prefix=prefix, year=issued.year)
    times = {action: _at(issued + datetime.timedelta(days=d)) for action, d in scenario.steps}
    order = SupervisionOrder.objects.create(
        number=f"{prefix}〔{issued.year}〕{sequence}号",
        year=issued.year,
        sequence=sequence,
        plan=plan,
        task_id=task_id,
        reason=reason,
        requirement=requirement,
        deadline=deadline,
        original_deadline=deadline,
        level=SupervisionOrder.Level.KEY if i % 4 == 1 else SupervisionOrder.Level.NORMAL,
        status=scenario.status,
        issued_by=actor,
        issued_at=_at(issued),
        acknowledged_at=times.get(Action.ACKNOWLEDGED),
        first_replied_at=times.get(Action.REPLIED),
        replied_at=times.get(Action.REPLIED),
        closed_at=times.get(Action.CLOSED),
        times_sent_back=sum(1 for action, _ in scenario.steps if action == Action.SENT_BACK),
    )
    host = OrderUnit.objects.create(
        order=order, department_id=departments[0], role=OrderUnit.Role.HOST
    )
    if len(departments) > 1:
        OrderUnit.objects.create(
            order=order, department_id=departments[1], role=OrderUnit.Role.ASSIST
        )
    events = [
        OrderEvent(order=order, action=Action.ISSUED, actor=actor, at=order.issued_at, text=reason)
    ]
    # The host unit's own steps are signed by one of its people when it has one (a demo
    # account), so the print-out does not credit a supervisor with the unit's receipt.
    people = User.objects.filter(department_id=host.department_id, is_active=True).order_by("pk")
    host_person = next((u for u in people if can_handle(u, [host])), None)
    events += [
        OrderEvent(
            order=order,
            action=action,
            actor=(host_person or actor) if action in UNIT_STEPS else actor,
            at=times[action],
            text=STEP_TEXTS[action],
        )
        for action, _ in scenario.steps
    ]
    OrderEvent.objects.bulk_create(events)
    if i % 6 == 0:
        Verification.objects.create(
            plan=plan,
            task_id=task_id,
            department_id=departments[0],
            checked_on=deadline,
            method=Verification.Method.SITE,
            scope="实地查看整改落实情况",
            finding=(Verification.Finding.TRUE, Verification.Finding.UNTRUE)[i // 6 % 2],
            recorded_by=actor,
            recorded_at=_at(deadline, 16),
            order=order,
        )
