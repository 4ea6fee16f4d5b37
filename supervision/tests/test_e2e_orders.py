"""The whole 督办 path in Debian's Chromium: issue from a red dashboard line, acknowledge,
reply with a PDF, send back, reply again, close; colour and scorecard checked at each step."""

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
from supervision.orders.models import SupervisionOrder

pytestmark = pytest.mark.e2e
SHOTS = "/tmp/huancui_orders"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Inside the test plan: June's reports were due on 5 July, so task 1 is red (lead overdue).
START = datetime.datetime(2023, 7, 10, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def e2e_world(transactional_db):
    sync_role_groups(django_apps)
    return build_world()


@pytest.fixture
def clock():
    # tick=True: the live server and the browser session see a running clock in July 2023.
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def open_page(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page.content()


def edu_orders_line(page, live_server, world):
    """The 督办单办理 section of 教体局's score drill-down (plan window, as of today)."""
    url = reverse("supervision:department_score", args=[world.edu.pk])
    open_page(page, f"{live_server.url}{url}?plan={world.plan.pk}&period_kind=plan")
    return page.locator("body").inner_text()


def test_issue_reply_send_back_reply_close(
    e2e_world, clock, page, live_server, e2e_guard, login_page, tmp_path
):
    world = e2e_world
    evidence = tmp_path / "整改报告.pdf"
    evidence.write_bytes(PDF_BYTES)

    # 1. The supervisor issues an order from task 1's red line on the dashboard.
    login_page(world.neutral_supervisor)
    open_page(page, live_server.url + reverse("supervision:dashboard"))
    line = page.locator(".lagging-list li", has=page.locator(".light--red")).first
    assert "任务1" in line.inner_text()
    shot(page, "1_dashboard_red_line")
    line.locator("a[data-issue-order]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_host").input_value() == str(world.edu.pk)  # prefilled
    assert "逾期" in page.locator("#id_reason").input_value()
    page.fill("#id_requirement", "7月20日前补报6月进展报告并说明逾期原因。")
    page.fill("#id_deadline", "2023-07-20")
    page.click("button:has-text('下发')")
    page.wait_for_load_state("networkidle")
    order = SupervisionOrder.objects.get()
    assert order.source == "dashboard"
    assert "绿色（正常）" in page.locator("h1").inner_text()
    assert "本期未被督办" in edu_orders_line(page, live_server, world)  # in time: not scored
    open_page(page, live_server.url + reverse("supervision:dashboard"))
    assert "未办结 1 件：红色 0 · 黄色 0 · 绿色 1" in page.locator("#orders").inner_text()
    shot(page, "1b_dashboard_orders")

    # 2. The unit acknowledges and replies with a PDF.
    login_page(world.reporter)
    assert order.number in open_page(page, live_server.url + reverse("reports:my_tasks"))
    page.click(f"a:has-text('{order.number}')")
    page.wait_for_load_state("networkidle")
    page.click("button:has-text('签收')")
    page.wait_for_load_state("networkidle")
    page.fill("#reply-form textarea", "已补报6月进展报告。")
    page.set_input_files("#reply-form input[type=file]", str(evidence))
    page.click("button:has-text('提交反馈')")
    page.wait_for_load_state("networkidle")
    assert "已反馈" in page.content() and "整改报告.pdf" in page.content()
    shot(page, "2_replied")

    # 3. The supervisor sends it back; the scorecard already counts the reply.
    login_page(world.neutral_supervisor)
    assert "按时反馈（2023年7月10日），未办结" in edu_orders_line(page, live_server, world)
    open_page(page, live_server.url + reverse("supervision:order_detail", args=[order.pk]))
    page.fill("form[action$='send-back/'] textarea", "未附佐证，请补充。")
    page.click("button:has-text('退回重办')")
    page.wait_for_load_state("networkidle")
    assert "退回重办" in page.locator("p.muted").first.inner_text()
    assert "退回重办1次" in edu_orders_line(page, live_server, world)

    # 4. Eight days later the order is amber (3 days left); the unit replies again.
    clock.move_to(datetime.datetime(2023, 7, 17, 9, 0, tzinfo=SHANGHAI))
    login_page(world.reporter)
    open_page(page, live_server.url + reverse("supervision:order_detail", args=[order.pk]))
    assert "黄色（预警）" in page.locator("h1").inner_text()
    open_page(page, live_server.url + reverse("reports:my_tasks"))
    assert "黄色（预警）" in page.locator("#my-orders-heading ~ .table-wrap").inner_text()
    shot(page, "4a_my_tasks_amber")
    open_page(page, live_server.url + reverse("supervision:order_detail", args=[order.pk]))
    page.fill("#reply-form textarea", "已补充佐证材料。")
    page.set_input_files("#reply-form input[type=file]", str(evidence))
    page.click("button:has-text('提交反馈')")
    page.wait_for_load_state("networkidle")
    shot(page, "4_replied_again_amber")

    # 5. The supervisor closes it: closed on every page, scored 1 − 20% for the send-back.
    login_page(world.neutral_supervisor)
    open_page(page, live_server.url + reverse("supervision:order_detail", args=[order.pk]))
    page.click("form[action$='close/'] button")
    page.wait_for_load_state("networkidle")
    assert "已办结" in page.locator("h1").inner_text()
    order.refresh_from_db()
    assert order.status == "closed"
    text = edu_orders_line(page, live_server, world)
    assert "按时反馈（2023年7月10日），退回重办1次，已办结" in text
    shot(page, "5_scorecard_closed")
    open_page(page, live_server.url + reverse("supervision:order_print", args=[order.pk]))
    page.emulate_media(media="print")
    shot(page, "6_print")
    page.pdf(path=f"{SHOTS}/order_print.pdf", prefer_css_page_size=True)
