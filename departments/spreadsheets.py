"""Safe reading and writing of the spreadsheets users upload and download.

Every xlsx upload (user import, bulk report entry) goes through `open_uploaded_xlsx`, which
applies the checks of ecosystem-security.md §B5 before openpyxl parses anything: extension,
size, zip signature, required parts, no macros, no encrypted/legacy OLE file, no zip bomb.
openpyxl parses with defusedxml (installed), in read-only mode.
"""

import io
import unicodedata
import zipfile

from django.conf import settings
from openpyxl import load_workbook

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # legacy .xls and password-encrypted xlsx
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_COMPRESSION_RATIO = 100
MAX_COLUMNS = 50
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


class SpreadsheetError(Exception):
    """The uploaded file is not an acceptable workbook. `.message` is a Chinese sentence."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def check_xlsx_upload(uploaded_file):
    """Raise SpreadsheetError unless the upload looks like a plain, macro-free xlsx."""
    name = (uploaded_file.name or "").lower()
    if not name.endswith(".xlsx"):
        raise SpreadsheetError("只接受 .xlsx 格式的 Excel 文件。")
    limit = settings.UPLOAD_XLSX_MAX_BYTES
    if uploaded_file.size > limit:
        raise SpreadsheetError(f"文件过大：不能超过 {limit // (1024 * 1024)} MB。")
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    if head.startswith(OLE_SIGNATURE):
        raise SpreadsheetError("文件已加密或为旧版 .xls 格式：请去掉密码并另存为 .xlsx 后再上传。")
    if not head.startswith(ZIP_SIGNATURE) or not zipfile.is_zipfile(uploaded_file):
        raise SpreadsheetError("文件内容不是有效的 .xlsx 工作簿（可能是改了扩展名的其他文件）。")
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise SpreadsheetError("文件已损坏，无法读取。") from exc
    finally:
        uploaded_file.seek(0)
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise SpreadsheetError("文件内容不是有效的 .xlsx 工作簿。")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise SpreadsheetError("文件包含宏，出于安全原因不予接收：请另存为不含宏的 .xlsx。")
    if len(entries) > MAX_ZIP_ENTRIES:
        raise SpreadsheetError("文件结构异常（内部文件过多），不予接收。")
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED_BYTES or any(
        entry.file_size > 1024 * 1024
        and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1)
        for entry in entries
    ):
        raise SpreadsheetError("文件解压后体积异常（疑似压缩炸弹），不予接收。")


def open_uploaded_xlsx(uploaded_file):
    """Check the upload, then open it read-only. The caller must `close()` the workbook."""
    check_xlsx_upload(uploaded_file)
    try:
        return load_workbook(
            # data_only=False: a formula cell is seen as a formula (see read_rows), never as
            # a value cached by whoever saved the file last.
            io.BytesIO(uploaded_file.read()),
            read_only=True,
            data_only=False,
            keep_links=False,
        )
    except Exception as exc:  # openpyxl raises many kinds for malformed parts
        raise SpreadsheetError("无法读取该 Excel 文件，请确认文件未损坏。") from exc
    finally:
        uploaded_file.seek(0)


class Formula(str):
    """A cell that holds a formula (the text starts with "="): callers refuse it per row."""


def read_rows(worksheet, *, max_rows):
    """The sheet's rows as tuples of values (header first), refusing more than max_rows rows.

    Formula cells come back as `Formula` (a str subclass) so a parser can report them;
    text that merely starts with "=" but is stored as text stays a plain str.
    Fully blank rows are dropped but keep their Excel row number: returns [(row_number, values)].
    """
    rows = []
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


FORMULA_REFUSED = "该单元格是公式，请直接填写内容，不要使用公式。"


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
    """Write text so Excel never evaluates it: a value starting with = + - @ stays text."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True


def display_width(text, *, minimum=6, maximum=60):
    """Column width for text in Excel units: CJK characters count double."""
    width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text)) + 2
    return max(minimum, min(maximum, width))
