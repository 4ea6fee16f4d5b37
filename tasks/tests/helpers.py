"""Build real-shaped plan attachments in memory (xlsx, docx, xls) for the importer tests."""

import io

from huancui_vet.tests.xlsx_files import xlsx_bytes


def make_xlsx(rows, *, sheet_title="任务清单", **kwargs):
    """An attachment whose first sheet is 任务清单 (see xlsx_bytes for merges, extra_sheets)."""
    return xlsx_bytes(rows, sheet_title=sheet_title, **kwargs)


def read_xlsx(data_or_path):
    from openpyxl import load_workbook

    src = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    wb = load_workbook(src)
    return wb.sheetnames, [tuple(r) for r in wb.active.iter_rows(values_only=True)]


def make_docx(tables, *, title_lines=(), repeat_header=False, paragraphs_between=("",)):
    """A Word document: title paragraphs, then one table per item of `tables`.

    Each table is {"rows": [[cell text or None]], "merges": [(r0, c0, r1, c1)]}; a merge
    spans rows and/or columns like Word's "合并单元格" (the top-left text is kept).
    `repeat_header` marks each table's first row as a header repeated on every page.
    """
    import docx
    from docx.oxml import OxmlElement

    document = docx.Document()
    for line in title_lines:
        document.add_paragraph(line)
    for index, spec in enumerate(tables):
        if index:
            for text in paragraphs_between:
                document.add_paragraph(text)
        rows = spec["rows"]
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                if value is not None:
                    table.cell(r, c).text = str(value)
        for r0, c0, r1, c1 in spec.get("merges", ()):
            keep = table.cell(r0, c0).text
            merged = table.cell(r0, c0).merge(table.cell(r1, c1))
            merged.text = keep
        if repeat_header:
            table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    document.add_paragraph("")  # Word always ends a document with a paragraph
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_xls(rows, *, merges=(), sheet_title="任务清单"):
    """A legacy .xls written with xlwt; merges are (r0, r1, c0, c1), inclusive."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(sheet_title)
    merged_cells = set()
    for r0, r1, c0, c1 in merges:
        sheet.write_merge(r0, r1, c0, c1, rows[r0][c0])
        merged_cells |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is not None and (r, c) not in merged_cells:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def encrypted_docx(password="secret"):  # noqa: S107 (a test file's password)
    """A real password-protected .docx (what Word writes: an OLE container holding the
    EncryptionInfo and EncryptedPackage streams), encrypted with msoffcrypto-tool."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = make_docx([{"rows": [["序号", "任务内容", "牵头单位"], ["1", "任务一", "区财政局"]]}])
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt(password, out)
    return out.getvalue()
