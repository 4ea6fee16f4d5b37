"""A unit head's account chores in Debian's Chromium, at desktop and phone widths."""

import os

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from departments.models import User
from departments.roles import sync_role_groups
from huancui_vet.testing import build_world

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("HUANCUI_SHOTS", "")


@pytest.fixture
def e2e_world(transactional_db):
    sync_role_groups(django_apps)  # an earlier transactional test may have flushed the groups
    return build_world()


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_head_adds_a_colleague_and_deactivates_a_reporter(
    e2e_world, page, live_server, e2e_guard, login_page
):
    world = e2e_world
    login_page(world.head)
    page.click("nav a:has-text('本单位账号')")
    assert page.locator("h1").inner_text().startswith("本单位账号")
    shot(page, "people_list_1366")
    page.click("a:has-text('新增账号')")
    page.fill("#id_username", "edu_new")
    page.fill("#id_full_name", "孙新")
    page.fill("#id_email", "sun@example.cn")
    page.select_option("#id_role", "reporter")
    assert page.locator("text=填写后本人可通过邮件找回密码").count() == 1
    page.click("button:has-text('保存')")
    assert page.locator("h1").inner_text() == "账号已创建"
    password = page.locator(".password-once code").inner_text()
    assert User.objects.get(username="edu_new").check_password(password)
    page.click("a:has-text('返回本单位账号')")
    row = page.locator("tr", has_text="edu_reporter")
    row.locator("button:has-text('停用')").click()
    assert page.locator("text=已停用账号 edu_reporter").count() == 1
    assert not User.objects.get(pk=world.reporter.pk).is_active
    page.set_viewport_size({"width": 375, "height": 800})
    shot(page, "people_list_375")
    page.click("header a:has-text('使用说明')")
    assert page.locator("h1").inner_text() == "使用说明 · 部门负责人"
    shot(page, "help_head_375")


def test_login_page_leads_to_the_reset_form(e2e_world, page, live_server, e2e_guard):
    page.goto(live_server.url + reverse("login"))
    page.click("a:has-text('忘记密码')")
    assert page.locator("h1").inner_text() == "通过邮箱找回密码"
    shot(page, "reset_1366")
    page.set_viewport_size({"width": 375, "height": 800})
    page.fill("#id_email", "nobody@example.cn")
    page.click("button:has-text('发送重置邮件')")
    assert page.locator("h1").inner_text() == "请查收邮件"
    shot(page, "reset_done_375")
