"""Back office for plans, key areas, tasks and targets (a bureau clerk's daily screens).

Lists never run one query per row: task units come from one prefetch (Task.objects.with_units).
Spreadsheet import/export needs the model's import/export permission
(IMPORT_EXPORT_*_PERMISSION_CODE in settings).
"""

import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from departments.admin import DepartmentAdmin
from departments.admin_audit import AuditedImportExportAdmin
from departments.audit import security_event_record
from departments.models import Department, SecurityEvent
from tasks.models import DepartmentAlias, KeyArea, Plan, Target, Task, TaskAssignment
from tasks.resources import SafeXLSX, TargetResource, TaskResource
from tasks.services import PlanImportError, plan_export_xlsx, plan_import_xlsx

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PlanAttachmentImportForm(forms.Form):
    file = forms.FileField(
        label="任务清单附件（.xlsx）",
        validators=[FileExtensionValidator(["xlsx"], message="只接受 .xlsx 格式的 Excel 文件。")],
        help_text="表头需包含“序号”“任务内容”“牵头单位”“责任单位”（或同义列名）。",
    )
    title = forms.CharField(label="方案名称", max_length=200)
    issuer = forms.CharField(label="发文机关", max_length=100, required=False)
    document_date = forms.DateField(label="印发日期", required=False, help_text="格式：2020-06-15")
    start_year = forms.IntegerField(
        label="起始年度", required=False, min_value=2000, max_value=2100
    )
    end_year = forms.IntegerField(label="截止年度", required=False, min_value=2000, max_value=2100)
    create_departments = forms.BooleanField(
        label="创建单位名录中没有的单位",
        required=False,
        help_text="不勾选时，附件中出现未知单位将中止导入并列出这些单位。",
    )


class KeyAreaInline(admin.TabularInline):
    model = KeyArea
    extra = 0
    fields = ("section", "number", "label", "title")
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "issuer",
        "document_date",
        "years",
        "task_count",
        "is_public",
        "export_link",
    )
    list_filter = ("is_public", "reporting_cycle")
    search_fields = ("title", "short_title", "issuer")
    inlines = [KeyAreaInline]
    change_list_template = "tasks/admin/plan_change_list.html"
    fieldsets = (
        (None, {"fields": ("title", "short_title", "issuer", "document_date", "is_public")}),
        (
            "年度与填报",
            {
                "fields": (
                    "start_year",
                    "end_year",
                    "reporting_cycle",
                    "reporting_starts_on",
                    "due_days_after_period",
                    "requires_head_signoff",
                )
            },
        ),
        ("方案原文", {"classes": ("collapse",), "fields": ("source_text",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_tasks=Count("tasks"))

    @admin.display(description="年度")
    def years(self, obj):
        return f"{obj.start_year}—{obj.end_year}"

    @admin.display(description="任务数", ordering="n_tasks")
    def task_count(self, obj):
        return obj.n_tasks

    @admin.display(description="任务清单")
    def export_link(self, obj):
        url = reverse("admin:tasks_plan_export_attachment", args=[obj.pk])
        return format_html('<a href="{}">导出 .xlsx</a>', url)

    def get_urls(self):
        return [
            path(
                "import-attachment/",
                self.admin_site.admin_view(self.import_attachment_view),
                name="tasks_plan_import_attachment",
            ),
            path(
                "<int:pk>/export-attachment/",
                self.admin_site.admin_view(self.export_attachment_view),
                name="tasks_plan_export_attachment",
            ),
            *super().get_urls(),
        ]

    def import_attachment_view(self, request):
        if not (
            request.user.has_perm("tasks.add_plan") and request.user.has_perm("tasks.import_plan")
        ):
            raise PermissionDenied
        form = PlanAttachmentImportForm(request.POST or None, request.FILES or None)
        result, errors = None, []
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            dry_run = "_preview" in request.POST
            try:
                result = plan_import_xlsx(
                    file=data["file"],
                    title=data["title"],
                    create_departments=data["create_departments"],
                    user=request.user,
                    issuer=data["issuer"],
                    document_date=data["document_date"],
                    start_year=data["start_year"],
                    end_year=data["end_year"],
                    dry_run=dry_run,
                )
            except PlanImportError as exc:
                errors = exc.errors
                if not dry_run:
                    security_event_record(
                        kind=SecurityEvent.Kind.IMPORT,
                        request=request,
                        detail=f"导入方案附件被拒绝：{len(errors)} 处错误",
                    )
            else:
                if not dry_run:
                    security_event_record(
                        kind=SecurityEvent.Kind.IMPORT,
                        request=request,
                        detail=f"导入方案附件《{result.plan.title}》：{result.task_count} 项任务",
                    )
                    created = (
                        f"，新建单位：{'、'.join(result.created_departments)}"
                        if result.created_departments
                        else ""
                    )
                    messages.success(
                        request,
                        f"已导入《{result.plan.title}》：{result.task_count} 项任务{created}。",
                    )
                    return self.response_post_save_add(request, result.plan)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "导入方案附件（任务清单）",
            "form": form,
            "result": result,
            "errors": errors,
        }
        return TemplateResponse(request, "tasks/admin/import_attachment.html", context)

    def export_attachment_view(self, request, pk):
        if not request.user.has_perm("tasks.export_plan"):
            raise PermissionDenied
        plan = get_object_or_404(Plan, pk=pk)
        buffer = io.BytesIO()
        plan_export_xlsx(plan=plan, output=buffer)
        security_event_record(
            kind=SecurityEvent.Kind.EXPORT, request=request, detail=f"导出方案附件：方案{plan.pk}"
        )
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f"attachment; filename=plan-{plan.pk}-tasks.xlsx"
        return response


@admin.register(KeyArea)
class KeyAreaAdmin(admin.ModelAdmin):
    list_display = ("plan", "section", "label", "title")
    list_filter = ("plan", "section")
    search_fields = ("title", "text")
    list_select_related = ("plan",)


class AssignmentInline(admin.TabularInline):
    model = TaskAssignment
    extra = 0
    fields = ("role", "position", "department", "written_as")
    ordering = ("role", "position")
    autocomplete_fields = ("department",)


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 36})},
        models.CharField: {"widget": forms.TextInput(attrs={"size": 24})},
    }
    fields = ("year", "indicator", "target_value", "unit", "kind", "source_sentence", "sort_order")


class DepartmentFilter(admin.SimpleListFilter):
    title = "单位"
    parameter_name = "department"

    def lookups(self, request, model_admin):
        return [(str(d.pk), d.name) for d in Department.objects.order_by("sort_order", "name")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        # Filter department and role in one filter() so both apply to the same assignment.
        lookup = {"assignments__department_id": self.value()}
        role = request.GET.get(RoleFilter.parameter_name)
        if role in TaskAssignment.Role.values:
            lookup["assignments__role"] = role
        return queryset.filter(**lookup).distinct()


class RoleFilter(admin.SimpleListFilter):
    title = "分工（配合“单位”筛选）"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return TaskAssignment.Role.choices

    def queryset(self, request, queryset):
        return queryset  # applied together with DepartmentFilter


@admin.register(Task)
class TaskAdmin(AuditedImportExportAdmin):
    resource_classes = [TaskResource]
    import_formats = [SafeXLSX]
    export_formats = [SafeXLSX]
    list_display = (
        "number",
        "short_content",
        "lead_units",
        "supporting_units",
        "deadline",
        "plan_title",
    )
    list_display_links = ("number", "short_content")
    list_filter = ("plan", DepartmentFilter, RoleFilter)
    search_fields = ("content", "assignments__department__name")
    list_select_related = ("plan",)
    show_full_result_count = False
    inlines = [AssignmentInline, TargetInline]
    fields = ("plan", "number", "content", "lead_note", "support_note", "key_areas", "deadline")
    filter_horizontal = ("key_areas",)

    def get_queryset(self, request):
        return super().get_queryset(request).with_units()

    @admin.display(description="任务内容", ordering="content")
    def short_content(self, obj):
        return obj.content[:40] + ("…" if len(obj.content) > 40 else "")

    @admin.display(description="方案", ordering="plan__title")
    def plan_title(self, obj):
        return obj.plan.display_title

    @admin.display(description="牵头单位")
    def lead_units(self, obj):
        return obj.lead_units_text or "—"

    @admin.display(description="责任单位")
    def supporting_units(self, obj):
        return obj.supporting_units_text or "—"


@admin.register(Target)
class TargetAdmin(AuditedImportExportAdmin):
    resource_classes = [TargetResource]
    import_formats = [SafeXLSX]
    export_formats = [SafeXLSX]
    list_display = ("task_number", "year", "indicator", "target_value", "unit", "kind")
    list_filter = ("task__plan", "year", "kind")
    search_fields = ("indicator", "source_sentence", "task__content")
    list_select_related = ("task", "task__plan")

    @admin.display(description="任务序号", ordering="task__number")
    def task_number(self, obj):
        return obj.task.number


@admin.register(DepartmentAlias)
class DepartmentAliasAdmin(admin.ModelAdmin):
    list_display = ("alias", "department")
    search_fields = ("alias", "department__name")
    list_select_related = ("department",)


class DepartmentAliasInline(admin.TabularInline):
    model = DepartmentAlias
    extra = 1
    fields = ("alias",)


# Aliases are edited on the department's own page; the inline is added from here because
# departments (a lower app) must not import tasks.
DepartmentAdmin.inlines = [*DepartmentAdmin.inlines, DepartmentAliasInline]
