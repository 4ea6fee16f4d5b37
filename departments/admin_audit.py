"""The base of every django-import-export admin: spreadsheet safety and the audit trail.

Imports and exports through the admin's buttons are recorded like every other import and
export (departments.audit), so the trail is complete whichever way data left or entered.
"""

from import_export.admin import ImportExportModelAdmin

from departments.audit import security_event_record
from departments.models import SecurityEvent
from huancui_vet.admin_imports import ChineseImportErrorsMixin
from huancui_vet.admin_lists import PlainActionCheckboxMixin


class AuditedImportExportAdmin(
    PlainActionCheckboxMixin, ChineseImportErrorsMixin, ImportExportModelAdmin
):
    def process_result(self, result, request):
        totals = result.totals
        security_event_record(
            kind=SecurityEvent.Kind.IMPORT,
            request=request,
            detail=f"后台导入{self.model._meta.verbose_name}：新增 {totals.get('new', 0)}、"
            f"更新 {totals.get('update', 0)}、删除 {totals.get('delete', 0)}",
        )
        return super().process_result(result, request)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        security_event_record(
            kind=SecurityEvent.Kind.EXPORT,
            request=request,
            detail=f"后台导出{self.model._meta.verbose_name}：{queryset.count()} 条",
        )
        return data
