"""A supervisor's daily path in Debian's Chromium: filter the review queue, sort a column."""

import datetime
import os

import pytest
import time_machine
from django.apps import apps as django_apps

from departments.roles import sync_role_groups
from huancui_vet.testing import FROZEN_AT, build_world
from reports.tests.factories import submitted

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("HUANCUI_SHOTS", "")


@pytest.fixture
def e2e_world(transactional_db):
    sync_role_groups(django_apps)  # an earlier transactional test may have flushed the groups
    with time_machine.travel(FROZEN_AT, tick=True):
        yield build_world()


def test_supervisor_filters_and_sorts_the_review_queue(
    e2e_world, page, live_server, e2e_guard, login_page
):
    world = e2e_world
    for month in (4, 6, 5):
        submitted(world, period=datetime.date(2023, month, 1))
    submitted(world, user=world.hr_reporter, task=world.task2, period=datetime.date(2023, 5, 1))

    login_page(world.neutral_supervisor)
    page.click("nav a:has-text('审核队列')")
    page.select_option("#id_department", str(world.edu.pk))
    page.click("button:has-text('筛选')")
    assert page.locator("table tbody tr").count() == 3
    page.click("th a:has-text('填报期')")
    page.click("th a:has-text('填报期')")  # second click: newest period first
    assert "sort=-period" in page.url and f"department={world.edu.pk}" in page.url
    periods = page.locator("table tbody tr td:nth-child(5)").all_inner_texts()
    assert periods == ["2023年6月", "2023年5月", "2023年4月"]
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/review_sorted_1366.png")
        page.set_viewport_size({"width": 375, "height": 800})
        page.screenshot(path=f"{SHOTS}/review_sorted_375.png")
