"""The whole reporting cycle in Debian's Chromium (Playwright), through the real login form."""

import pytest
from django.urls import reverse

from reports.models import Report, ReportState
from reports.tests.factories import PDF_BYTES

pytestmark = pytest.mark.e2e
SHOTS = "/tmp/huancui_b1"


def shot(page, name):
    import os

    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_report_cycle_submit_return_revise_accept(
    transactional_db, world, page, live_server, e2e_guard, login_page, tmp_path
):
    evidence = tmp_path / "实训基地验收报告.pdf"
    evidence.write_bytes(PDF_BYTES)

    # The reporter fills in a report, attaches a PDF and submits it.
    login_page(world.reporter)
    assert page.locator("h1").first.inner_text() == "我的任务"
    shot(page, "01_my_tasks")
    page.click(f"a:has-text('{world.task1.content[:10]}')")
    page.locator("a.button:has-text('填报')").first.click()
    page.select_option("#id_progress_status", "on_track")
    page.fill("#id_percent", "40")
    page.fill("#id_work_done", "完成实训基地选址和设计。")
    page.fill(f"#id_target_{world.target1.pk}", "32")
    shot(page, "02_report_form")
    page.click("button:has-text('保存草稿')")
    page.set_input_files("#id_file", str(evidence))
    page.click("button:has-text('上传')")
    assert page.locator("a:has-text('实训基地验收报告.pdf')").count() == 1
    page.click("button:has-text('报送')")
    assert "已报送待审核" in page.locator("h1").inner_text()
    report = Report.objects.get()
    assert report.state == ReportState.SUBMITTED and report.evidence.count() == 1

    # A supervisor of no reporting department returns it with a comment.
    login_page(world.neutral_supervisor)
    shot(page, "03_review_queue")
    page.click("table a:has-text('审核')")
    shot(page, "04_review_detail")
    page.fill("#return_comment", "请补充实训基地建设进度照片。")
    page.click("button:has-text('退回修改')")
    assert Report.objects.get().state == ReportState.RETURNED

    # The reporter sees the mark, revises and resubmits.
    login_page(world.reporter)
    assert page.locator("text=已退回，请修改").count() == 1
    page.locator("table a:has-text('2024年12月')").first.click()
    assert page.locator("text=请补充实训基地建设进度照片。").count() >= 1
    page.click("a.button:has-text('修改')")
    page.fill("#id_work_done", "完成实训基地选址和设计，补充建设进度照片。")
    page.click("button:has-text('保存草稿')")
    page.click("button:has-text('报送')")
    assert Report.objects.get().state == ReportState.SUBMITTED

    # The supervisor compares the two submissions and accepts.
    login_page(world.neutral_supervisor)
    page.click("table a:has-text('审核')")
    page.click("a:has-text('对比两次报送')")
    assert page.locator("ins.diff-ins").count() >= 1
    shot(page, "05_compare")
    page.go_back()
    page.click("button:has-text('审核通过')")
    assert Report.objects.get().state == ReportState.ACCEPTED

    # The task page shows the accepted status, for the supervisor and on a phone.
    page.goto(live_server.url + reverse("reports:task_detail", args=[world.task1.pk]))
    assert page.locator("table .badge:has-text('审核通过')").count() == 1
    shot(page, "06_task_page")
    login_page(world.reporter)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + reverse("reports:task_detail", args=[world.task1.pk]))
    assert page.locator("table .badge:has-text('审核通过')").count() >= 1
    shot(page, "07_task_page_phone")
    page.goto(live_server.url + reverse("reports:my_tasks"))
    shot(page, "08_my_tasks_phone")
    page.goto(live_server.url + reverse("reports:report_detail", args=[report.pk]))
    shot(page, "09_report_phone")
