"""Back office for plans, key areas, tasks and targets (a bureau clerk's daily screens).

Lists never run one query per row: task units come from one prefetch (Task.objects.with_units).
Spreadsheet import/export needs the model's import/export permission
(IMPORT_EXPORT_*_PERMISSION_CODE in settings).
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.urls import path, reverse
from django.utils.html import format_html

from departments.admin import DepartmentAdmin
from departments.admin_audit import AuditedImportExportAdmin
from departments.models import Department
from huancui_vet.admin_lists import EstimatedCountPaginator
from tasks import admin_import
from tasks.models import (
    DepartmentAlias,
    KeyArea,
    OpenEndedPhrase,
    Plan,
    PlanAmendment,
    Target,
    Task,
    TaskAssignment,
)
from tasks.resources import SafeXLSX, TargetResource, TaskResource
from tasks.signals import task_changed

# What a unit is told changed when an administrator edits a task (task_changed).
TASK_CHANGE_LABELS = [("content", "任务内容"), ("deadline", "完成时限")]
INLINE_CHANGE_LABELS = {TaskAssignment: "承担单位", Target: "目标"}


class KeyAreaInline(admin.TabularInline):
    model = KeyArea
    extra = 0
    fields = ("section", "number", "label", "title")
    show_change_link = True


class PlanAmendmentInline(admin.TabularInline):
    """The plan's amendments, read-only: they are written only by applying a revised file."""

    model = PlanAmendment
    extra = 0
    can_delete = False
    fields = ("document_number", "effective_date", "created_by", "created_at", "change_list")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="调整内容")
    def change_list(self, obj):
        return format_html("<br>".join(["{}"] * len(obj.changes)), *obj.changes)


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
    inlines = [KeyAreaInline, PlanAmendmentInline]
    change_list_template = "tasks/admin/plan_change_list.html"
    change_form_template = "tasks/admin/plan_change_form.html"
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
        return format_html(
            '<a href="{}">导出 .xlsx</a> · <a href="{}">导出 .docx</a>',
            reverse("admin:tasks_plan_export_attachment", args=[obj.pk]),
            reverse("admin:tasks_plan_export_attachment_docx", args=[obj.pk]),
        )

    def get_urls(self):
        return [
            path(
                "import-attachment/",
                self.admin_site.admin_view(self.import_attachment_view),
                name="tasks_plan_import_attachment",
            ),
            path(
                "<int:pk>/amend-attachment/",
                self.admin_site.admin_view(self.amend_attachment_view),
                name="tasks_plan_amend_attachment",
            ),
            path(
                "<int:pk>/export-attachment/",
                self.admin_site.admin_view(admin_import.export_attachment_view),
                name="tasks_plan_export_attachment",
            ),
            path(
                "<int:pk>/export-attachment.docx",
                self.admin_site.admin_view(admin_import.export_attachment_view),
                {"fmt": "docx"},
                name="tasks_plan_export_attachment_docx",
            ),
            *super().get_urls(),
        ]

    def import_attachment_view(self, request):
        return admin_import.import_attachment_view(request, self)

    def amend_attachment_view(self, request, pk):
        return admin_import.amend_attachment_view(request, self, pk)


@admin.register(OpenEndedPhrase)
class OpenEndedPhraseAdmin(admin.ModelAdmin):
    list_display = ("text",)
    search_fields = ("text",)


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
    paginator = EstimatedCountPaginator
    # A row lists its lead and supporting units and a long task text: 100 of them (Django's
    # default) took ~200 ms a page at province scale, 50 half that.
    list_per_page = 50
    inlines = [AssignmentInline, TargetInline]
    fields = (
        "plan",
        "number",
        "content",
        "lead_note",
        "support_note",
        "key_areas",
        "deadline",
        "deadline_text",
        "remark",
    )
    filter_horizontal = ("key_areas",)

    def get_queryset(self, request):
        return super().get_queryset(request).with_units()

    def save_related(self, request, form, formsets, change):
        """Saves the inlines, then tells the units on the task what changed (same transaction)."""
        task = form.instance
        before = set(task.assignments.values_list("department_id", flat=True))
        super().save_related(request, form, formsets, change)
        changes = [label for name, label in TASK_CHANGE_LABELS if name in form.changed_data]
        changes += [
            INLINE_CHANGE_LABELS[f.model]
            for f in formsets
            if f.has_changed() and f.model in INLINE_CHANGE_LABELS
        ]
        if change and changes:
            after = set(task.assignments.values_list("department_id", flat=True))
            task_changed.send(
                sender=Task, task=task, changes="、".join(changes), department_ids=before | after
            )

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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.changed_data:
            units = set(obj.task.assignments.values_list("department_id", flat=True))
            task_changed.send(sender=Task, task=obj.task, changes="目标", department_ids=units)


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
