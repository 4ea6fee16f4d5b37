"""Shared pieces for the admin classes that import spreadsheets."""

from django.http import HttpResponseBadRequest
from import_export.forms import SelectableFieldsExportForm

from huancui_vet.faults import error_page_html
from huancui_vet.xlsx import SpreadsheetError

# The temporary files this session uploaded and may confirm (import-export's confirm step
# posts the file's name back; any other name is refused).
SESSION_KEY = "import_confirmable_files"
KEEP_LAST = 10


class ChineseExportForm(SelectableFieldsExportForm):
    """The export field picker labelled with the sheet's Chinese captions ("任务内容")."""

    def _get_field_label(self, resource, field_name):
        field = resource.fields.get(field_name)
        return field.column_name if field is not None and field.column_name else field_name


class ChineseImportErrorsMixin:
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
