from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.notice_open, name="notice_open"),
    path("<int:pk>/read/", views.notice_read, name="notice_read"),
    path("read-all/", views.notice_read_all, name="notice_read_all"),
    path("settings/", views.notification_settings, name="settings"),
    path("unit-bots/", views.unit_webhooks, name="unit_webhooks"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
