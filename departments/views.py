from django.contrib.auth import views as auth_views

from departments.forms import PortalLoginForm


class PortalLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = PortalLoginForm
    redirect_authenticated_user = True
