"""Plan attachments as spreadsheets: read .xlsx/.xls into grids, write the 任务清单 sheet.

Reading: the upload passes the checks of huancui_vet/xlsx.py before openpyxl sees it; the
header row is found later (tasks/attachment_table.py), whatever title rows precede it.
Writing: one sheet 任务清单 with a title row, the header row and the task rows.
"""

import io

from huancui_vet.xlsx import SpreadsheetError, check_xlsx, display_width, set_text
from tasks.grid import Grid, TableGrid

SHEET_TITLE = "任务清单"
MAX_ROWS = 20_000
MAX_COLUMNS = 30
_ROWS_REFUSED = f"文件超过 {MAX_ROWS} 行，请拆分后导入。"


def _fill_merged(grid, ranges):
    """Vertically merged cells repeat their value in every row ([(r0, r1, c0, c1)], 0-based,
    inclusive); a heading merged across one row keeps its text in the first cell only."""
    for r0, r1, c0, c1 in ranges:
        if r0 == r1 or r0 >= len(grid):
            continue
        top = grid[r0][c0] if c0 < len(grid[r0]) else None
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            for c in range(c0, min(c1, len(grid[r]) - 1) + 1):
                grid[r][c] = top


def _xlsx_table(ws):
    if (ws.max_row or 0) > MAX_ROWS:
        raise SpreadsheetError(_ROWS_REFUSED)
    max_col = min(ws.max_column or 0, MAX_COLUMNS)
    grid = [list(row) for row in ws.iter_rows(max_col=max_col, values_only=True)]
    _fill_merged(
        grid,
        [(m.min_row - 1, m.max_row - 1, m.min_col - 1, m.max_col - 1) for m in ws.merged_cells],
    )
    return TableGrid(label=f"工作表“{ws.title}”", rows=list(enumerate(grid, start=1)))


def read_xlsx_grid(data):
    """Every sheet of an .xlsx as a grid, the sheet named 任务清单 first."""
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
    return Grid(tables=[_xlsx_table(ws) for ws in sheets])


def _xls_value(sheet, r, c, datemode):
    import xlrd

    cell = sheet.cell(r, c)
    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate_as_datetime(cell.value, datemode).date()
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    return cell.value


def read_xls_grid(data):
    """Every sheet of a legacy .xls (xlrd, merged cells included)."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise SpreadsheetError("文件设置了密码，请去掉密码后再导入。") from exc
        raise SpreadsheetError("无法读取该 .xls 文件，请另存为 .xlsx 后再导入。") from exc
    except Exception as exc:  # xlrd raises struct/assertion errors on damaged files
        raise SpreadsheetError("无法读取该 .xls 文件，请另存为 .xlsx 后再导入。") from exc
    tables = []
    for sheet in book.sheets():
        if sheet.nrows > MAX_ROWS:
            raise SpreadsheetError(_ROWS_REFUSED)
        cols = min(sheet.ncols, MAX_COLUMNS)
        grid = [
            [_xls_value(sheet, r, c, book.datemode) for c in range(cols)]
            for r in range(sheet.nrows)
        ]
        # xlrd ranges are half-open: (rlo, rhi, clo, chi).
        _fill_merged(grid, [(r0, r1 - 1, c0, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells])
        tables.append(TableGrid(label=f"工作表“{sheet.name}”", rows=list(enumerate(grid, 1))))
    tables.sort(key=lambda t: t.label != f"工作表“{SHEET_TITLE}”")
    return Grid(tables=tables)


def _styles():
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin", color="999999")
    return {
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="center"),
        "centre": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "title": Font(name="黑体", bold=True, size=14),
        "header": Font(name="黑体", bold=True),
        "section": Font(bold=True),
    }


def _merged_line(ws, row, text, width, font):
    set_text(ws.cell(row=row, column=1), text)
    ws.cell(row=row, column=1).font = font
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _task_row(ws, values, style):
    r = ws.max_row + 1
    for c, value in enumerate(values, start=1):
        cell = ws.cell(row=r, column=c)
        set_text(cell, value)
        cell.alignment = style["centre"] if c == 1 else style["wrap"]
        cell.border = style["border"]


def _page_setup(ws, headers, rows):
    widths = [6, 60, 24, 36, 14, 40, 20]
    for c, width in enumerate(widths[: len(headers)], start=1):
        longest = max((display_width(v[c - 1] or "") for v in rows), default=0)
        ws.column_dimensions[chr(64 + c)].width = min(max(width, 8), max(longest, 8) + 2)
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4


def write_task_sheet(*, title, headers, sections, output):
    """Write the title row, the header row and `sections` [(heading or None, [row tuples])]."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    style = _styles()
    _merged_line(ws, 1, title, len(headers), style["title"])
    ws.append(headers)
    for cell in ws[2]:
        cell.font, cell.alignment, cell.border = style["header"], style["centre"], style["border"]
    all_rows = []
    for heading, rows in sections:
        if heading:
            _merged_line(ws, ws.max_row + 1, heading, len(headers), style["section"])
        for values in rows:
            _task_row(ws, values, style)
        all_rows.extend(rows)
    _page_setup(ws, headers, all_rows)
    wb.save(output)  # a path or a binary file-like object
    return output
