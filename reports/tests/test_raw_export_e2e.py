"""A leader's daily path in Debian's Chromium: dashboard → 原始数据 CSV download."""

import codecs
import csv
import io
import os

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from departments.roles import sync_role_groups
from huancui_vet.testing import build_world

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("HUANCUI_SHOTS", "")


@pytest.fixture
def e2e_world(transactional_db):
    sync_role_groups(django_apps)  # an earlier transactional test may have flushed the groups
    return build_world()


def test_leader_downloads_raw_csv_from_the_dashboard(
    e2e_world, page, live_server, e2e_guard, login_page, tmp_path
):
    call_command("load_demo_reports", stdout=open(os.devnull, "w"))  # noqa: SIM115
    login_page(e2e_world.leader)
    page.click("nav a:has-text('督查看板')")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/dashboard_raw_1366.png")
    # The button starts a background job (inline in tests) and leads to its page.
    page.click("button:has-text('原始数据（CSV）')")
    page.wait_for_url("**/jobs/*/")
    assert page.locator("[data-job-status]").inner_text() == "已完成"
    with page.expect_download() as info:
        page.click("a:has-text('下载')")
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    path = tmp_path / "raw.csv"
    download.save_as(path)
    body = path.read_bytes()
    assert body.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows and {"下一步计划", "指标实际值", "佐证材料", "审核与退回意见"} <= set(rows[0])
    assert {r["单位"] for r in rows} <= {d.name for d in (e2e_world.edu, e2e_world.hr)}
