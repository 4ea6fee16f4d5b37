"""The shared xlsx safety helpers: upload checks, formula handling, CJK widths.

The screens that use them (plan import, user import, bulk entry, the leadership workbook)
test the same refusals end to end; these are the plain unit tests of the helpers.
"""

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from huancui_vet.tests.xlsx_files import upload, with_macro, xlsx_bytes, zip_bomb
from huancui_vet.xlsx import (
    Formula,
    SpreadsheetError,
    cell_text,
    check_xlsx,
    check_xlsx_upload,
    column_width,
    display_width,
    open_uploaded_xlsx,
    read_rows,
    read_upload,
    set_text,
)


def _zip(parts, *, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


WORKBOOK_PARTS = {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "文件已加密或为旧版 .xls 格式"),
        (b"MZ\x90\x00" + b"\x00" * 100, "文件内容不是有效的 .xlsx 工作簿（可能是改了扩展名"),
        (b"PK\x03\x04not really a zip", "文件已损坏，无法读取。"),
        (_zip({"word/document.xml": "<w/>"}), "文件内容不是有效的 .xlsx 工作簿。"),
        (with_macro(xlsx_bytes([["a"]])), "文件包含宏"),
        (_zip({**WORKBOOK_PARTS, **{f"xl/p{i}.xml": "" for i in range(200)}}), "内部文件过多"),
        (zip_bomb(), "文件解压后过大（疑似压缩炸弹）"),
        (
            _zip({**WORKBOOK_PARTS, "xl/worksheets/sheet1.xml": "0" * (20 * 1024 * 1024)}),
            "文件压缩比异常（疑似压缩炸弹）",
        ),
    ],
)
def test_check_xlsx_refuses_files_that_are_not_plain_workbooks(data, message):
    with pytest.raises(SpreadsheetError) as refused:
        check_xlsx(data)
    assert message in refused.value.message


def test_check_xlsx_accepts_a_real_workbook():
    check_xlsx(xlsx_bytes([["序号", "任务内容"], [1, "任务一"]]))


def test_upload_check_refuses_other_extensions_and_oversized_files(settings):
    with pytest.raises(SpreadsheetError, match="只接受 .xlsx 格式的 Excel 文件。"):
        check_xlsx_upload(upload(xlsx_bytes([["a"]]), "list.xls"))
    content = xlsx_bytes([["a"]])
    settings.UPLOAD_XLSX_MAX_BYTES = len(content) - 1
    with pytest.raises(SpreadsheetError, match="文件过大：不能超过 0 MB。"):
        check_xlsx_upload(upload(content))


def test_read_upload_takes_bytes_paths_and_files_and_rewinds(tmp_path):
    content = xlsx_bytes([["a"]])
    path = tmp_path / "list.xlsx"
    path.write_bytes(content)
    file = upload(content)
    assert read_upload(content) == read_upload(path) == read_upload(str(path)) == content
    assert read_upload(file) == content
    assert file.tell() == 0


def test_read_rows_marks_formulas_and_skips_blank_rows():
    workbook = open_uploaded_xlsx(
        upload(xlsx_bytes([["姓名", "单位"], [None, "  "], ["=1+1", 3.0], ["张三", "区财政局"]]))
    )
    try:
        rows = read_rows(workbook.worksheets[0], max_rows=10)
    finally:
        workbook.close()
    assert [number for number, _ in rows] == [1, 3, 4]
    formula, number = rows[1][1][:2]
    assert isinstance(formula, Formula)
    assert (cell_text(formula), cell_text(number), cell_text(None)) == ("=1+1", "3", "")
    assert isinstance(cell_text(formula), Formula)


def test_read_rows_refuses_too_many_rows():
    workbook = open_uploaded_xlsx(upload(xlsx_bytes([[n] for n in range(1, 6)])))
    try:
        with pytest.raises(SpreadsheetError, match="行数过多：每次最多处理 3 行。"):
            read_rows(workbook.worksheets[0], max_rows=3)
    finally:
        workbook.close()


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.example")', "+1", "-2", "@SUM(1)"])
def test_set_text_keeps_formula_like_text_as_text(text):
    workbook = Workbook()
    set_text(workbook.active["A1"], text)
    set_text(workbook.active["A2"], "正常推进")
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = load_workbook(buffer).active
    assert (sheet["A1"].value, sheet["A1"].data_type, sheet["A1"].quotePrefix) == (text, "s", True)
    assert sheet["A2"].quotePrefix is False


def test_cjk_characters_count_double():
    assert display_width("区教育体育局") == 12
    assert display_width("PPP模式") == 7
    assert column_width(["区教育体育局"]) == 14
    assert column_width(["很" * 100], maximum=40) == 40


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row><c t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)

BOUNDED_SCRIPT = """
import resource, sys, zipfile, io
resource.setrlimit(resource.RLIMIT_AS, (1024 * 1024 * 1024, 1024 * 1024 * 1024))
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from huancui_vet.xlsx import SpreadsheetError, open_uploaded_xlsx, read_rows
refused = 0
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    try:
        workbook = open_uploaded_xlsx(SimpleUploadedFile("list.xlsx", data))
        read_rows(workbook.worksheets[0], max_rows=1000)
    except SpreadsheetError:
        refused += 1
print("refused", refused)
"""


def test_hostile_workbooks_are_refused_with_memory_bounded(tmp_path):
    """Zip bomb and billion laughs are refused by a process limited to 1 GB of address space."""
    import os
    import subprocess
    import sys

    source = io.BytesIO(xlsx_bytes([["a"], ["b"]]))
    laughs = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(laughs, "w") as hostile:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = BILLION_LAUGHS.encode()
            hostile.writestr(item, data)
    paths = []
    for name, data in (("bomb.xlsx", zip_bomb()), ("laughs.xlsx", laughs.getvalue())):
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "huancui_vet.settings_test"}
    result = subprocess.run(
        [sys.executable, "-c", BOUNDED_SCRIPT, *paths],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "refused 2"
