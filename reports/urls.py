from django.urls import path

from huancui_vet.placeholder import coming_soon
from reports.views import bulk

app_name = "reports"
urlpatterns = [
    path("mine/", coming_soon, name="my_tasks"),
    path("signoff/", coming_soon, name="signoff_queue"),
    path("review/", coming_soon, name="review_queue"),
    # Bulk entry from Excel (reports/views/bulk.py)
    path("bulk/", bulk.bulk_entry, name="bulk_entry"),
    path("bulk/template.xlsx", bulk.bulk_download, name="bulk_download"),
    path("bulk/upload/", bulk.bulk_upload, name="bulk_upload"),
]
