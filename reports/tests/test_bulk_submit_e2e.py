"""Daily paths in Debian's Chromium: a reporter searches, opens a task, then submits the
unit's drafts from one page; a head signs off several at once."""

import datetime
import os

import pytest
import time_machine
from django.apps import apps as django_apps

from departments.roles import sync_role_groups
from huancui_vet.testing import FROZEN_AT, build_world
from reports.models import Report, ReportState
from reports.tests.factories import draft

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("HUANCUI_SHOTS", "")
MONTHS = [datetime.date(2023, m, 1) for m in (4, 5, 6)]


@pytest.fixture
def e2e_world(transactional_db):
    sync_role_groups(django_apps)  # an earlier transactional test may have flushed the groups
    with time_machine.travel(FROZEN_AT, tick=True):
        yield build_world(requires_head_signoff=True)


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_reporter_submits_drafts_then_head_signs_off_several(
    e2e_world, page, live_server, e2e_guard, login_page
):
    world = e2e_world
    drafts = [draft(world, period=month) for month in MONTHS]

    login_page(world.reporter)
    page.fill("#header-q", "实训设施")
    page.press("#header-q", "Enter")
    assert page.locator("h1").first.inner_text() == "搜索"
    shot(page, "search_1366")
    page.click("ul.search-results a:has-text('任务 1')")
    assert page.locator("h1").first.inner_text().startswith("任务 1")
    page.click("nav a:has-text('批量填报')")
    page.click("a:has-text('核对草稿并一次报送')")
    assert page.locator("table.bulk-review tbody tr").count() == 3
    page.uncheck(f"#report-{drafts[0].pk}")
    shot(page, "bulk_review_1366")
    page.set_viewport_size({"width": 375, "height": 800})
    shot(page, "bulk_review_375")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.click("button:has-text('报送所选报告')")
    assert page.locator("text=已报送 2 份报告").count() == 1
    states = [Report.objects.get(pk=d.pk).state for d in drafts]
    assert states == [ReportState.DRAFT] + [ReportState.AWAITING_SIGNOFF] * 2

    login_page(world.head)
    page.click("nav a:has-text('待我签批')")
    for checkbox in page.locator("input[name=report]").all():
        checkbox.check()
    shot(page, "signoff_several_1366")
    page.click("button:has-text('签批所选报告')")
    assert page.locator("text=已签批 2 份报告").count() == 1
    states = [Report.objects.get(pk=d.pk).state for d in drafts]
    assert states == [ReportState.DRAFT] + [ReportState.SUBMITTED] * 2
