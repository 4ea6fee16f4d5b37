"""Spreadsheet import/export pieces shared by every app's admin (django-import-export).

They sit in the project package so departments and tasks both use them without importing
each other.
"""

from import_export import widgets
from import_export.formats.base_formats import XLSX

from huancui_vet.text import compact
from huancui_vet.xlsx import SpreadsheetError, check_xlsx, read_upload, set_text


class ChineseImportErrorsMixin:
    """Show why an uploaded file was refused, in Chinese, instead of the exception's name."""

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetError):
            form.add_error("import_file", e.message)
        else:
            form.add_error("import_file", "无法读取该文件，请确认是 .xlsx 格式（Excel 工作簿）。")


class SafeXLSX(XLSX):
    """XLSX that checks uploads like the plan importer and never writes live formulas.

    import-export's own escaping strips a leading "=" and turns every cell into text
    (security notes §A1.6); here numbers stay numbers and risky strings are quote-prefixed.
    """

    def create_dataset(self, in_stream):
        check_xlsx(read_upload(in_stream))
        return super().create_dataset(in_stream)

    def export_data(self, dataset, **kwargs):
        import io

        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = (dataset.title or "数据")[:31]
        ws.append(list(dataset.headers or []))
        for r, row in enumerate(dataset, start=2):
            for c, value in enumerate(row, start=1):
                set_text(ws.cell(row=r, column=c), value)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


class ChoiceLabelWidget(widgets.Widget):
    """TextChoices by their Chinese label ("政府部门"); the stored value is accepted too."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = compact(value)
        if not text:
            return None
        for choice in self.choices:
            if text in (choice.label, choice.value):
                return choice.value
        labels = "、".join(c.label for c in self.choices)
        raise ValueError(f"“{value}”不是有效的选项，应为：{labels}")

    def render(self, value, obj=None, **kwargs):
        for choice in self.choices:
            if value == choice.value:
                return choice.label
        return value or ""


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = compact(value)
        if text in ("", "None"):
            return None
        if text in ("是", "1", "True", "true", "启用"):
            return True
        if text in ("否", "0", "False", "false", "停用"):
            return False
        raise ValueError(f"“{value}”应为“是”或“否”")

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"
