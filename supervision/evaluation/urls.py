"""URLs of the year-end evaluation (namespace `supervision`)."""

from django.urls import path

from supervision.evaluation import views

urlpatterns = [
    path("evaluations/", views.evaluation_list, name="evaluation_list"),
    path("evaluations/open/", views.evaluation_open, name="evaluation_open"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path(
        "evaluations/<int:pk>/units/<int:department_id>/",
        views.evaluation_unit,
        name="evaluation_unit",
    ),
    path("evaluations/<int:pk>/adjust/", views.adjustment_add, name="evaluation_adjust"),
    path(
        "evaluations/adjustments/<int:pk>/withdraw/",
        views.adjustment_withdraw,
        name="evaluation_adjustment_withdraw",
    ),
    path("evaluations/<int:pk>/submit/", views.evaluation_submit, name="evaluation_submit"),
    path("evaluations/<int:pk>/approve/", views.evaluation_approve, name="evaluation_approve"),
    path("evaluations/<int:pk>/return/", views.evaluation_return, name="evaluation_return"),
    path("evaluations/<int:pk>/print/", views.evaluation_print, name="evaluation_print"),
    path("evaluations/<int:pk>/result.xlsx", views.evaluation_xlsx, name="evaluation_xlsx"),
    path("evaluations/files/<int:pk>/", views.adjustment_file, name="evaluation_file"),
]
