"""Back office for year-end evaluations: read-only (every change goes through the services,
so each step stays on the evaluation's timeline)."""

from django.contrib import admin

from huancui_vet.admin_lists import ReadOnlyAdminMixin
from supervision.evaluation.models import Evaluation, EvaluationAdjustment, EvaluationLine


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AdjustmentInline(_ReadOnlyInline):
    model = EvaluationAdjustment
    fields = (
        "department",
        "kind",
        "amount",
        "reason",
        "created_by",
        "created_at",
        "withdrawn_at",
        "withdrawn_by",
        "withdrawn_reason",
    )
    readonly_fields = fields


class LineInline(_ReadOnlyInline):
    model = EvaluationLine
    fields = (
        "department_name",
        "group",
        "rank",
        "computed_score",
        "bonus",
        "deduction",
        "final_score",
        "grade",
        "insufficient",
    )
    readonly_fields = fields


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "status", "as_of", "approved_by", "published_at")
    list_filter = ("status", "year")
    list_select_related = ("plan", "approved_by")
    inlines = (AdjustmentInline, LineInline)
    readonly_fields = [f.name for f in Evaluation._meta.fields]
