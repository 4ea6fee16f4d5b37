"""The plan page's QR code renders in Chromium, and the login page leads to the public page."""

import os

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from departments.roles import sync_role_groups
from huancui_vet.testing import build_world

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("HUANCUI_SHOTS", "")


@pytest.fixture
def e2e_world(transactional_db):
    sync_role_groups(django_apps)  # an earlier transactional test may have flushed the groups
    return build_world()


def test_qr_on_plan_page_and_public_page_from_login(
    e2e_world, page, live_server, e2e_guard, login_page
):
    page.goto(live_server.url + reverse("login"))
    page.click("a:has-text('不登录查看公开发布的任务进展')")
    page.click(f"a:has-text('{e2e_world.plan.title}')")
    assert page.url == live_server.url + f"/public/{e2e_world.plan.pk}/"
    assert page.locator("h1").inner_text() == e2e_world.plan.title

    login_page(e2e_world.reporter)
    page.goto(live_server.url + reverse("tasks:plan_detail", kwargs={"pk": e2e_world.plan.pk}))
    qr = page.locator("figure.public-qr img")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/plan_qr_1366.png")
        page.set_viewport_size({"width": 375, "height": 800})
        page.screenshot(path=f"{SHOTS}/plan_qr_375.png")
