"""The job page in Chromium: the bar follows the job, the finished page offers the file."""

import io
import os

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from playwright.sync_api import expect

from departments.roles import sync_role_groups
from huancui_vet.testing import build_world
from jobs.models import Job
from jobs.services import JobContext

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("HUANCUI_SHOTS", "")


@pytest.fixture
def e2e_world(transactional_db, echo_kind):
    sync_role_groups(django_apps)  # an earlier transactional test may have flushed the groups
    return build_world()


@pytest.mark.parametrize("width", [1366, 390])
def test_the_progress_bar_moves_and_the_download_appears(
    e2e_world, echo_kind, page, live_server, e2e_guard, login_page, width
):
    page.set_viewport_size({"width": width, "height": 900})
    job = Job.objects.create(kind=echo_kind, created_by=e2e_world.leader, params={"text": "e2e"})
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING,
        attempts=1,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        progress_done=1200,
        progress_total=3000,
    )
    login_page(e2e_world.leader)
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    assert page.locator("[data-job-status]").inner_text() == "处理中"
    assert page.locator("[data-job-percent]").inner_text() == "40%"
    Job.objects.filter(pk=job.pk).update(progress_done=2250, heartbeat_at=timezone.now())
    expect(page.locator("[data-job-percent]")).to_have_text("75%", timeout=15000)
    assert page.locator("[data-job-bar]").get_attribute("value") is not None
    assert page.eval_on_selector("[data-job-bar]", "bar => bar.value") == 75
    assert page.locator("[data-job-count]").inner_text() == "（2250 / 3000）"
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/job_running_{width}.png", full_page=True)

    # The worker finishes: the page reloads by itself and offers the file.
    job.refresh_from_db()
    context = JobContext(job)
    context.progress(3000, 3000)
    context.save_file(io.BytesIO(b"done"), filename="结果.txt", content_type="text/plain")
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE, message="已导出 3000 行。", finished_at=timezone.now()
    )
    page.wait_for_selector("a:has-text('下载 结果.txt')", timeout=15000)
    assert page.locator("[data-job-status]").inner_text() == "已完成"
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/job_done_{width}.png", full_page=True)
    with page.expect_download() as info:
        page.click("a:has-text('下载 结果.txt')")
    assert info.value.suggested_filename == "结果.txt"
    page.click(".user-box a:has-text('我的导出')")
    assert page.locator("table tbody tr").count() == 1
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/job_list_{width}.png", full_page=True)
