from django.contrib import admin

from supervision.models import ScoringSettings


@admin.register(ScoringSettings)
class ScoringSettingsAdmin(admin.ModelAdmin):
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
