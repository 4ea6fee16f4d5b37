"""Back office: failed deliveries are visible (and can be sent again); bots per unit."""

from django.contrib import admin
from django.utils import timezone

from huancui_vet.admin_lists import LargeTableAdmin
from notifications.models import Delivery, Notice, UnitWebhook


@admin.register(Delivery)
class DeliveryAdmin(LargeTableAdmin):
    list_display = ("subject", "channel", "target", "status", "attempts", "created_at", "error")
    # A date filter, not date_hierarchy: its year list is a DISTINCT over the whole outbox.
    list_filter = ("status", "channel", "kind", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("recipient", "webhook__department")
    search_fields = ("subject", "recipient__username", "recipient__email", "last_error")
    ordering = ("-pk",)
    actions = ["retry_now"]
    fields = (
        "channel",
        "recipient",
        "webhook",
        "kind",
        "subject",
        "body",
        "url",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description="发送对象")
    def target(self, obj):
        return obj.recipient.email if obj.recipient_id else str(obj.webhook)

    @admin.display(description="最近错误")
    def error(self, obj):
        return obj.last_error[:80]

    @admin.action(description="立即重新发送所选消息", permissions=["change"])
    def retry_now(self, request, queryset):
        count = queryset.exclude(status=Delivery.Status.SENT).update(
            status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        self.message_user(request, f"{count} 条消息将在下次发送时重试。")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(LargeTableAdmin):
    list_display = ("title", "recipient", "kind", "created_at", "read_at")
    list_filter = ("kind", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("recipient",)
    search_fields = ("title", "recipient__username", "recipient__full_name")
    ordering = ("-pk",)
    readonly_fields = ("recipient", "kind", "title", "body", "url", "created_at", "read_at")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UnitWebhook)
class UnitWebhookAdmin(admin.ModelAdmin):
    list_display = ("department", "channel", "is_active")
    list_filter = ("channel", "is_active")
    list_select_related = ("department",)
    search_fields = ("department__name",)
    fields = ("department", "channel", "url", "secret", "is_active", "disabled_kinds")
