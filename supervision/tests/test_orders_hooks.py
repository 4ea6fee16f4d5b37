"""Orders and verifications appear on a task's printed record and in the header search,
for those who may see them only."""

import datetime

import time_machine
from django.urls import reverse

from supervision.orders import services
from supervision.tests.orders_fixtures import at, issue


def _verify(world):
    with time_machine.travel(at(datetime.date(2023, 7, 12)), tick=False):
        return services.verification_record(
            user=world.neutral_supervisor,
            task=world.task1,
            department=world.edu,
            checked_on=datetime.date(2023, 7, 11),
            method="site",
            scope="实训基地建设现场",
            finding="true",
        )


def test_printed_task_record_lists_orders_and_verifications(client, world):
    order = issue(world)
    _verify(world)
    client.force_login(world.reporter)
    html = client.get(reverse("reports:task_print", args=[world.task1.pk])).content.decode()
    assert "督办与核实" in html
    assert order.number in html and "6月进展报告逾期未报。" in html
    assert "实训基地建设现场" in html and "2023年7月11日" in html


def test_printed_record_without_orders_has_no_supervision_section(client, world):
    client.force_login(world.reporter)
    html = client.get(reverse("reports:task_print", args=[world.task1.pk])).content.decode()
    assert "督办与核实" not in html


def test_search_finds_an_order_only_for_units_named_on_it(client, world):
    order = issue(world, assisting=[])
    url = reverse("reports:search") + "?q=" + order.number
    link = f'href="{reverse("supervision:order_detail", args=[order.pk])}"'
    client.force_login(world.reporter)
    assert link in client.get(url).content.decode()
    client.force_login(world.hr_reporter)  # 人社局 is not named on this order
    assert link not in client.get(url).content.decode()
    client.force_login(world.leader)
    assert link in client.get(url).content.decode()
