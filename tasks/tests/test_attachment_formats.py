"""Plan attachments as they are really published: Word tables, legacy .xls, .doc, bad files."""

import io
import shutil
import subprocess
import time
from io import StringIO

import pytest
from django.core.management import call_command

from departments.models import Department
from tasks.attachments import ACCEPTED_TEXT
from tasks.models import Plan, Task, TaskAssignment
from tasks.plan_export import plan_export_docx, plan_export_rows
from tasks.plan_import import PlanImportError, plan_import_file, plan_import_preview
from tasks.tests.helpers import encrypted_docx, make_docx, make_xls

HEADER = ["序号", "任务内容", "牵头单位", "责任单位", "完成时限", "目标", "备注"]
TITLE = "附件：某区职业教育提质培优重点任务分工（2021—2023年）"


@pytest.fixture
def units(db):
    names = ["区教育体育局", "区人力资源社会保障局", "区财政局", "区商务局", "区工业和信息化局"]
    return {n: Department.objects.create(name=n, sort_order=i) for i, n in enumerate(names)}


def _nothing_written():
    return not (Plan.objects.exists() or Task.objects.exists() or TaskAssignment.objects.exists())


def _table(plan):
    return [
        (t.number, t.content, t.lead_units_text, t.supporting_units_text)
        for t in plan.tasks.with_units().order_by("number")
    ]


def _ministry_docx(tables=2):
    """Two tables (the second continues the first after a page break, header repeated),
    a section row merged across the table and a lead unit merged over two tasks."""
    first = {
        "rows": [
            HEADER,
            ["一、提升办学条件", None, None, None, None, None, None],
            [
                "1",
                "改善实训条件",
                "区教育体育局",
                "区财政局",
                "2021年底前",
                "到2021年，建成实训基地2个",
                "",
            ],
            [
                "2",
                "建设双师队伍",
                None,
                "区人力资源社会保障局",
                "2022年6月",
                "双师型教师占比达到50%",
                "",
            ],
        ],
        "merges": [(1, 0, 1, 6), (2, 2, 3, 2)],
    }
    second = {
        "rows": [
            HEADER,
            ["（二）深化产教融合", None, None, None, None, None, None],
            [
                "3",
                "推进校企合作",
                "区商务局",
                "区工业和信息化局、各镇街",
                "长期坚持",
                "",
                "每季度报送",
            ],
        ],
        "merges": [(1, 0, 1, 6)],
    }
    return make_docx([first, second][:tables], title_lines=[TITLE], repeat_header=True)


def test_docx_with_merged_and_continued_tables_imports_sections_deadlines_and_targets(units):
    preview = plan_import_preview(file=_ministry_docx(), filename="附件.docx")
    assert preview.errors == [] and preview.unknown == []
    assert preview.years == (2021, 2023)
    assert preview.title_guess == "某区职业教育提质培优"
    result = plan_import_file(file=_ministry_docx(), filename="附件.docx", title="提质培优")
    plan = result.plan
    assert (plan.start_year, plan.end_year) == (2021, 2023)
    assert _table(plan) == [
        (1, "改善实训条件", "区教育体育局", "区财政局"),
        (2, "建设双师队伍", "区教育体育局", "区人力资源社会保障局"),
        (3, "推进校企合作", "区商务局", "区工业和信息化局、各镇街"),
    ]
    tasks = {t.number: t for t in plan.tasks.prefetch_related("targets", "key_areas")}
    assert [a.title for a in tasks[1].key_areas.all()] == ["提升办学条件"]
    assert [a.label for a in tasks[3].key_areas.all()] == ["（二）"]
    assert (str(tasks[1].deadline), tasks[1].deadline_text) == ("2021-12-31", "2021年底前")
    assert str(tasks[2].deadline) == "2022-06-30"
    assert (tasks[3].deadline, tasks[3].deadline_text) == (None, "长期坚持")
    assert tasks[3].remark == "每季度报送"
    assert tasks[3].support_note == "、各镇街"
    (target,) = tasks[1].targets.all()
    assert (target.year, target.target_value, target.unit) == (2021, 2, "个")
    (target,) = tasks[2].targets.all()  # no year written: the deadline's year
    assert (target.year, target.target_value, target.unit, target.kind) == (
        2022,
        50,
        "%",
        "percentage",
    )


def test_several_unrelated_tables_only_the_task_table_is_read(units):
    contacts = {"rows": [["联系人", "电话"], ["张三", "12345"]]}
    tasks = {"rows": [["序号", "工作任务", "牵头单位"], ["1", "任务一", "区财政局"]]}
    data = make_docx([contacts, tasks], title_lines=["（2022年）"])
    result = plan_import_file(file=data, filename="a.docx", title="单表")
    assert _table(result.plan) == [(1, "任务一", "区财政局", "")]
    assert (result.plan.start_year, result.plan.end_year) == (2022, 2022)


def test_continued_table_without_its_own_header_row(units):
    first = {"rows": [HEADER[:4], ["1", "任务一", "区财政局", ""]]}
    second = {"rows": [["2", "任务二", "区商务局", "区财政局"]]}
    preview = plan_import_preview(file=make_docx([first, second]), filename="a.docx")
    assert [(t.number, t.where) for t in preview.tasks] == [
        (1, "第1个表格第2行"),
        (2, "第2个表格第1行"),
    ]


def test_xls_with_title_merged_units_and_date_cells(units):
    import datetime

    rows = [
        ["任务分工（2020—2023年）", None, None, None, None],
        ["序号", "任务内容", "牵头单位", "责任单位", "完成时限"],
        [1, "任务一", "区教育体育局", "区财政局", "2021年底前"],
        [2, "任务二", None, "区商务局", "持续推进"],
    ]
    data = make_xls(rows, merges=[(0, 0, 0, 4), (2, 3, 2, 2)])
    result = plan_import_file(file=data, filename="附件.xls", title="旧格式")
    assert (result.plan.start_year, result.plan.end_year) == (2020, 2023)
    assert _table(result.plan) == [
        (1, "任务一", "区教育体育局", "区财政局"),
        (2, "任务二", "区教育体育局", "区商务局"),
    ]
    assert Task.objects.get(number=1).deadline == datetime.date(2021, 12, 31)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("suffix", [".doc", ".wps"])  # WPS saves Word-97 binaries as .wps
def test_doc_is_converted_with_libreoffice(units, tmp_path, suffix):
    source = tmp_path / "plan.docx"
    source.write_bytes(_ministry_docx())
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/p", "--headless", "--convert-to",
         "doc", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    data = (tmp_path / "plan.doc").read_bytes()
    assert data[:4] == b"\xd0\xcf\x11\xe0"
    result = plan_import_file(file=data, filename=f"plan{suffix}", title="旧版Word")
    assert _table(result.plan) == [
        (1, "改善实训条件", "区教育体育局", "区财政局"),
        (2, "建设双师队伍", "区教育体育局", "区人力资源社会保障局"),
        (3, "推进校企合作", "区商务局", "区工业和信息化局、各镇街"),
    ]
    assert result.key_area_count == 2
    assert (result.plan.start_year, result.plan.end_year) == (2021, 2023)


def test_doc_without_libreoffice_says_so_in_chinese(units, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(PlanImportError, match="服务器未安装 LibreOffice，无法读取 .wps 文件"):
        plan_import_file(file=b"\xd0\xcf\x11\xe0" + b"\0" * 600, filename="a.wps", title="x")
    assert _nothing_written()


def test_accepted_formats_are_stated(units):
    with pytest.raises(PlanImportError) as exc:
        plan_import_file(file=b"a,b\n", filename="plan.csv", title="x")
    assert f"可导入的格式：{ACCEPTED_TEXT}" in str(exc.value)
    assert ".docx" in ACCEPTED_TEXT and ".xls" in ACCEPTED_TEXT and ".wps" in ACCEPTED_TEXT


# --- bad files: refused fast, in Chinese, nothing written


def test_table_without_a_task_column_is_refused(units):
    data = make_docx([{"rows": [["序号", "牵头单位", "责任单位"], ["1", "区财政局", ""]]}])
    with pytest.raises(PlanImportError, match="未找到任务表：表头应包含“任务内容”"):
        plan_import_file(file=data, filename="a.docx", title="x", start_year=2024, end_year=2024)
    assert _nothing_written()


def test_password_protected_docx_is_refused(units):
    data = encrypted_docx()
    assert data[:4] == b"\xd0\xcf\x11\xe0"
    with pytest.raises(PlanImportError, match="文件设置了密码"):
        plan_import_file(file=data, filename="附件.docx", title="x")
    assert _nothing_written()


def test_fifty_megabyte_docx_is_refused_before_parsing(units, settings):
    settings.UPLOAD_XLSX_MAX_BYTES = 5 * 1024 * 1024
    big = io.BytesIO(b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024))
    started = time.perf_counter()
    with pytest.raises(PlanImportError, match="文件过大：不能超过 5 MB"):
        plan_import_file(file=big, filename="附件.docx", title="x")
    assert time.perf_counter() - started < 1
    assert big.tell() == 0  # rewound: only the limit plus one byte was read
    assert _nothing_written()


def test_damaged_docx_is_refused(units):
    with pytest.raises(PlanImportError, match="不是有效的 .docx 文档"):
        plan_import_file(file=b"not a document", filename="a.docx", title="x")
    assert _nothing_written()


# --- round trip


def test_docx_export_import_export_is_identical_for_the_huancui_plan(db, tmp_path):
    call_command("load_plan", stdout=StringIO())
    plan = Plan.objects.get()
    first = tmp_path / "first.docx"
    call_command("export_plan", "--plan", str(plan.pk), "--output", str(first), stdout=StringIO())
    rows = plan_export_rows(plan=plan)
    assert rows[0][4] == "2022年底前" and rows[15][3] == "区人力资源社会保障局及有关行业主管部门"
    Plan.objects.all().delete()
    call_command("import_plan", str(first), stdout=StringIO())
    copy = Plan.objects.get()
    assert copy.title == plan.title and (copy.start_year, copy.end_year) == (2020, 2023)
    assert plan_export_rows(plan=copy) == rows
    second = io.BytesIO()
    plan_export_docx(plan=copy, output=second)
    assert _docx_cells(first.read_bytes()) == _docx_cells(second.getvalue())
    assert Department.objects.count() == 19


def _docx_cells(data):
    import docx

    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    return paragraphs, [[c.text for c in row.cells] for t in document.tables for row in t.rows]


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_sections_deadlines_targets_and_remarks_survive_a_round_trip(units, fmt):
    from tasks.plan_export import plan_export_table, plan_export_xlsx

    plan = plan_import_file(file=_ministry_docx(), filename="a.docx", title="提质培优").plan
    before = plan_export_table(plan=plan)
    assert [heading for heading, _ in before.sections] == ["一、提升办学条件", "（二）深化产教融合"]
    out = io.BytesIO()
    (plan_export_xlsx if fmt == "xlsx" else plan_export_docx)(plan=plan, output=out)
    Plan.objects.all().delete()
    copy = plan_import_file(file=out.getvalue(), filename=f"a.{fmt}").plan
    assert copy.title == "提质培优"
    assert plan_export_table(plan=copy) == before


def test_openpyxl_keeps_parsing_with_defusedxml_although_lxml_is_installed():
    import openpyxl

    assert openpyxl.LXML is False and openpyxl.DEFUSEDXML is True  # huancui_vet/__init__.py
