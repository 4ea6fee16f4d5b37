from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<str:pk>/", views.job_detail, name="detail"),
    path("<str:pk>/status.json", views.job_status, name="status"),
    path("<str:pk>/download", views.job_download, name="download"),
]
