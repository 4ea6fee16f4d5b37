"""The plan-import page in Debian's Chromium: upload a Word attachment, preview, map, import."""

import os

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from departments.roles import sync_role_groups
from huancui_vet.testing import build_world
from tasks.models import Plan, Task
from tasks.tests.helpers import make_docx

pytestmark = pytest.mark.e2e
SHOTS = "/tmp/huancui_plan_import"


@pytest.fixture
def e2e_world(transactional_db):
    sync_role_groups(django_apps)  # an earlier transactional test may have flushed them
    return build_world()


def _shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_admin_imports_a_word_attachment(e2e_world, live_server, e2e_guard, login_page, tmp_path):
    header = ["序号", "任务内容", "牵头单位", "责任单位", "完成时限", "目标"]
    rows = [
        header,
        ["一、完善办学条件", None, None, None, None, None],
        ["1", "改善实训条件", "区教育体育局", "区财政局、各镇街", "2024年底前", "建成实训基地2个"],
        ["2", "建设双师队伍", "区人社局", "区新设中心", "持续推进", "双师型教师占比达到50%"],
    ]
    path = tmp_path / "附件.docx"
    path.write_bytes(
        make_docx(
            [{"rows": rows, "merges": [(1, 0, 1, 5)]}],
            title_lines=["样例方案任务分工（2024—2026年）"],
        )
    )
    page = login_page(e2e_world.admin)
    page.goto(live_server.url + reverse("admin:tasks_plan_import_attachment"))
    _shot(page, "1-upload")
    page.set_input_files("input[name=file]", str(path))
    page.click("input[name=_preview]")
    page.wait_for_load_state("networkidle")
    assert page.locator("text=预览（尚未写入）").count() == 1
    assert page.input_value("select[name=unit_0]") == str(e2e_world.hr.pk)  # 区人社局 suggested
    assert page.input_value("input[name=start_year]") == "2024"
    _shot(page, "2-preview")
    page.select_option("select[name=unit_1]", "new")
    page.click("input[name=_confirm]")
    page.wait_for_load_state("networkidle")
    _shot(page, "3-imported")
    assert page.locator(".messagelist").inner_text().startswith("导入方案附件《样例方案》")
    plan = Plan.objects.get(title="样例方案")
    assert (plan.start_year, plan.end_year) == (2024, 2026)
    assert list(Task.objects.filter(plan=plan).values_list("number", flat=True)) == [1, 2]

    # 方案调整: the revised attachment moves 区财政局 to lead and adds a task.
    rows[2][2:4] = ["区教育体育局、区财政局", "各镇街"]
    rows.append(["3", "开展职业体验", "区财政局", "", "2025年6月", ""])
    path.write_bytes(make_docx([{"rows": rows, "merges": [(1, 0, 1, 5)]}]))
    page.click("text=方案调整（导入修订后的附件）")
    page.set_input_files("input[name=file]", str(path))
    page.click("input[name=_preview]")
    page.wait_for_load_state("networkidle")
    assert page.locator("text=任务 1 区财政局 由责任单位改为牵头单位").count() == 1
    _shot(page, "4-amend-preview")
    page.fill("input[name=document_number]", "样政办发〔2025〕1号")
    page.fill("input[name=effective_date]", "2025-03-01")
    page.click("input[name=_confirm]")
    page.wait_for_load_state("networkidle")
    assert plan.amendments.get().document_number == "样政办发〔2025〕1号"
    page.goto(live_server.url + reverse("tasks:plan_detail", args=[plan.pk]))
    _shot(page, "5-plan-page")
    assert page.locator("#amendments").count() == 1
