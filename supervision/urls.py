from django.urls import path

from huancui_vet.placeholder import coming_soon

app_name = "supervision"
urlpatterns = [
    path("dashboard/", coming_soon, name="dashboard"),
    path("scorecard/", coming_soon, name="scorecard"),
]
