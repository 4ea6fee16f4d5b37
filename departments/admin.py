from django.contrib import admin

from departments import user_admin  # noqa: F401
from departments.admin_audit import AuditedImportExportAdmin
from departments.models import Department
from departments.resources import DepartmentResource
from huancui_vet.admin_imports import SafeXLSX


@admin.register(Department)
class DepartmentAdmin(AuditedImportExportAdmin):
    resource_classes = [DepartmentResource]
    import_formats = [SafeXLSX]
    export_formats = [SafeXLSX]
    list_display = ("name", "short_name", "kind", "is_active", "sort_order", "alias_list")
    list_editable = ("sort_order", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name", "aliases__alias")
    ordering = ("sort_order", "name")
    fields = ("name", "short_name", "kind", "is_active", "sort_order")
    inlines: list = []  # tasks.admin adds the alias inline (aliases are a tasks model)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description="别称")
    def alias_list(self, obj):
        return "、".join(a.alias for a in obj.aliases.all()) or "—"
