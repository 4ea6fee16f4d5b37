"""Build small xlsx attachments in memory for the importer tests."""

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
