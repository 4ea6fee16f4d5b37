"""Word (.docx) plan attachments: read every table as a grid, write the attachment layout.

Reading walks the document XML with lxml (python-docx opens the package) instead of
python-docx's cell objects, which copy a merged cell's text into every grid column: here a
horizontally merged cell keeps its text in its first column only (a section heading spans
the whole row) and a vertically merged cell repeats its text in every row it spans (one
lead unit for three tasks), the same rules as merged cells in a spreadsheet.
"""

import io

from docx.oxml.ns import qn

from tasks.grid import Grid, TableGrid

# Column widths of the exported table on landscape A4 (25.7 cm between the margins).
_COLUMN_CM = (1.2, 8.0, 3.5, 4.5, 2.5, 4.5, 1.5)
# Paragraphs before the first table hold the attachment's title ("附件：…（2020—2023年）").
_TITLE_PARAGRAPHS = 10


_T, _BR, _CR, _TAB = qn("w:t"), qn("w:br"), qn("w:cr"), qn("w:tab")
_P, _TR, _TC, _TC_PR = qn("w:p"), qn("w:tr"), qn("w:tc"), qn("w:tcPr")
_GRID_SPAN, _V_MERGE, _VAL = qn("w:gridSpan"), qn("w:vMerge"), qn("w:val")
_TBL = qn("w:tbl")


def _paragraph_text(p):
    parts = []
    for node in p.iter(_T, _BR, _CR, _TAB):
        if node.tag == _T:
            parts.append(node.text or "")
        else:
            parts.append("\t" if node.tag == _TAB else "\n")
    return "".join(parts)


def _text(element):
    """The text of a cell or paragraph: paragraphs and line breaks become "\n"."""
    paragraphs = [element] if element.tag == _P else element.iter(_P)
    return "\n".join(_paragraph_text(p) for p in paragraphs)


def _merge_properties(tc):
    """(grid span, vertical merge: None, "restart" or "continue") read with plain lxml
    (python-docx's properties cost ~10× more on a 2,000-row table)."""
    props = tc.find(_TC_PR)
    if props is None:
        return 1, None
    span = props.find(_GRID_SPAN)
    merge = props.find(_V_MERGE)
    vmerge = None if merge is None else (merge.get(_VAL) or "continue")
    return (int(span.get(_VAL)) if span is not None else 1), vmerge


def _table_rows(tbl):
    rows: list[list[str | None]] = []
    for tr in tbl.iterchildren(_TR):
        # a row that starts right of the first grid column
        row: list[str | None] = [None] * tr.grid_before
        for tc in tr.iterchildren(_TC):
            column = len(row)
            span, vmerge = _merge_properties(tc)
            if vmerge == "continue":
                above = rows[-1] if rows else []
                value = above[column] if column < len(above) else None
            else:
                value = _text(tc).strip() or None
            row.append(value)
            row.extend([None] * (span - 1))
        rows.append(row)
    return rows


def read_docx_grid(data):
    """Every top-level table of a .docx (in document order) and the title lines before them."""
    import docx

    document = docx.Document(io.BytesIO(data))
    title_lines: list[str] = []
    tables: list[TableGrid] = []
    for child in document.element.body.iterchildren():
        if child.tag == _TBL:
            rows = _table_rows(child)
            tables.append(
                TableGrid(
                    label=f"第{len(tables) + 1}个表格",
                    rows=list(enumerate(rows, start=1)),
                )
            )
        elif child.tag == _P and not tables and len(title_lines) < _TITLE_PARAGRAPHS:
            text = _text(child).strip()
            if text:
                title_lines.append(text)
    return Grid(title_lines=title_lines, tables=tables, document=True)


def write_docx_table(*, title, headers, sections, output):
    """Write a title paragraph and one table: a header row repeated on every page, then
    `sections` [(heading text or None, [row tuples])], each heading merged across the row."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Cm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    document.styles["Normal"].font.size = Pt(10.5)
    heading_paragraph = document.add_paragraph()
    heading_paragraph.add_run(title).bold = True
    heading_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.autofit = False
    widths = [Cm(w) for w in _COLUMN_CM[: len(headers)]]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the table grid, which LibreOffice and WPS lay out from
    header_row = table.rows[0]
    header_row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, caption, width in zip(header_row.cells, headers, widths, strict=True):
        cell.width = width
        cell.paragraphs[0].add_run(caption).bold = True
    for heading, rows in sections:
        if heading:
            cells = table.add_row().cells
            merged = cells[0].merge(cells[-1])
            merged.paragraphs[0].add_run(heading).bold = True
        for values in rows:
            cells = table.add_row().cells
            for cell, value, width in zip(cells, values, widths, strict=True):
                cell.width = width  # Word lays columns out from every cell's own width
                cell.text = "" if value is None else str(value)
    document.add_paragraph("")  # Word ends every document with a paragraph, never a table
    document.save(output)
    return output
