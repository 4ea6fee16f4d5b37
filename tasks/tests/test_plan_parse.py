"""Reading attachment cells: open-ended wording, unit suggestions, years, deadlines, targets."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from departments.models import Department
from tasks.attachment_table import title_name, title_years
from tasks.deadlines import parse_deadline, parse_targets
from tasks.models import DepartmentAlias, OpenEndedPhrase, Plan, Task
from tasks.plan_export import plan_export_rows
from tasks.plan_import import PlanImportError, plan_import_file, plan_import_preview
from tasks.tests.helpers import make_xlsx
from tasks.units import UnitDirectory, join_units, split_units

HEADER = ["序号", "任务内容", "牵头单位", "责任单位"]


@pytest.fixture
def units(db):
    names = ["教育部", "人力资源社会保障部", "区人力资源社会保障局", "区教育体育局", "区财政局"]
    return {n: Department.objects.create(name=n, sort_order=i) for i, n in enumerate(names)}


def _file(rows):
    return make_xlsx([["某方案任务分工（2021—2025年）"], HEADER, *rows])


# --- open-ended wording is a note, never a unit


@pytest.mark.parametrize(
    ("cell", "names", "note"),
    [
        ("教育部、各地有关部门", ["教育部"], "、各地有关部门"),
        ("教育部，相关省份有关部门", ["教育部"], "，相关省份有关部门"),
        ("各有关单位", [], "各有关单位"),
        ("教育部及有关行业主管部门", ["教育部"], "及有关行业主管部门"),
        ("区教育体育局、各镇街、各学校", ["区教育体育局"], "、各镇街、各学校"),
        ("各地有关部门、教育部", ["教育部"], "、各地有关部门"),
        ("区财政局等", ["区财政局"], "等"),
    ],
)
def test_open_ended_phrases_are_notes(units, cell, names, note):
    parsed = UnitDirectory.load().split(cell)
    assert (parsed.names, parsed.note) == (names, note)


def test_the_phrase_list_is_data_an_admin_extends(units):
    import importlib

    from django.apps import apps

    seed = importlib.import_module("tasks.migrations.0006_open_ended_phrases_data")
    seed.add_phrases(apps, None)  # what migrate ran (an earlier flush may have emptied it)
    issue_list = [
        "各地有关部门",
        "相关省份有关部门",
        "各有关单位",
        "有关行业主管部门",
        "各镇街",
        "各学校",
    ]
    assert set(issue_list) <= set(OpenEndedPhrase.objects.values_list("text", flat=True))
    assert UnitDirectory.load().split("区财政局、驻区单位").names == ["区财政局", "驻区单位"]
    OpenEndedPhrase.objects.create(text="驻区单位")
    parsed = UnitDirectory.load().split("区财政局、驻区单位")
    assert (parsed.names, parsed.note) == (["区财政局"], "、驻区单位")


def test_open_ended_phrases_never_become_units_even_with_create(units):
    rows = [[n, f"任务{n}", "教育部", "人力资源社会保障部、各地有关部门"] for n in range(1, 11)]
    result = plan_import_file(file=_file(rows), filename="a.xlsx", create_departments=True)
    assert result.created_departments == []
    assert not Department.objects.filter(name__startswith="各地").exists()
    assert Task.objects.filter(support_note="、各地有关部门").count() == 10


def test_no_leading_separator_in_exported_units_cells(units):
    assert join_units([], "，相关省份有关部门") == "相关省份有关部门"
    assert split_units("，相关省份有关部门").note == "相关省份有关部门"
    rows = [[1, "任务一", "教育部", "相关省份有关部门"]]
    plan = plan_import_file(file=_file(rows), filename="a.xlsx").plan
    assert plan_export_rows(plan=plan)[0][3] == "相关省份有关部门"


# --- abbreviations and near names


def test_abbreviation_is_suggested_and_nothing_is_created_silently(units):
    preview = plan_import_preview(file=_file([[1, "任务一", "区人社局", ""]]), filename="a.xlsx")
    (unknown,) = preview.unknown
    assert unknown.suggestion == units["区人力资源社会保障局"]
    with pytest.raises(PlanImportError, match="“区人社局”（第3行，可能是“区人力资源社会保障局”）"):
        plan_import_file(file=_file([[1, "任务一", "区人社局", ""]]), filename="a.xlsx")
    assert not Plan.objects.exists() and Department.objects.count() == 5


def test_mapping_a_name_records_an_alias_used_next_time(units, tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(_file([[1, "任务一", "区人社局", "区教体局"]]))
    call_command(
        "import_plan",
        str(path),
        "--map",
        "区人社局=区人力资源社会保障局",
        "--map",
        "区教体局=区教育体育局",
        stdout=StringIO(),
    )
    assert DepartmentAlias.objects.get(alias="区人社局").department == units["区人力资源社会保障局"]
    assert Department.objects.count() == 5
    assert UnitDirectory.load().get("区人社局") == units["区人力资源社会保障局"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("区人社局", "区人力资源社会保障局"), ("区教育局", "区教育体育局"), ("区财政", "区财政局")],
)
def test_similarity_suggestions(units, name, expected):
    assert UnitDirectory.load().suggest(name).name == expected


def test_unrelated_name_gets_no_suggestion(units):
    assert UnitDirectory.load().suggest("市消防救援支队") is None


# --- years


def test_years_come_from_the_title_row(units):
    assert title_years("（2020—2023年）") == (2020, 2023)
    assert title_years("2021-2025年行动计划") == (2021, 2025)
    assert title_years("2022年工作要点") is None
    assert title_name("附件：某方案任务清单（2020—2023年）") == "某方案"


def test_missing_years_are_required_never_the_current_year(units, tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(make_xlsx([HEADER, [1, "任务一", "教育部", ""]]))
    with pytest.raises(CommandError, match="未能从附件标题读出方案年度"):
        call_command("import_plan", str(path), "--title", "无年度", stdout=StringIO())
    assert not Plan.objects.exists()
    call_command(
        "import_plan",
        str(path),
        "--title",
        "无年度",
        "--start-year",
        "2026",
        "--end-year",
        "2028",
        stdout=StringIO(),
    )
    assert Plan.objects.values_list("start_year", "end_year").get() == (2026, 2028)


# --- deadlines and targets


@pytest.mark.parametrize(
    ("text", "date", "readable"),
    [
        ("2021年底前", datetime.date(2021, 12, 31), True),
        ("2022年6月", datetime.date(2022, 6, 30), True),
        ("2022年6月底前完成", datetime.date(2022, 6, 30), True),
        ("2023年3月15日前", datetime.date(2023, 3, 15), True),
        ("长期坚持", None, True),
        ("持续推进", None, True),
        ("尽快", None, False),
        ("", None, True),
    ],
)
def test_deadlines(text, date, readable):
    deadline = parse_deadline(text)
    assert (deadline.date, deadline.text, deadline.readable) == (date, text, readable)


def test_targets_with_year_value_and_unit_or_kept_as_text():
    items = parse_targets("到2022年，双师型教师占比达到50%；2023年建成2个实训基地\n完善制度")
    assert [(t.year, t.value, t.unit) for t in items] == [
        (2022, Decimal("50"), "%"),
        (2023, Decimal("2"), "个"),
        (None, None, ""),
    ]
    assert items[2].indicator == "完善制度"
    (exported,) = parse_targets("2022年：专业教师“双师型”比例：50%")
    assert (exported.year, exported.indicator, exported.value, exported.unit) == (
        2022,
        "专业教师“双师型”比例",
        Decimal("50"),
        "%",
    )


def test_unreadable_rows_are_listed_with_row_and_reason(units):
    rows = [
        [1, "任务一", "教育部", "", ],
        [None, "注：本表由区教育体育局负责解释", None, None],
        [2, "任务二", "", "区财政局"],
    ]  # fmt: skip
    preview = plan_import_preview(file=_file(rows), filename="a.xlsx")
    assert preview.errors == ["第5行：缺少牵头单位。"]
    assert preview.parsed.skipped == [
        "第4行：“注：本表由区教育体育局负责解释”既无序号也无单位，不是任务行，已跳过。"
    ]


@pytest.mark.parametrize(
    ("text", "label", "title"),
    [
        ("一）提升办学条件", "一）", "提升办学条件"),
        ("（二）深化产教融合", "（二）", "深化产教融合"),
        ("二、工作保障", "二", "工作保障"),
        ("十一、其他", "十一", "其他"),
    ],
)
def test_section_rows(text, label, title):
    from tasks.plan_parse import _section

    section = _section({"number": text, "content": None, "lead": None})
    assert (section.label, section.title, section.text) == (label, title, text)


def test_a_header_row_repeated_inside_one_table_is_skipped(units):
    from tasks.tests.helpers import make_docx

    rows = [HEADER, ["1", "任务一", "教育部", ""], HEADER, ["2", "任务二", "教育部", ""]]
    preview = plan_import_preview(file=make_docx([{"rows": rows}]), filename="a.docx")
    assert [t.number for t in preview.tasks] == [1, 2] and preview.errors == []
    assert preview.parsed.table.skipped_headers == 1


def test_create_departments_never_creates_a_near_duplicate(units, tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(_file([[1, "任务一", "区人社局", "区新设中心"]]))
    with pytest.raises(CommandError, match="可能是“区人力资源社会保障局”"):
        call_command("import_plan", str(path), "--create-departments", stdout=StringIO())
    assert Department.objects.count() == 5 and not Plan.objects.exists()
    call_command(
        "import_plan", str(path), "--create-departments", "--new", "区人社局", stdout=StringIO()
    )
    assert set(Department.objects.values_list("name", flat=True)) >= {"区人社局", "区新设中心"}


def test_two_departments_that_merely_look_alike_are_not_suggested(units):
    Department.objects.create(name="区统计局", sort_order=9)
    assert UnitDirectory.load().suggest("区审计局") is None
