from django.urls import path

from huancui_vet.placeholder import coming_soon

app_name = "reports"
urlpatterns = [
    path("mine/", coming_soon, name="my_tasks"),
    path("bulk/", coming_soon, name="bulk_entry"),
    path("signoff/", coming_soon, name="signoff_queue"),
    path("review/", coming_soon, name="review_queue"),
]
