"""Sheet layout shared by every sheet: title rows, header, column widths, print setup.

Write-only worksheets must get their widths, frozen panes and sheet properties before the
first row is appended; `TableSheet` does that in its constructor so callers cannot get
the order wrong.
"""

from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from huancui_vet.xlsx import column_width
from supervision.workbook.cells import StyledCells, wrapped_lines

TITLE_ROW_HEIGHT = 32
LINE_HEIGHT = 13.5  # points per wrapped line of 10.5pt 宋体 (Excel ~13.5, LibreOffice less)
# Free-text table rows (targets, progress text) get room for the CJK fonts that WPS and
# LibreOffice substitute for 宋体: their line spacing is ~15pt at 10.5pt, and a row sized for
# Excel's 13.5pt cuts the last lines off a printed copy.
LONG_TEXT_LINE_HEIGHT = 15.5
LONG_TEXT_SLACK = 0.95
FOOTER = "第 &P 页，共 &N 页"


@dataclass(frozen=True)
class Column:
    header: str
    style: str = "text"
    width: int | None = None  # fixed width; None = fit the (in-memory) data
    minimum: int = 6
    maximum: int = 40


def setup_print(ws, *, header_rows, page_title):
    """A4 landscape, one page wide, header rows repeated, page numbers in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    # fitToPage must be on, otherwise Excel ignores fitToWidth/fitToHeight.
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    # Room for the running header and the page-number footer (inches).
    ws.page_margins.top = ws.page_margins.bottom = 0.8
    ws.page_margins.header = ws.page_margins.footer = 0.3
    if header_rows:
        ws.print_title_rows = header_rows
    ws.oddFooter.center.text = FOOTER
    ws.oddFooter.center.font = "宋体"
    ws.oddFooter.center.size = 9
    ws.oddHeader.right.text = page_title
    ws.oddHeader.right.font = "宋体"
    ws.oddHeader.right.size = 9


def fitted_widths(columns, rows):
    """Column widths for in-memory rows (CJK-aware); fixed widths win."""
    widths = []
    for index, column in enumerate(columns):
        if column.width:
            widths.append(column.width)
            continue
        values = [column.header] + [_value(row[index]) for row in rows]
        widths.append(column_width(values, minimum=column.minimum, maximum=column.maximum))
    return widths


def _value(item):
    return item[0] if isinstance(item, tuple) else item


class TableSheet:
    """A sheet with a merged title, a subtitle, a frozen header row and bordered rows.

    Rows are lists of values or (value, style) tuples. `write_rows` accepts any iterable,
    so a database iterator streams straight into the file.
    """

    def __init__(self, wb, *, name, title, subtitle, columns, widths, page_title):
        self.ws = wb.create_sheet(name)
        self.cells = StyledCells(self.ws)
        self.columns = columns
        self.widths = widths
        self.row = 0
        last = get_column_letter(len(columns))
        for index, width in enumerate(widths, 1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.ws.freeze_panes = "A4"
        setup_print(self.ws, header_rows="3:3", page_title=page_title)
        self.ws.merged_cells.add(f"A1:{last}1")
        self.ws.merged_cells.add(f"A2:{last}2")
        self._append([self.cells.cell(title, "title")], height=TITLE_ROW_HEIGHT)
        self._append([self.cells.cell(subtitle, "subtitle")], height=20)
        header_height = max(
            wrapped_lines(c.header, w) for c, w in zip(columns, widths, strict=True)
        )
        self._append(
            [self.cells.cell(c.header, "header") for c in columns],
            height=max(22, header_height * LINE_HEIGHT + 6),
        )

    def _append(self, cells, *, height=None):
        self.row += 1
        if height:
            self.ws.row_dimensions[self.row].height = height
        self.ws.append(cells)

    def write_rows(self, rows, *, fit_height=True):
        for row in rows:
            self.write_row(row, fit_height=fit_height)

    def write_row(self, row, *, fit_height=False):
        """Append one row; with fit_height, set its height from its wrapped text."""
        cells = []
        lines = 1
        for item, column, width in zip(row, self.columns, self.widths, strict=True):
            value, style = item if isinstance(item, tuple) else (item, column.style)
            cells.append(self.cells.cell(value, style))
            if fit_height and isinstance(value, str):
                lines = max(lines, wrapped_lines(value, width, slack=LONG_TEXT_SLACK))
        self._append(cells, height=lines * LONG_TEXT_LINE_HEIGHT + 4 if fit_height else None)

    def write_note(self, text):
        """A merged, wrapped note line below the table."""
        self.row += 1  # leave one blank row
        self.ws.append([])
        last = get_column_letter(len(self.columns))
        total = sum(self.widths)
        self.ws.merged_cells.add(f"A{self.row + 1}:{last}{self.row + 1}")
        self._append(
            [self.cells.cell(text, "note")],
            height=wrapped_lines(text, total) * LINE_HEIGHT + 4,
        )
