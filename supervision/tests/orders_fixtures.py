"""Builders for supervision-order tests (the world is huancui_vet/testing.py's)."""

import datetime
import zoneinfo

import time_machine

from reports.tests.factories import pdf
from supervision.orders import services

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ISSUED_AT = datetime.datetime(2023, 7, 10, 10, 0, tzinfo=SHANGHAI)
DEADLINE = datetime.date(2023, 7, 20)


def at(day, hour=10):
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


def issue(world, *, deadline=DEADLINE, when=ISSUED_AT, task=None, host=None, **extra):
    with time_machine.travel(when, tick=False):
        return services.order_issue(
            user=world.neutral_supervisor,
            task=task or world.task1,
            host=host or world.edu,
            assisting=extra.pop("assisting", [world.hr]),
            reason="6月进展报告逾期未报。",
            requirement="7月20日前报送并说明原因。",
            deadline=deadline,
            **extra,
        )


def acknowledge_and_reply(world, order, *, when, text="已整改完毕。"):
    with time_machine.travel(when, tick=False):
        if order.status == "issued":
            order = services.order_acknowledge(user=world.reporter, order=order)
        return services.order_reply(user=world.reporter, order=order, text=text, files=[pdf()])


def urge(world, order, when):
    with time_machine.travel(when, tick=False):
        return services.order_urge(user=world.neutral_supervisor, order=order, message="请抓紧。")


def bulk_orders(plan, count, *, issuer, start=datetime.date(2023, 1, 2), batch=2000):
    """`count` orders on `plan` written with bulk_create (tests of scale and the benchmark).

    Orders cycle through the plan's tasks (主办: the task's first unit, 协办: the second) and
    through every stage: issued, acknowledged, urged, replied, sent back, closed; one in ten
    gets an on-site verification. Deadlines spread over a year from `start`, so an as-of date
    inside that year sees every colour.
    """
    from django.db import transaction

    from supervision.orders.models import (
        OrderEvent,
        OrderUnit,
        SupervisionOrder,
        Verification,
    )
    from tasks.models import TaskAssignment

    assignments = {}
    for a in TaskAssignment.objects.filter(task__plan=plan).order_by("task_id", "position", "pk"):
        assignments.setdefault(a.task_id, []).append(a.department_id)
    task_ids = sorted(assignments)
    first = SupervisionOrder.objects.order_by("-sequence").values_list("sequence", flat=True)
    base = (first.first() or 0) + 1
    for offset in range(0, count, batch):
        size = min(batch, count - offset)
        with transaction.atomic():
            orders = []
            for i in range(offset, offset + size):
                issued = start + datetime.timedelta(days=i % 300)
                deadline = issued + datetime.timedelta(days=5 + i % 40)
                orders.append(
                    SupervisionOrder(
                        number=f"基准督〔{start.year}〕{base + i}号",
                        year=start.year,
                        sequence=base + i,
                        plan=plan,
                        task_id=task_ids[i % len(task_ids)],
                        reason="逾期未报",
                        requirement="限期整改",
                        deadline=deadline,
                        original_deadline=deadline,
                        status="issued",
                        issued_by=issuer,
                        issued_at=at(issued),
                    )
                )
            orders = SupervisionOrder.objects.bulk_create(orders)
            units, events, checks = [], [], []
            for i, order in zip(range(offset, offset + size), orders, strict=True):
                depts = assignments[order.task_id]
                units.append(OrderUnit(order=order, department_id=depts[0], role="host"))
                if len(depts) > 1:
                    units.append(OrderUnit(order=order, department_id=depts[1], role="assist"))
                day = order.issued_at
                steps = ["issued"] + [
                    "acknowledged",
                    "urged",
                    "replied",
                    "sent_back",
                    "replied",
                    "closed",
                ][: i % 8]
                for n, action in enumerate(steps):
                    events.append(
                        OrderEvent(
                            order=order,
                            action=action,
                            actor=issuer,
                            at=day + datetime.timedelta(days=2 * n),
                            text="",
                        )
                    )
                if i % 10 == 0:
                    checks.append(
                        Verification(
                            plan=plan,
                            task_id=order.task_id,
                            department_id=depts[0],
                            checked_on=order.deadline,
                            method="site",
                            scope="核实",
                            finding=("true", "mostly_true", "untrue")[i % 3],
                            recorded_by=issuer,
                            recorded_at=order.issued_at,
                        )
                    )
            OrderUnit.objects.bulk_create(units)
            OrderEvent.objects.bulk_create(events)
            Verification.objects.bulk_create(checks)
