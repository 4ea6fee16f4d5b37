from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from supervision.models import ScoringSettings


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
    )

    @admin.display(description="等级分数线")
    def bands(self, obj):
        return f"优秀≥{obj.band_excellent} 良好≥{obj.band_good} 一般≥{obj.band_fair}"
