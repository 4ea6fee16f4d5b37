"""Spreadsheet import/export pieces shared by every app's admin (django-import-export).

They sit in the project package so departments and tasks both use them without importing
each other.
"""

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.http import HttpResponseBadRequest
from import_export import widgets
from import_export.formats.base_formats import XLSX
from import_export.forms import SelectableFieldsExportForm

from huancui_vet.faults import error_page_html
from huancui_vet.text import compact
from huancui_vet.xlsx import SpreadsheetError, check_xlsx, read_upload, set_text

# The temporary files this session uploaded and may confirm (import-export's confirm step
# posts the file's name back; any other name is refused).
SESSION_KEY = "import_confirmable_files"
KEEP_LAST = 10

# The mixins below extend django-import-export classes; mypy sees those bases, the runtime
# keeps the plain mixins (they are combined with the real classes where used).
if TYPE_CHECKING:
    from import_export.admin import ImportMixin as _ImportAdminBase
    from import_export.resources import Resource as _ResourceBase
else:
    _ImportAdminBase = _ResourceBase = object


class ChineseExportForm(SelectableFieldsExportForm):
    """The export field picker labelled with the sheet's Chinese captions ("任务内容")."""

    def _get_field_label(self, resource, field_name):
        field = resource.fields.get(field_name)
        return field.column_name if field is not None and field.column_name else field_name


class ChineseImportErrorsMixin(_ImportAdminBase):
    """Chinese errors for refused files, and a confirm step that only accepts this session's file.

    django-import-export's confirm form posts `import_file_name` back and reads that name from
    its temporary storage: a tampered name (another user's upload, `../../etc/passwd`) or an
    expired file would read the wrong file or raise FileNotFoundError (500). Here it is 400
    with a Chinese page, and nothing is written. The export picker shows Chinese captions.
    """

    export_form_class = ChineseExportForm

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetError):
            form.add_error("import_file", e.message)
        else:
            form.add_error("import_file", "无法读取该文件，请确认是 .xlsx 格式（Excel 工作簿）。")

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if "import_file_name" not in initial:  # the confirm step itself: nothing uploaded
            return initial
        names = request.session.get(SESSION_KEY, [])[-(KEEP_LAST - 1) :]
        request.session[SESSION_KEY] = [*names, initial["import_file_name"]]
        return initial

    def process_import(self, request, **kwargs):
        name = request.POST.get("import_file_name", "")
        confirmable = request.session.get(SESSION_KEY, [])
        if name not in confirmable:
            return _confirm_refused()
        try:
            response = super().process_import(request, **kwargs)
        except (OSError, SpreadsheetError):
            return _confirm_refused()
        request.session[SESSION_KEY] = [n for n in confirmable if n != name]
        return response


def _confirm_refused():
    return HttpResponseBadRequest(error_page_html("errors/import_confirm.html"))


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


class ChineseDecimalWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = compact(value).rstrip("%％")
        if not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"“{value}”不是数字") from exc

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None
        return int(value) if value == value.to_integral_value() else float(value)


class ChineseIntegerWidget(widgets.IntegerWidget):
    """IntegerWidget with a Chinese error, not `[<class 'decimal.ConversionSyntax'>]`."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (InvalidOperation, ValueError, TypeError) as exc:
            raise ValueError(f"“{value}”不是整数") from exc


class ChineseDateWidget(widgets.DateWidget):
    """DateWidget with a Chinese error (import-export's own says "Value could not be parsed")."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"“{value}”不是有效日期，应写作 2023-06-30") from exc


REQUIRED = "此项为必填项，不能为空。"


class ChineseColumnErrorsMixin(_ResourceBase):
    """Key row errors by the sheet's Chinese column caption, not the model's field name.

    The admin's error table labels each error with its key: "排序", not "sort_order".
    Errors on a model field without a column keep the field's verbose name.
    """

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as exc:
            raise ValidationError(self._chinese_keys(instance, exc.error_dict)) from exc

    def _chinese_keys(self, instance, error_dict):
        captions = {f.attribute: f.column_name for f in self.fields.values() if f.attribute}
        renamed: dict[str, list[str | ValidationError]] = {}
        for key, errors in error_dict.items():
            label = captions.get(key)
            if label is None and key != NON_FIELD_ERRORS:
                try:
                    label = str(instance._meta.get_field(key).verbose_name)
                except FieldDoesNotExist:
                    label = key
            messages = [REQUIRED if e.code in ("null", "blank") else e for e in errors]
            renamed.setdefault(label or key, []).extend(messages)
        return renamed
