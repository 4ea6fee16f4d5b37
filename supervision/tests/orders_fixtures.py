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
