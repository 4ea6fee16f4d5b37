"""The 年度考评 path in Debian's Chromium: a supervisor drafts the 2023 evaluation with one
加分, the leader approves it, and 人社局's reporter sees only 人社局's published line."""

import datetime
import os
import zoneinfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.urls import reverse

from departments.roles import sync_role_groups
from huancui_vet.testing import build_world
from reports.tests.factories import PDF_BYTES
from supervision.evaluation.models import Evaluation
from supervision.tests.factories import february_sent

pytestmark = pytest.mark.e2e
SHOTS = "/tmp/huancui_evaluation"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2024, 1, 10, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def e2e_world(transactional_db):
    sync_role_groups(django_apps)
    world = build_world()
    february_sent(world)
    return world


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def go(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


def click(page, selector):
    page.click(selector)
    page.wait_for_load_state("networkidle")


def test_draft_with_one_adjustment_approve_and_the_unit_sees_its_line(
    e2e_world, clock, page, live_server, e2e_guard, login_page, tmp_path
):
    world = e2e_world
    evidence = tmp_path / "市级表彰通报.pdf"
    evidence.write_bytes(PDF_BYTES)

    # 1. The supervisor opens the 2023 evaluation and adds one 加分 for 人社局.
    login_page(world.neutral_supervisor)
    url = reverse("supervision:scorecard")
    go(page, f"{live_server.url}{url}?plan={world.plan.pk}&period_kind=month&period=2023-02-01")
    assert "牵头单位组得分排名" in page.content() and "方案累计" in page.content()
    shot(page, "0_scorecard_groups")
    click(page, "nav a:has-text('年度考评')")
    page.select_option("#id_plan", str(world.plan.pk))
    page.fill("#id_year", "2023")
    click(page, "button:has-text('创建草稿')")
    assert "2023年度考评" in page.locator("h1").inner_text()
    assert "草稿" in page.locator("[data-status]").inner_text()
    form = page.locator("#adjustment-form")
    form.locator("#id_department").select_option(str(world.hr.pk))
    form.locator("#id_kind").select_option("bonus")
    form.locator("#id_amount").fill("3")
    form.locator("#id_reason").fill("获市级职业教育工作表彰")
    form.locator("#id_file").set_input_files(str(evidence))
    click(page, "#adjustment-form button:has-text('录入')")
    assert "获市级职业教育工作表彰" in page.content()
    shot(page, "1_draft_with_adjustment")
    click(page, "button:has-text('提交审定')")
    assert "提交审定" in page.locator("[data-status]").inner_text()

    # 2. The leader approves: the result is published and frozen.
    login_page(world.leader)
    click(page, "nav a:has-text('年度考评')")
    click(page, "a:has-text('2023年度')")
    click(page, "button:has-text('审定并发布')")
    assert "已发布" in page.locator("[data-status]").inner_text()
    evaluation = Evaluation.objects.get()
    assert evaluation.status == "published" and evaluation.approved_by == world.leader
    shot(page, "2_published")
    go(page, live_server.url + reverse("supervision:evaluation_print", args=[evaluation.pk]))
    page.emulate_media(media="print")
    shot(page, "2b_print")
    page.emulate_media(media="screen")

    # 3. 人社局's reporter sees its own published line only.
    login_page(world.hr_reporter)
    click(page, "nav a:has-text('年度考评')")
    click(page, "a:has-text('2023年度')")
    body = page.locator("main").inner_text()
    assert "人社局" in body and "45.2" in body and "获市级职业教育工作表彰" in body
    assert "教体局" not in body and "妇联" not in body
    click(page, "a:has-text('人社局')")
    assert "牵头单位组第1名" in page.locator("main").inner_text()
    shot(page, "3_unit_line")
