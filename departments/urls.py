from django.contrib.auth import views as auth_views
from django.urls import path

from departments import people_views, views

urlpatterns = [
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        views.PortalPasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
    # Self-service password reset by e-mail (public).
    path("password-reset/", views.PortalPasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PortalPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    # A unit head managing the unit's accounts (departments/people.py).
    path("people/", people_views.people_list, name="people_list"),
    path("people/add/", people_views.people_add, name="people_add"),
    path("people/<int:pk>/deactivate/", people_views.people_deactivate, name="people_deactivate"),
    path("people/<int:pk>/activate/", people_views.people_activate, name="people_activate"),
    path(
        "people/<int:pk>/reset-password/",
        people_views.people_reset_password,
        name="people_reset_password",
    ),
    path("people/<int:pk>/role/", people_views.people_change_role, name="people_change_role"),
]
