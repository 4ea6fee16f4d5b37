"""Safe reading and writing of plan-attachment spreadsheets (the 任务清单 layout).

Reading: the upload is checked as a zip before openpyxl sees it (size, entry count,
uncompressed total, compression ratio, macros), then the header row is found by its
Chinese captions, whatever synonyms and title rows the issuing office used.
Writing: one sheet 任务清单 with 序号 | 任务内容 | 牵头单位 | 责任单位.
"""

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

SHEET_TITLE = "任务清单"
HEADERS = ("序号", "任务内容", "牵头单位", "责任单位")

# Header captions seen in real attachments, whitespace removed.
HEADER_SYNONYMS = {
    "number": {"序号", "编号", "任务序号", "序"},
    "content": {"任务内容", "工作任务", "重点任务", "主要任务", "具体任务", "任务"},
    "lead": {"牵头单位", "牵头部门", "牵头责任单位"},
    "support": {"责任单位", "责任部门", "配合单位", "配合部门", "参与单位", "协办单位"},
}
_HEADER_SEARCH_ROWS = 15
MAX_ROWS = 20_000
MAX_COLUMNS = 30
# Zip-bomb guard (security notes §B5): limits well above any real task list.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_COMPRESSION_RATIO = 100
# Cells that a spreadsheet would evaluate as a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
_SPACES = re.compile(r"[\s\u3000\u00a0\ufeff]+")


class SpreadsheetError(Exception):
    """The file is not a readable, safe xlsx task list. The message is for the user."""


def read_upload(file, *, max_bytes=None):
    """Bytes of a path, bytes or file-like upload, refusing anything over the size limit."""
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
    if len(data) > max_bytes:
        raise SpreadsheetError(f"文件超过 {max_bytes // (1024 * 1024)} MB，无法导入。")
    return data


def check_xlsx(data):
    """Refuse files that are not plain xlsx workbooks before openpyxl parses them."""
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise SpreadsheetError("文件是旧版 .xls 或已加密，请另存为 .xlsx（Excel 工作簿）后再导入。")
    if data[:4] != b"PK\x03\x04":
        raise SpreadsheetError("文件不是 .xlsx 格式（Excel 工作簿），请另存为 .xlsx 后再导入。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise SpreadsheetError("文件已损坏或不是 .xlsx 格式，无法读取。") from exc
    names = {i.filename for i in infos}
    if len(infos) > MAX_ZIP_ENTRIES:
        raise SpreadsheetError("文件结构异常（内部文件过多），已拒绝导入。")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetError("文件解压后过大，已拒绝导入。")
    # Only big parts are judged by ratio: small XML parts of real workbooks compress very well.
    if any(
        i.file_size > 1024 * 1024 and i.file_size > MAX_COMPRESSION_RATIO * max(i.compress_size, 1)
        for i in infos
    ):
        raise SpreadsheetError("文件压缩比异常（疑似压缩炸弹），已拒绝导入。")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise SpreadsheetError("文件不是 .xlsx 格式（Excel 工作簿），请另存为 .xlsx 后再导入。")
    if "xl/vbaProject.bin" in names:
        raise SpreadsheetError("文件包含宏，已拒绝导入。请另存为不含宏的 .xlsx 文件。")


def _caption(value):
    return _SPACES.sub("", str(value or "")).rstrip("：:")


@dataclass
class SheetRows:
    sheet_title: str
    columns: dict  # role -> 0-based column index; "lead" may be missing (single-column layout)
    rows: list  # [(excel_row_number, {role: value})]


def _find_header(grid):
    for r, row in enumerate(grid[:_HEADER_SEARCH_ROWS]):
        columns = {}
        for c, value in enumerate(row):
            caption = _caption(value)
            for role, captions in HEADER_SYNONYMS.items():
                if caption in captions and role not in columns:
                    columns[role] = c
        if "content" in columns and ("lead" in columns or "support" in columns):
            return r, columns
    return None, None


def _grid(ws):
    """Cell values as lists, with vertically merged cells filled into every row they span.

    A unit merged over three task rows leads all three; a heading merged across a row keeps
    its text in the first cell only, so it still reads as a heading row.
    """
    max_row = min(ws.max_row or 0, MAX_ROWS + _HEADER_SEARCH_ROWS)
    max_col = min(ws.max_column or 0, MAX_COLUMNS)
    if (ws.max_row or 0) > MAX_ROWS + _HEADER_SEARCH_ROWS:
        raise SpreadsheetError(f"文件超过 {MAX_ROWS} 行，请拆分后导入。")
    grid = [
        list(row)
        for row in ws.iter_rows(min_row=1, max_row=max_row, max_col=max_col, values_only=True)
    ]
    for merged in ws.merged_cells.ranges:
        if merged.min_row == merged.max_row:
            continue
        top = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= max_row else None
        for r in range(merged.min_row, min(merged.max_row, max_row) + 1):
            for c in range(merged.min_col, min(merged.max_col, max_col) + 1):
                grid[r - 1][c - 1] = top
    return grid


def read_task_sheet(data):
    """Find the task table in an xlsx file and return its rows by column role."""
    import openpyxl

    check_xlsx(data)
    try:
        # Normal mode (not read_only) because merged ranges are only available there;
        # defusedxml is installed, so openpyxl parses the XML safely.
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for malformed files
        raise SpreadsheetError(
            "无法读取该 .xlsx 文件，请用 Excel 打开并重新保存后再导入。"
        ) from exc
    sheets = sorted(wb.worksheets, key=lambda ws: ws.title != SHEET_TITLE)
    for ws in sheets:
        grid = _grid(ws)
        header_index, columns = _find_header(grid)
        if header_index is None:
            continue
        rows = []
        for offset, row in enumerate(grid[header_index + 1 :], start=header_index + 2):
            values = {role: (row[c] if c < len(row) else None) for role, c in columns.items()}
            rows.append((offset, values))
        return SheetRows(sheet_title=ws.title, columns=columns, rows=rows)
    raise SpreadsheetError(
        "未找到任务表：表头应包含“任务内容”（或“工作任务”“重点任务”）"
        "以及“牵头单位”或“责任单位”等列。"
    )


def _width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def safe_cell_value(cell, value):
    """Write a value so that spreadsheet programs never evaluate user text as a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True


def write_task_sheet(rows, output):
    """Write [(number, content, lead_text, support_text)] in the attachment layout."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(name="黑体", bold=True)
        cell.alignment = centre
        cell.border = border
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            safe_cell_value(cell, value)
            cell.alignment = centre if c == 1 else wrap
            cell.border = border
    widths = [6, 60, 24, 36]
    for c, width in enumerate(widths, start=1):
        longest = max((_width(v[c - 1]) for v in rows), default=0)
        ws.column_dimensions[chr(64 + c)].width = min(max(width, 8), max(longest, 8) + 2)
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    wb.save(output)  # a path or a binary file-like object
    return output
