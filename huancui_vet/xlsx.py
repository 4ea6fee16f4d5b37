"""Safe reading and writing of every spreadsheet users upload and download.

Every xlsx upload (plan attachment, admin import, user list, bulk report entry) is checked
here before openpyxl parses anything (security notes §B5): extension, size, zip signature,
required parts, no macros, no encrypted/legacy OLE file, no zip bomb. openpyxl parses with
defusedxml (installed). Every text cell written goes through `set_text` (or the supervision
workbook's StyledCells, which uses the same triggers) so user text never becomes a formula.
"""

import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # legacy .xls and password-encrypted xlsx
# Zip-bomb guard: limits well above any real workbook.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_COMPRESSION_RATIO = 100
MAX_COLUMNS = 50
# OWASP CSV injection list: a cell starting with one of these could be read as a formula
# (or a DDE payload) by a spreadsheet program.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
FORMULA_REFUSED = "该单元格是公式，请直接填写内容，不要使用公式。"


class SpreadsheetError(Exception):
    """The file is not an acceptable workbook. `.message` is a Chinese sentence for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded sheet, shown to the user as 行号 | 列 | 原因."""

    row: int  # Excel row number; 0 for the whole file
    column: str
    reason: str


class RowErrors(Exception):
    """The upload was refused; `.errors` lists every RowError. Nothing was written."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} 处错误")
        self.errors = errors


def read_upload(file, *, max_bytes=None):
    """Bytes of a path, bytes or file-like upload, refusing anything over the size limit.

    A file-like object is read from the start and rewound afterwards.
    """
    max_bytes = max_bytes or settings.UPLOAD_XLSX_MAX_BYTES
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    elif isinstance(file, str | Path):
        with open(file, "rb") as fh:
            data = fh.read(max_bytes + 1)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
        if hasattr(file, "seek"):
            file.seek(0)
    if len(data) > max_bytes:
        raise SpreadsheetError(f"文件过大：不能超过 {max_bytes // (1024 * 1024)} MB。")
    return data


def check_xlsx(data):
    """Refuse bytes that are not a plain, macro-free xlsx workbook before openpyxl sees them."""
    if data[:4] == OLE_SIGNATURE:
        raise SpreadsheetError("文件已加密或为旧版 .xls 格式：请去掉密码并另存为 .xlsx 后再上传。")
    if data[:4] != ZIP_SIGNATURE:
        raise SpreadsheetError("文件内容不是有效的 .xlsx 工作簿（可能是改了扩展名的其他文件）。")
    check_office_zip(data, main_part="xl/workbook.xml", label=".xlsx 工作簿")


def check_office_zip(data, *, main_part, label):
    """Refuse a zip-based Office file (xlsx, docx) without `main_part`, with macros or a bomb."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise SpreadsheetError("文件已损坏，无法读取。") from exc
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or main_part not in names:
        raise SpreadsheetError(f"文件内容不是有效的 {label}。")
    check_office_container(entries)


def check_office_container(entries):
    """Refuse an Office (zip) container with macros or that expands past the limits.

    `entries` is `ZipFile.infolist()`. Shared by spreadsheets, plan attachments (docx) and
    docx/xlsx evidence.
    """
    if any(entry.filename.lower().endswith("vbaproject.bin") for entry in entries):
        raise SpreadsheetError("文件包含宏，出于安全原因不予接收：请另存为不含宏的文件。")
    if len(entries) > MAX_ZIP_ENTRIES:
        raise SpreadsheetError("文件结构异常（内部文件过多），不予接收。")
    if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetError("文件解压后过大（疑似压缩炸弹），不予接收。")
    # Only big parts are judged by ratio: small XML parts of real workbooks compress very well.
    if any(
        entry.file_size > 1024 * 1024
        and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1)
        for entry in entries
    ):
        raise SpreadsheetError("文件压缩比异常（疑似压缩炸弹），不予接收。")


def check_xlsx_upload(uploaded_file):
    """Check an uploaded file's extension, size and content; return its bytes."""
    name = (uploaded_file.name or "").lower()
    if not name.endswith(".xlsx"):
        raise SpreadsheetError("只接受 .xlsx 格式的 Excel 文件。")
    data = read_upload(uploaded_file)
    check_xlsx(data)
    return data


def open_uploaded_xlsx(uploaded_file):
    """Check the upload, then open it read-only. The caller must `close()` the workbook."""
    data = check_xlsx_upload(uploaded_file)
    try:
        return load_workbook(
            # data_only=False: a formula cell is seen as a formula (see read_rows), never as
            # a value cached by whoever saved the file last.
            io.BytesIO(data),
            read_only=True,
            data_only=False,
            keep_links=False,
        )
    except Exception as exc:  # openpyxl raises many kinds for malformed parts
        raise SpreadsheetError("无法读取该 Excel 文件，请确认文件未损坏。") from exc


class Formula(str):
    """A cell that holds a formula (the text starts with "="): callers refuse it per row."""


def read_rows(worksheet, *, max_rows):
    """The sheet's rows as tuples of values (header first), refusing more than max_rows rows.

    Formula cells come back as `Formula` (a str subclass) so a parser can report them;
    text that merely starts with "=" but is stored as text stays a plain str.
    Fully blank rows are dropped but keep their Excel row number: returns [(row_number, values)].
    """
    rows: list = []
    for row_number, cells in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS), start=1):
        values = tuple(
            Formula(cell.value) if getattr(cell, "data_type", None) == "f" else cell.value
            for cell in cells
        )
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if len(rows) > max_rows:
            raise SpreadsheetError(f"行数过多：每次最多处理 {max_rows} 行。")
        rows.append((row_number, values))
    return rows


def cell_text(value):
    """A cell value as stripped text ("" for empty); a Formula stays a Formula."""
    if value is None:
        return ""
    if isinstance(value, Formula):
        return Formula(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def set_text(cell, value):
    """Write a value so Excel never evaluates it: text starting with = + - @ stays text."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        # Excel's leading apostrophe: stored as a string, shown unchanged.
        cell.data_type = "s"
        cell.quotePrefix = True


def display_width(text):
    """Width of text in '0' characters: CJK (wide/full-width) characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def column_width(values, *, minimum=6, maximum=50):
    """A column width that fits the widest line of `values`, within [minimum, maximum]."""
    widest = 0
    for value in values:
        if value is None:
            continue
        for line in str(value).splitlines() or [""]:
            widest = max(widest, display_width(line))
    return max(minimum, min(maximum, widest + 2))


def csv_text(value):
    """A CSV field Excel never evaluates: text starting with = + - @ gets a leading apostrophe
    (the usual CSV-injection guard); other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_only_text(worksheet, value):
    """A value for `worksheet.append()` in write-only mode that Excel never evaluates.

    openpyxl writes a str starting with "=" as a formula; such text (and any starting with
    + - @) becomes a text cell with Excel's quote prefix. Control characters XML cannot hold
    are dropped. Non-text values pass unchanged.
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith(FORMULA_TRIGGERS):
        return value
    cell = WriteOnlyCell(worksheet, value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
