"""export_report writes the same workbook as the download."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from supervision.tests.excel_fixtures import load_real_plan, seed_history
from supervision.workbook import DETAIL_SHEET_NAME, SHEET_NAMES


def export(*args):
    out = io.StringIO()
    call_command("export_report", *args, stdout=out)
    return out.getvalue()


def test_export_by_title_writes_the_workbook(world, tmp_path):
    plan = load_real_plan()
    seed_history(plan, user=world.reporter)
    target = tmp_path / "report.xlsx"
    out = export("--plan", plan.title, "--as-of", "2023-06-30", "--output", str(target))
    assert "已导出" in out
    wb = load_workbook(target)
    assert wb.sheetnames == list(SHEET_NAMES)
    assert wb["任务推进情况"].max_row == 3 + 16


def test_export_by_id_with_details(world, tmp_path):
    target = tmp_path / "r.xlsx"
    out = export(
        "--plan", str(world.plan.pk), "--as-of", "2023-06-30", "--details", "--output", str(target)
    )
    assert "填报明细 0 条" in out
    assert load_workbook(target).sheetnames[-1] == DETAIL_SHEET_NAME


def test_default_file_name_is_chinese(world, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    export("--plan", str(world.plan.pk), "--as-of", "2023-06-30")
    assert (tmp_path / "测试推进情况_2023-06-30.xlsx").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "不存在的方案"], "找不到方案"),
        (["--as-of", "30/06/2023"], "YYYY-MM-DD"),
        (["--department", "不存在的单位"], "找不到单位"),
    ],
)
def test_errors_are_clear(world, tmp_path, args, message):
    if "--plan" not in args:
        args = ["--plan", str(world.plan.pk), *args]
    with pytest.raises(CommandError, match=message):
        export(*args, "--output", str(tmp_path / "x.xlsx"))
