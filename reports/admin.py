"""Back office: every report, read-only (reports change only through reports.services, where
every step is on record). At province scale the table holds a million rows: the list pages
by primary key, joins its two foreign keys in the page query and never counts the whole
table exactly (huancui_vet.admin_lists)."""

from django.contrib import admin

from huancui_vet.admin_lists import LargeTableAdmin, ReadOnlyAdminMixin
from reports.models import Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, LargeTableAdmin):
    list_display = (
        "id",
        "task_number",
        "unit",
        "period_start",
        "role",
        "state",
        "progress_status",
        "percent",
        "submitted_at",
    )
    list_display_links = ("id", "task_number")
    # Cheap filters only: choices and the unit table (never a DISTINCT over reports). No plan
    # filter: with the primary-key order it walks the whole table for an early plan (1.3 s
    # at 1M reports); the raw data export gives a plan's reports.
    list_filter = ("state", "role", "progress_status", "department")
    # Search by report number only (an exact integer lookup on the primary key); searching
    # unit names or comparing the id as text would read the whole table. Units are a filter.
    search_fields = ("=id",)
    search_help_text = "输入报告编号（数字）查找；按单位查看请用右侧筛选。"
    list_select_related = ("task", "department")
    list_per_page = 50
    ordering = ("-pk",)  # the primary key index; Meta.ordering would sort the whole table
    readonly_fields = [
        f.name for f in Report._meta.fields if f.name not in ("work_done", "problems", "next_steps")
    ] + ["work_done", "problems", "next_steps"]

    @admin.display(description="任务", ordering="task__number")
    def task_number(self, obj):
        return f"{obj.task.number}号"

    @admin.display(description="单位")
    def unit(self, obj):
        return obj.department.display_name

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if not term.isdigit():
            return queryset.none(), False
        return queryset.filter(pk=int(term)), False

    def _reads_all(self, request):
        return request.user.sees_all_departments

    def has_module_permission(self, request):
        return self._reads_all(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._reads_all(request) and super().has_view_permission(request, obj)
