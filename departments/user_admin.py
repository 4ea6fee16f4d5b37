"""The User admin: the back office's list of accounts, password resets and the xlsx import.

Imported from departments/admin.py (one line at its end) so the Department admin and this
one live in separate modules.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.http import content_disposition_header
from simple_history.admin import SimpleHistoryAdmin

from departments.models import SecurityEvent, User
from departments.services import (
    UserImportError,
    read_user_list,
    user_list_template,
    users_import,
)
from huancui_vet.admin_lists import LargeTableAdmin, ReadOnlyAdminMixin
from huancui_vet.xlsx import XLSX_CONTENT_TYPE

XLSX_TYPE = XLSX_CONTENT_TYPE


class PortalUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined]  # the stubs omit Meta
        model = User
        fields = (
            "username",
            "password",
            "full_name",
            "department",
            "phone",
            "email",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )


class PortalUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):  # type: ignore[name-defined]  # the stubs omit Meta
        model = User
        fields = ("username", "full_name", "department", "groups")


class UserImportForm(forms.Form):
    file = forms.FileField(
        label="用户名单（.xlsx）",
        help_text="第一行为表头：姓名、用户名、单位、角色。任一行有误则全部不导入。",
    )


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):  # 历史: department and role changes
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    change_list_template = "admin/departments/user/change_list.html"
    list_display = (
        "display_full_name",
        "username",
        "department",
        "display_role",
        "display_active",
        "last_login",
    )
    list_display_links = ("display_full_name", "username")
    list_filter = ("department", "groups", "is_active")
    list_select_related = ("department",)
    search_fields = ("username", "full_name", "department__name", "department__short_name")
    ordering = ("department__sort_order", "username")
    actions = ["deactivate_users"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "department", "phone", "email")}),
        ("角色与状态", {"fields": ("is_active", "is_staff", "groups")}),
        ("超级管理员权限", {"fields": ("is_superuser", "user_permissions")}),
        ("登录记录", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "department",
                    "groups",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_queryset(self, request):
        # The role column reads the prefetched groups: no query per row.
        return super().get_queryset(request).prefetch_related("groups")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not request.user.is_superuser:
            # Only a superuser may hand out superuser status or single permissions:
            # otherwise an administrator could raise their own rights.
            fieldsets = tuple(fs for fs in fieldsets if fs[0] != "超级管理员权限")
        return fieldsets

    @admin.display(description="姓名", ordering="full_name")
    def display_full_name(self, obj):
        return obj.full_name or "—"

    @admin.display(description="角色")
    def display_role(self, obj):
        return obj.role_label

    @admin.display(description="启用", boolean=True, ordering="is_active")
    def display_active(self, obj):
        return obj.is_active

    @admin.action(description="停用所选用户（下次访问时即退出登录）", permissions=["change"])
    def deactivate_users(self, request, queryset):
        count = queryset.exclude(pk=request.user.pk).update(is_active=False)
        self.message_user(request, f"已停用 {count} 个用户。", messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "import/template.xlsx",
                self.admin_site.admin_view(self.import_template_view),
                name="departments_user_import_template",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="departments_user_import",
            ),
            *super().get_urls(),
        ]

    def import_template_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        response = HttpResponse(user_list_template(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = (
            content_disposition_header(True, "用户名单模板.xlsx") or ""
        )
        return response

    def import_view(self, request):
        """Upload a user list; on success show each new user's initial password once."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UserImportForm(request.POST or None, request.FILES or None)
        errors = []
        imported = []
        if request.method == "POST" and form.is_valid():
            try:
                rows = read_user_list(form.cleaned_data["file"])
                imported = users_import(actor=request.user, rows=rows)
            except UserImportError as exc:
                errors = exc.errors
            else:
                self.message_user(
                    request,
                    f"已创建 {len(imported)} 个用户。初始密码只在本页显示一次，请立即分发。",
                    messages.SUCCESS,
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "从 Excel 导入用户",
            "form": form,
            "errors": errors,
            "imported": imported,
        }
        response = TemplateResponse(request, "admin/departments/user/import.html", context)
        # The page may show initial passwords: never cache it.
        response["Cache-Control"] = "no-store"
        return response


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdminMixin, LargeTableAdmin):
    """Read-only for everyone: the audit trail cannot be edited or deleted from the portal."""

    list_display = ("at", "kind", "username", "ip_address", "path", "detail")
    list_filter = ("kind", ("at", admin.DateFieldListFilter))
    search_fields = ("username", "detail", "path")
    ordering = ("-pk",)  # no date_hierarchy: its year list is a DISTINCT over the whole trail
