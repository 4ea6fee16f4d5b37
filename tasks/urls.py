from django.urls import path

from huancui_vet.placeholder import coming_soon

app_name = "tasks"
urlpatterns = [
    path("", coming_soon, name="plan_list"),
]
