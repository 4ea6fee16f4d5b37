"""Build small xlsx attachments in memory for the importer tests."""

import io

from openpyxl import Workbook


def make_xlsx(rows, *, sheet_title="任务清单", merges=(), extra_sheets=()):
    """rows: lists of cell values, written from A1; merges: ranges such as "C2:C3"."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title
    for row in rows:
        ws.append(list(row))
    for rng in merges:
        ws.merge_cells(rng)
    for title in extra_sheets:
        wb.create_sheet(title)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read_xlsx(data_or_path):
    from openpyxl import load_workbook

    src = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    wb = load_workbook(src)
    return wb.sheetnames, [tuple(r) for r in wb.active.iter_rows(values_only=True)]
