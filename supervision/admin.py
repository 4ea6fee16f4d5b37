from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from huancui_vet.admin_lists import LargeTableAdmin, ReadOnlyAdminMixin
from supervision.models import (
    OrderEvent,
    OrderSettings,
    OrderUnit,
    ScoringSettings,
    SupervisionOrder,
)


@admin.register(ScoringSettings)
class ScoringSettingsAdmin(SimpleHistoryAdmin):  # 历史 button: every version of the weights
    list_display = (
        "__str__",
        "weight_timeliness",
        "weight_completion",
        "weight_review",
        "weight_orders",
        "lead_factor",
        "late_credit",
        "bands",
        "ranking_rule",
        "updated_at",
    )
    list_select_related = ("plan",)
    fieldsets = (
        (None, {"fields": ("plan",)}),
        (
            "权重（四项之和为100）",
            {
                "fields": (
                    "weight_timeliness",
                    "weight_completion",
                    "weight_review",
                    "weight_orders",
                    "lead_factor",
                    "late_credit",
                )
            },
        ),
        ("等级分数线", {"fields": ("band_excellent", "band_good", "band_fair")}),
        (
            "分类考核与年度考评",
            {"fields": ("ranking_rule", "min_expected_reports", "max_bonus", "max_deduction")},
        ),
    )

    @admin.display(description="等级分数线")
    def bands(self, obj):
        return f"优秀≥{obj.band_excellent} 良好≥{obj.band_good} 一般≥{obj.band_fair}"


@admin.register(OrderSettings)
class OrderSettingsAdmin(admin.ModelAdmin):
    """Per-plan numbering, colour thresholds (N, M, K) and the scorecard's order penalties."""

    list_display = (
        "__str__",
        "number_prefix",
        "amber_days",
        "red_urgings",
        "escalate_days",
        "urging_penalty",
        "send_back_penalty",
        "partly_true_credit",
        "updated_at",
    )
    list_select_related = ("plan",)
    fieldsets = (
        (None, {"fields": ("plan", "number_prefix")}),
        ("三色预警", {"fields": ("amber_days", "red_urgings", "escalate_days")}),
        (
            "部门评分（督办单办理）",
            {"fields": ("urging_penalty", "send_back_penalty", "partly_true_credit")},
        ),
    )


class OrderUnitInline(admin.TabularInline):
    model = OrderUnit
    fields = ("department", "role")
    readonly_fields = fields
    extra = 0
    can_delete = False


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    fields = ("at", "action", "actor", "text", "new_deadline")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ReadOnlyAdminMixin, LargeTableAdmin):
    """Read-only: orders change only through the lifecycle services (every step on record)."""

    list_display = ("number", "task_number", "status", "level", "deadline", "issued_at")
    list_filter = ("status", "level", "plan")
    list_select_related = ("task",)
    search_fields = ("number", "reason", "units__department__name")
    inlines = (OrderUnitInline, OrderEventInline)
    readonly_fields = [f.name for f in SupervisionOrder._meta.fields]

    @admin.display(description="任务", ordering="task__number")
    def task_number(self, obj):
        return obj.task.number


# Year-end evaluations (read-only): supervision/evaluation/admin.py
from supervision.evaluation import admin as evaluation_admin  # noqa: E402, F401
