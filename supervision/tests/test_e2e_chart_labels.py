"""The 本期报送情况 chart names every unit at 1366 px (Chart.js must not skip labels)."""

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from departments.roles import sync_role_groups
from huancui_vet.testing import build_world
from supervision.tests.factories import add_department_with_task

pytestmark = pytest.mark.e2e


def test_compliance_chart_labels_every_unit(
    transactional_db, page, live_server, e2e_guard, login_page
):
    sync_role_groups(django_apps)
    world = build_world()
    for i in range(17):
        add_department_with_task(world, i)  # 19 units on the plan, as in the real one
    login_page(world.leader)
    page.goto(live_server.url + reverse("supervision:dashboard") + "?as_of=2023-06-20")
    page.wait_for_load_state("networkidle")
    labels, ticks = page.evaluate(
        """() => {
            const chart = Chart.getChart("chart-compliance");
            return [chart.data.labels.length, chart.scales.y.ticks.length];
        }"""
    )
    assert labels == 19
    assert ticks == labels
