"""Dashboard and scorecard in Debian's Chromium (Playwright), through the real login form."""

import os

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.urls import reverse

from departments.roles import sync_role_groups
from huancui_vet.testing import build_world

pytestmark = pytest.mark.e2e
SHOTS = "/tmp/huancui_c"


@pytest.fixture
def e2e_world(transactional_db):
    """The test world in a transactional database (the live server thread must see it).

    An earlier transactional test flushes the role groups the migrations created.
    """
    sync_role_groups(django_apps)
    return build_world()


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def canvas_sizes(page):
    return page.eval_on_selector_all(
        "canvas", "els => els.map(e => [e.id, e.clientWidth, e.clientHeight])"
    )


@pytest.mark.parametrize("persona", ["neutral_supervisor", "leader"])
def test_dashboard_and_scorecard(e2e_world, page, live_server, e2e_guard, login_page, persona):
    call_command("load_demo_reports", stdout=open(os.devnull, "w"))  # noqa: SIM115
    login_page(getattr(e2e_world, persona))

    page.goto(live_server.url + reverse("supervision:dashboard"))
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text() == "督查看板"
    sizes = canvas_sizes(page)
    assert [s[0] for s in sizes] == ["chart-tasks", "chart-compliance", "chart-targets"]
    assert all(width > 0 and height > 0 for _, width, height in sizes), sizes
    assert page.locator("table.dash-tasks tbody tr").count() == 2
    shot(page, f"dashboard_{persona}")

    # The overdue count opens the compliance drill-down listing exactly those reports.
    overdue = page.locator("#overdue-heading a").inner_text()
    page.click("#overdue-heading a")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text() == "报送情况明细"
    assert page.locator("#rows-heading").inner_text() == f"逾期未报（共{overdue}份）"
    shot(page, f"compliance_{persona}")
    page.goto(live_server.url + reverse("supervision:dashboard"))
    page.wait_for_load_state("networkidle")

    page.click("a.button:has-text('部门评分')")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text() == "部门评分"
    assert page.locator("table.table tbody tr").count() == 2
    shot(page, f"scorecard_{persona}")
    page.locator("table.table tbody tr td a").first.click()
    page.wait_for_load_state("networkidle")
    assert "得分构成" in page.content()
    shot(page, f"department_{persona}")

    if persona == "leader":
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(live_server.url + reverse("supervision:dashboard"))
        page.wait_for_load_state("networkidle")
        assert all(w > 0 and h > 0 for _, w, h in canvas_sizes(page))
        shot(page, "dashboard_phone")
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(live_server.url + reverse("supervision:dashboard_print"))
        page.emulate_media(media="print")
        page.wait_for_load_state("networkidle")
        shot(page, "dashboard_print")
        page.pdf(path=f"{SHOTS}/dashboard_print.pdf", prefer_css_page_size=True)


def test_reporter_is_refused(e2e_world, page, live_server, e2e_guard, login_page):
    login_page(e2e_world.reporter)
    for name in ("supervision:dashboard", "supervision:compliance", "supervision:scorecard"):
        response = page.goto(live_server.url + reverse(name))
        assert response.status == 403
        assert page.locator("canvas").count() == 0
    # The refusal itself is logged by Chromium as a failed resource load: expected here.
    e2e_guard[:] = [p for p in e2e_guard if "status of 403" not in p]


def test_public_page_without_login(e2e_world, page, live_server, e2e_guard):
    response = page.goto(
        live_server.url + reverse("supervision:public_plan", args=[e2e_world.plan.pk])
    )
    assert response.status == 200
    assert e2e_world.plan.title in page.locator("h1").inner_text()
