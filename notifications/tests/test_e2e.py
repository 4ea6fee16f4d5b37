"""In Chromium: a supervisor returns a report, the reporter's bell shows 1, the inbox opens it."""

import os

import pytest
from django.urls import reverse

from notifications.models import Notice
from reports.models import Report, ReportState
from reports.tests.factories import submitted

pytestmark = pytest.mark.e2e
SHOTS = "/tmp/huancui_notifications"


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_returned_report_reaches_the_reporters_bell_and_inbox(
    transactional_db, world, page, live_server, e2e_guard, login_page
):
    report = submitted(world)
    login_page(world.neutral_supervisor)
    page.goto(live_server.url + reverse("reports:report_detail", args=[report.pk]))
    page.fill("#return_comment", "请补充实训基地建设进度照片。")
    page.click("button:has-text('退回修改')")
    assert Report.objects.get().state == ReportState.RETURNED

    login_page(world.reporter)
    bell = page.locator("[data-testid=bell-count]")
    assert bell.inner_text() == "1"
    shot(page, "01_bell")
    page.click("a.bell")
    assert page.locator("h1").inner_text() == "我的消息"
    assert page.locator(".notice--unread").count() == 1
    shot(page, "02_inbox")
    page.click("button.notice__title:has-text('报告被退回')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(reverse("reports:report_detail", args=[report.pk]))
    assert page.locator("text=请补充实训基地建设进度照片。").count() >= 1
    assert page.locator("[data-testid=bell-count]").count() == 0
    assert Notice.objects.get(recipient=world.reporter).is_read
    shot(page, "03_report")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + reverse("notifications:inbox"))
    shot(page, "04_inbox_phone")


def test_settings_pages_render(transactional_db, world, page, live_server, e2e_guard, login_page):
    login_page(world.head)
    page.goto(live_server.url + reverse("notifications:settings"))
    page.check("input[name=email_mode][value=digest]")
    page.click("button:has-text('保存')")
    assert page.locator("text=提醒设置已保存。").count() == 1
    shot(page, "05_settings")
    page.click("a:has-text('本单位群机器人')")
    page.fill("#id_dingtalk-url", "http://bot.test/robot/send")
    page.click("button:has-text('保存')")
    assert page.locator("text=Webhook 地址必须以 https:// 开头。").count() == 1
    shot(page, "06_unit_bots_error")
