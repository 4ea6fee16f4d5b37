"""URLs of supervision orders, urgings and verifications (namespace `supervision`)."""

from django.urls import path

from supervision.orders.views import actions, orders, verifications

urlpatterns = [
    path("orders/", orders.order_list, name="order_list"),
    path("orders/new/<int:task_id>/", orders.order_create, name="order_create"),
    path("orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path("orders/<int:pk>/print/", orders.order_print, name="order_print"),
    path("orders/<int:pk>/acknowledge/", actions.order_acknowledge, name="order_acknowledge"),
    path("orders/<int:pk>/reply/", actions.order_reply, name="order_reply"),
    path("orders/<int:pk>/send-back/", actions.order_send_back, name="order_send_back"),
    path("orders/<int:pk>/close/", actions.order_close, name="order_close"),
    path(
        "orders/<int:pk>/extension/",
        actions.order_extension_request,
        name="order_extension_request",
    ),
    path(
        "orders/<int:pk>/extension/grant/",
        actions.order_extension_grant,
        name="order_extension_grant",
    ),
    path(
        "orders/<int:pk>/extension/refuse/",
        actions.order_extension_refuse,
        name="order_extension_refuse",
    ),
    path("orders/<int:pk>/urge/", actions.order_urge, name="order_urge"),
    path("orders/<int:pk>/instruct/", actions.order_instruct, name="order_instruct"),
    path("orders/files/<int:pk>/", actions.file_download, name="order_file"),
    path(
        "urge/<int:task_id>/<int:department_id>/<str:period>/",
        actions.report_urge,
        name="report_urge",
    ),
    path(
        "verifications/new/<int:task_id>/",
        verifications.verification_create,
        name="verification_create",
    ),
    path(
        "verifications/<int:pk>/",
        verifications.verification_detail,
        name="verification_detail",
    ),
]
