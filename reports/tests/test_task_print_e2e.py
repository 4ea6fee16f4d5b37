"""The task record printed by Chromium: one A4 portrait document with Chinese text."""

import os
import re
import subprocess

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.urls import reverse

from departments.roles import sync_role_groups
from huancui_vet.testing import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.render]
SHOTS = os.environ.get("HUANCUI_SHOTS", "")


@pytest.fixture
def e2e_world(transactional_db):
    sync_role_groups(django_apps)  # an earlier transactional test may have flushed the groups
    return build_world()


def test_task_record_prints_on_a4_portrait(
    e2e_world, page, live_server, e2e_guard, login_page, soffice, tmp_path
):
    call_command("load_demo_reports", stdout=open(os.devnull, "w"))  # noqa: SIM115
    login_page(e2e_world.reporter)
    page.goto(live_server.url + reverse("reports:task_detail", kwargs={"pk": e2e_world.task1.pk}))
    page.click("a:has-text('打印推进档案')")
    assert "推进档案" in page.locator("h1").inner_text()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/task_print_1366.png", full_page=True)
        page.set_viewport_size({"width": 375, "height": 800})
        page.screenshot(path=f"{SHOTS}/task_print_375.png")
    page.emulate_media(media="print")
    target = tmp_path / "record.pdf"
    page.pdf(path=str(target), prefer_css_page_size=True, print_background=True)
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True)
    width, height = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts \(A4\)", info.stdout).groups()
    assert float(width) < float(height)  # portrait
    text = subprocess.run(
        ["pdftotext", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "推进档案" in text and e2e_world.task1.content[:8] in text
    assert "我的任务" not in text  # no navigation on paper
    if SHOTS:
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                str(target),
                f"{SHOTS}/task_print_pdf",
            ],
            check=True,
        )
