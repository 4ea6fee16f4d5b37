"""Safe reading and writing of plan-attachment spreadsheets (the 任务清单 layout).

Reading: the upload passes the checks of huancui_vet/xlsx.py before openpyxl sees it, then
the header row is found by its Chinese captions, whatever synonyms and title rows the
issuing office used.
Writing: one sheet 任务清单 with 序号 | 任务内容 | 牵头单位 | 责任单位.
"""

import io
import re
from dataclasses import dataclass

from huancui_vet.xlsx import SpreadsheetError, check_xlsx, display_width, set_text

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
_SPACES = re.compile(r"[\s\u3000\u00a0\ufeff]+")


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
            set_text(cell, value)
            cell.alignment = centre if c == 1 else wrap
            cell.border = border
    widths = [6, 60, 24, 36]
    for c, width in enumerate(widths, start=1):
        longest = max((display_width(v[c - 1]) for v in rows), default=0)
        ws.column_dimensions[chr(64 + c)].width = min(max(width, 8), max(longest, 8) + 2)
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    wb.save(output)  # a path or a binary file-like object
    return output
