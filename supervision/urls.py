from django.urls import path

from huancui_vet.placeholder import coming_soon
from supervision.views import exports

app_name = "supervision"
urlpatterns = [
    path("dashboard/", coming_soon, name="dashboard"),
    path("scorecard/", coming_soon, name="scorecard"),
    # Leadership workbook (supervision/views/exports.py)
    path("export.xlsx", exports.workbook_download, name="export_workbook"),
]
