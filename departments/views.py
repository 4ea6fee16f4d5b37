from django.contrib.auth import views as auth_views

from departments import throttle
from departments.audit import security_event_record
from departments.forms import PortalLoginForm, PortalPasswordChangeForm, PortalPasswordResetForm
from departments.models import SecurityEvent

THROTTLED_LOGIN = "该网络地址登录失败次数过多，已暂停登录，请 {minutes} 分钟后再试。"
THROTTLED_PASSWORD_RESET = "该网络地址申请重置密码次数过多，请 {minutes} 分钟后再试。"  # noqa: S105 - a message
THROTTLED_PASSWORD_CHANGE = "原密码连续输错次数过多，已暂停修改密码，请 {minutes} 分钟后再试。"  # noqa: S105 - a message, not a password


class PortalLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = PortalLoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if not throttle.login_ip_throttled(request):
            return super().post(request, *args, **kwargs)
        username = str(request.POST.get("username", ""))
        security_event_record(
            kind=SecurityEvent.Kind.THROTTLED, request=request, username=username, detail="登录"
        )
        refusal = THROTTLED_LOGIN.format(minutes=throttle.window_minutes())
        # An unbound form: validating it would try the password once more.
        form = self.get_form_class()(request)
        return self.render_to_response(
            self.get_context_data(form=form, refusal=refusal), status=429
        )


class PortalPasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (other sessions end), throttled and audited."""

    template_name = "registration/password_change.html"
    form_class = PortalPasswordChangeForm

    def post(self, request, *args, **kwargs):
        if not throttle.password_change_throttled(request.user):
            return super().post(request, *args, **kwargs)
        security_event_record(kind=SecurityEvent.Kind.THROTTLED, request=request, detail="修改密码")
        refusal = THROTTLED_PASSWORD_CHANGE.format(minutes=throttle.window_minutes())
        form = self.get_form_class()(user=request.user)
        return self.render_to_response(
            self.get_context_data(form=form, refusal=refusal), status=429
        )

    def form_invalid(self, form):
        if "old_password" in form.errors:
            security_event_record(
                kind=SecurityEvent.Kind.PASSWORD_CHANGE_FAILED, request=self.request
            )
        return super().form_invalid(form)


class PortalPasswordResetView(auth_views.PasswordResetView):
    """Django's reset-by-mail flow: Chinese mail and pages, throttled per IP and per account,
    each request and each mail audited. The answer never says whether the address exists."""

    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    form_class = PortalPasswordResetForm

    def post(self, request, *args, **kwargs):
        if not throttle.password_reset_ip_throttled(request):
            return super().post(request, *args, **kwargs)
        security_event_record(kind=SecurityEvent.Kind.THROTTLED, request=request, detail="重置密码")
        refusal = THROTTLED_PASSWORD_RESET.format(minutes=throttle.window_minutes())
        return self.render_to_response(
            self.get_context_data(form=self.get_form_class()(), refusal=refusal), status=429
        )

    def form_valid(self, form):
        security_event_record(
            kind=SecurityEvent.Kind.PASSWORD_RESET_REQUESTED, request=self.request
        )
        return super().form_valid(form)


class PortalPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        security_event_record(
            kind=SecurityEvent.Kind.PASSWORD_RESET_DONE, request=self.request, user=form.user
        )
        return response
