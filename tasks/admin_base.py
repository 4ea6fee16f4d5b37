"""Shared pieces for the admin classes that import spreadsheets."""

from huancui_vet.xlsx import SpreadsheetError


class ChineseImportErrorsMixin:
    """Show why an uploaded file was refused, in Chinese, instead of the exception's name."""

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetError):
            form.add_error("import_file", e.message)
        else:
            form.add_error("import_file", "无法读取该文件，请确认是 .xlsx 格式（Excel 工作簿）。")
