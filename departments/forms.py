from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm

from departments import throttle
from departments.audit import security_event_record
from departments.models import Role, SecurityEvent, User


class PortalLoginForm(AuthenticationForm):
    """The standard login form with Chinese wording a district office expects."""

    error_messages = {
        "invalid_login": "用户名或密码不正确，请重新输入。连续输错多次将暂时锁定账号。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["username"].help_text = "单位分配的登录名；忘记请问本单位负责人。"
        self.fields["password"].help_text = "连续输错多次会暂时锁定账号。"
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "current-password"}
        )


UNIT_ROLE_CHOICES = [(Role.REPORTER.value, Role.REPORTER.label), (Role.HEAD.value, Role.HEAD.label)]


class UnitUserForm(forms.Form):
    """A unit head adding an account to the unit."""

    username = forms.CharField(
        label="用户名", max_length=150, help_text="登录时使用，字母、数字或 @/./+/-/_，不能重复。"
    )
    full_name = forms.CharField(
        label="姓名", max_length=50, help_text="填写真实姓名，显示在报告上。"
    )
    email = forms.EmailField(
        label="电子邮箱", required=False, help_text="选填；填写后本人可通过邮件找回密码。"
    )
    role = forms.ChoiceField(
        label="角色",
        choices=UNIT_ROLE_CHOICES,
        help_text="填报员填写进展；负责人还可签批和管理本单位账号。",
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(f"用户名“{username}”已存在，请换一个。")
        return username


class UnitRoleForm(forms.Form):
    role = forms.ChoiceField(
        label="角色", choices=UNIT_ROLE_CHOICES, help_text="选择新角色后保存。"
    )


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form: Chinese wording, per-account mail throttle, audited mails."""

    email = forms.EmailField(
        label="电子邮箱",
        max_length=254,
        help_text="填写账号登记的邮箱，我们会把重置链接发到这个邮箱。",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def get_users(self, email):
        # Accounts that had too many reset mails recently get no more (mail bombing).
        for user in super().get_users(email):
            if not throttle.password_reset_mail_throttled(user):
                yield user

    def save(self, *args, **kwargs):
        # send_mail() audits with the request (the client IP); save() is where it arrives.
        self._request = kwargs.get("request")
        return super().save(*args, **kwargs)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
        security_event_record(
            kind=SecurityEvent.Kind.PASSWORD_RESET_MAILED,
            request=getattr(self, "_request", None),
            user=context["user"],
            detail="已发送重置密码邮件",
        )


class PortalPasswordChangeForm(PasswordChangeForm):
    """Django's password change form with a hint on every field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].help_text = "现在登录用的密码。"
