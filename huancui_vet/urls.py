from django.contrib import admin
from django.urls import include, path

from departments import help_views
from huancui_vet import views
from supervision.views.public import public_index, public_plan

admin.site.site_header = "环翠区职业教育创新发展高地建设督查平台"
admin.site.site_title = "督查平台后台"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # The clean public address of a plan (printed notices, QR codes).
    path("help/", help_views.help_index, name="help"),
    path("help/<str:role>/", help_views.help_role, name="help_role"),
    path("public/", public_index, name="public_index"),
    path("public/<int:plan_id>/", public_plan, name="public"),
    path("accounts/", include("departments.urls")),
    path("plans/", include("tasks.urls")),
    path("reports/", include("reports.urls")),
    path("supervision/", include("supervision.urls")),
    path("notifications/", include("notifications.urls")),
    path("jobs/", include("jobs.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "huancui_vet.views.bad_request"
handler403 = "huancui_vet.views.permission_denied"
handler404 = "huancui_vet.views.page_not_found"
handler500 = "huancui_vet.views.server_error"
