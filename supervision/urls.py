from django.urls import path

from supervision.evaluation.urls import urlpatterns as evaluation_urlpatterns
from supervision.orders.urls import urlpatterns as order_urlpatterns
from supervision.views import compliance, dashboard, exports, public, scorecard

app_name = "supervision"
urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/print/", dashboard.dashboard_print, name="dashboard_print"),
    path("compliance/", compliance.compliance, name="compliance"),
    path("scorecard/", scorecard.scorecard, name="scorecard"),
    path("scorecard/<int:department_id>/", scorecard.department_score, name="department_score"),
    path("public/<int:plan_id>/", public.public_plan, name="public_plan"),
    path("public/<int:plan_id>/qr.svg", public.public_plan_qr_svg, name="public_plan_qr_svg"),
    path("public/<int:plan_id>/qr.png", public.public_plan_qr_png, name="public_plan_qr_png"),
    # Leadership workbook (supervision/views/exports.py)
    path("export.xlsx", exports.workbook_download, name="export_workbook"),
]
# Supervision orders (督办单), urgings and verifications: supervision/orders/urls.py
urlpatterns += order_urlpatterns
# Year-end evaluations (年度考评): supervision/evaluation/urls.py
urlpatterns += evaluation_urlpatterns
