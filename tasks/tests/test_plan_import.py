"""Importing and exporting plan attachments (任务清单 .xlsx): round trip, bad input, quirks."""

import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from departments.models import Department
from tasks.models import DepartmentAlias, Plan, Task, TaskAssignment
from tasks.plan_export import plan_export_xlsx
from tasks.plan_import import PlanImportError, plan_import_file
from tasks.tests.helpers import make_xlsx, read_xlsx

HEADER = ["序号", "任务内容", "牵头单位", "责任单位"]


@pytest.fixture
def units(db):
    names = ["区教育体育局", "区人力资源社会保障局", "区财政局", "区税务局", "区商务局"]
    depts = {n: Department.objects.create(name=n, sort_order=i) for i, n in enumerate(names)}
    DepartmentAlias.objects.create(alias="税务局", department=depts["区税务局"])
    return depts


def _nothing_written():
    return (
        not Plan.objects.exists()
        and not Task.objects.exists()
        and not TaskAssignment.objects.exists()
    )


def _import(rows, **kwargs):
    kwargs.setdefault("start_year", 2024)
    kwargs.setdefault("end_year", 2025)
    return plan_import_file(
        file=make_xlsx(rows, **kwargs.pop("xlsx", {})),
        filename="plan.xlsx",
        title="新方案",
        **kwargs,
    )


def _table(plan):
    return [
        (t.number, t.content, t.lead_units_text, t.supporting_units_text)
        for t in plan.tasks.with_units().order_by("number")
    ]


def test_round_trip_of_the_huancui_plan_is_identical(db, tmp_path):
    call_command("load_plan", stdout=StringIO())
    first = tmp_path / "first.xlsx"
    second = tmp_path / "second.xlsx"
    call_command(
        "export_plan",
        "--plan",
        "环翠区职业教育创新发展高地建设实施方案",
        "--output",
        str(first),
        stdout=StringIO(),
    )
    sheets, rows = read_xlsx(str(first))
    assert sheets == ["任务清单"]
    assert rows[0][0] == "环翠区职业教育创新发展高地建设实施方案任务清单（2020—2023年）"
    assert rows[1] == tuple(HEADER) + ("完成时限", "目标", "备注")
    assert len(rows) == 18
    assert rows[4][3] == "区财政局、区自然资源局、区地方金融监管局、税务局等"
    assert rows[15][2] == "区委组织部、区人力资源社会保障局"
    assert rows[17][3] == "区人力资源社会保障局及有关行业主管部门"
    assert rows[6][3] is None  # task 5 has no supporting unit
    assert rows[2][4] == "2022年底前"
    assert rows[2][5] == "2022年：达到国家办学标准\n2022年：专业教师“双师型”比例：50%"

    # The copy takes its name and years from the title row: delete the original first.
    Plan.objects.all().delete()
    out = StringIO()
    call_command("import_plan", str(first), stdout=out)
    assert "16 项任务" in out.getvalue() and "2020—2023年" in out.getvalue()
    copy = Plan.objects.get(title="环翠区职业教育创新发展高地建设实施方案")
    call_command("export_plan", "--plan", str(copy.pk), "--output", str(second), stdout=StringIO())
    assert read_xlsx(str(second)) == (sheets, rows)
    assert Department.objects.count() == 19


def test_export_quote_prefixes_formula_like_text(units):
    plan = _import([HEADER, [1, "任务一", "区财政局", ""]]).plan
    Task.objects.filter(plan=plan).update(content='=HYPERLINK("http://x")')
    buffer = io.BytesIO()
    plan_export_xlsx(plan=plan, output=buffer)
    from openpyxl import load_workbook

    cell = load_workbook(io.BytesIO(buffer.getvalue())).active["B3"]  # title, header, task
    assert cell.data_type == "s" and cell.quotePrefix


# --- bad input: a Chinese error naming the row, and nothing written


def test_unknown_units_are_listed_and_nothing_is_written(units):
    rows = [
        HEADER,
        [1, "任务一", "区教育体育局、区新设局", "区未知中心"],
        [2, "任务二", "区新设局", ""],
    ]
    with pytest.raises(PlanImportError) as exc:
        _import(rows)
    message = str(exc.value)
    assert "“区新设局”（第2行、第3行）" in message
    assert "“区未知中心”（第2行）" in message
    assert "创建新单位" in message
    assert _nothing_written()
    assert Department.objects.count() == 5


def test_unknown_units_are_created_when_confirmed(units):
    rows = [HEADER, [1, "任务一", "区教育体育局、区新设局", "区未知中心"]]
    result = _import(rows, create_departments=True)
    assert result.created_departments == ["区新设局", "区未知中心"]
    assert _table(result.plan) == [(1, "任务一", "区教育体育局、区新设局", "区未知中心")]


def test_import_plan_command_fails_with_the_list_of_unknown_units(units, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(make_xlsx([HEADER, [1, "任务一", "区新设局", ""]]))
    years = ["--start-year", "2024", "--end-year", "2025"]
    with pytest.raises(CommandError, match="区新设局"):
        call_command("import_plan", str(path), "--title", "新方案", *years, stdout=StringIO())
    assert _nothing_written()
    call_command(
        "import_plan",
        str(path),
        "--title",
        "新方案",
        *years,
        "--create-departments",
        stdout=StringIO(),
    )
    assert Department.objects.filter(name="区新设局").exists()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [HEADER, [1, "任务一", "区财政局", ""], [None, "任务二", "区财政局", ""]],
            "第3行：缺少序号。",
        ),
        (
            [HEADER, [1, "任务一", "区财政局", ""], ["一", "任务二", "区财政局", ""]],
            "第3行：序号“一”不是正整数。",
        ),
        (
            [HEADER, [1, "任务一", "区财政局", ""], [1, "任务二", "区商务局", ""]],
            "第3行：序号 1 与第2行重复。",
        ),
        (
            [HEADER, [1, "任务一", "区财政局", ""], [2, "　", "区商务局", ""]],
            "第3行：任务内容为空。",
        ),
        ([HEADER, [1, "任务一", "", "区财政局"]], "第2行：缺少牵头单位。"),
        ([HEADER, [1, "任务一", "区财政局、区财政局", ""]], "第2行：单位“区财政局”重复列出。"),
        ([HEADER], "文件中没有任务行。"),
        ([["甲", "乙"], [1, 2]], "未找到任务表"),
    ],
)
def test_bad_rows_are_reported_in_chinese_and_nothing_is_written(units, rows, message):
    with pytest.raises(PlanImportError) as exc:
        _import(rows)
    assert message in str(exc.value)
    assert _nothing_written()


def test_every_bad_row_is_reported_at_once(units):
    rows = [
        HEADER,
        [None, "任务一", "区财政局", ""],
        [2, "", "区财政局", ""],
        [3, "任务三", "区财政局", ""],
    ]
    with pytest.raises(PlanImportError) as exc:
        _import(rows)
    assert exc.value.errors == ["第2行：缺少序号。", "第3行：任务内容为空。"]


def test_existing_title_is_refused(units):
    _import([HEADER, [1, "任务一", "区财政局", ""]])
    with pytest.raises(PlanImportError, match="已存在名为“新方案”的方案"):
        _import([HEADER, [1, "任务一", "区财政局", ""]])
    assert Task.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,lead\n1,2\n", "不是有效的 .xlsx"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "旧版 .xls"),
        (b"PK\x03\x04not really a zip", "已损坏"),
    ],
)
def test_non_xlsx_files_are_refused(units, data, message):
    with pytest.raises(PlanImportError, match=message):
        plan_import_file(file=data, filename="plan.xlsx", title="新方案")
    assert _nothing_written()


def test_oversized_and_bomb_files_are_refused(units, settings):
    import zipfile

    settings.UPLOAD_XLSX_MAX_BYTES = 1000
    with pytest.raises(PlanImportError, match="文件过大"):
        plan_import_file(file=b"PK\x03\x04" + b"0" * 2000, filename="a.xlsx", title="新方案")
    settings.UPLOAD_XLSX_MAX_BYTES = 5 * 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<x/>")
        zf.writestr("xl/workbook.xml", "<x/>")
        zf.writestr("xl/worksheets/sheet1.xml", "0" * (20 * 1024 * 1024))
    with pytest.raises(PlanImportError, match="压缩比异常"):
        plan_import_file(file=buffer.getvalue(), filename="a.xlsx", title="新方案")
    assert _nothing_written()


# --- real-world attachment quirks


def test_header_synonyms_title_rows_and_section_rows(units):
    rows = [
        ["环翠区建设职业教育创新发展高地任务清单"],
        [],
        ["序 号", "工作任务", "牵头部门", "配合单位"],
        ["一、重点任务"],
        [1, "任务一", "区教育体育局", "区财政局"],
        [None, "二、工作保障", None, None],
        ["2.", "任务二", "区财政局", None],
    ]
    result = _import(rows, xlsx={"merges": ["A1:D1", "A4:D4"]})
    assert _table(result.plan) == [
        (1, "任务一", "区教育体育局", "区财政局"),
        (2, "任务二", "区财政局", ""),
    ]
    # Section rows are the plan's key areas; the tasks below a section belong to it.
    areas = list(result.plan.key_areas.order_by("number"))
    assert [(a.label, a.title) for a in areas] == [("一", "重点任务"), ("二", "工作保障")]
    assert [list(t.key_areas.all()) for t in result.plan.tasks.order_by("number")] == [
        [areas[0]],
        [areas[1]],
    ]


def test_single_responsible_column_first_unit_leads(units):
    rows = [["序号", "重点任务", "责任单位"], [1, "任务一", "区教育体育局、区财政局、区商务局等"]]
    task = Task.objects.with_units().get(plan=_import(rows).plan)
    assert [d.name for d in task.lead_departments] == ["区教育体育局"]
    assert [d.name for d in task.supporting_departments] == ["区财政局", "区商务局"]
    assert task.support_note == "等"


def test_separators_spaces_line_breaks_and_aliases(units):
    rows = [
        HEADER,
        [1, "任务一", "区教育体育局，区人力资源社会保障\n局", "区财政局；区商务局,税务局\n　"],
        [2, "任务\n二", "区人力资源社会保障局\n区教育体育局", "区财政局　区商务局等"],
        [3, "任务三", "区 财政局", "区商务局及有关行业主管部门"],
    ]
    result = _import(rows)
    assert _table(result.plan) == [
        (1, "任务一", "区教育体育局、区人力资源社会保障局", "区财政局、区商务局、区税务局"),
        (2, "任务二", "区人力资源社会保障局、区教育体育局", "区财政局、区商务局等"),
        (3, "任务三", "区财政局", "区商务局及有关行业主管部门"),
    ]
    tax = TaskAssignment.objects.get(task__number=1, department__name="区税务局")
    assert tax.written_as == "税务局"


def test_merged_unit_cells_apply_to_every_row_they_span(units):
    rows = [
        HEADER,
        [1, "任务一", "区教育体育局", "区财政局"],
        [2, "任务二", None, None],
        [3, "任务三", "区商务局", None],
    ]
    result = _import(rows, xlsx={"merges": ["C2:C3", "D2:D3"]})
    assert _table(result.plan) == [
        (1, "任务一", "区教育体育局", "区财政局"),
        (2, "任务二", "区教育体育局", "区财政局"),
        (3, "任务三", "区商务局", ""),
    ]


def test_task_sheet_is_found_among_other_sheets(units):
    data = make_xlsx(
        [HEADER, [1, "任务一", "区财政局", ""]], sheet_title="Sheet1", extra_sheets=["说明"]
    )
    result = plan_import_file(
        file=data, filename="a.xlsx", title="新方案", start_year=2024, end_year=2024
    )
    assert result.task_count == 1


def test_import_runs_queries_per_batch_not_per_row(units, django_assert_max_num_queries):
    rows = [HEADER] + [
        [n, f"任务{n}", "区教育体育局、区财政局", "区商务局、税务局等"] for n in range(1, 301)
    ]
    data = make_xlsx(rows)
    # A handful of lookups plus bulk INSERTs (SQLite caps the rows per INSERT by its
    # variable limit, PostgreSQL does not): far below one query per task.
    with django_assert_max_num_queries(30):
        result = plan_import_file(
            file=data, filename="a.xlsx", title="新方案", start_year=2024, end_year=2025
        )
    assert result.task_count == 300 and result.assignment_count == 1200
    assert Task.history.count() == 300  # bulk history rows: the audit trail starts here
    assert TaskAssignment.history.count() == 0  # a fresh import; later unit changes are kept
