from django import forms
from django.contrib.auth.forms import AuthenticationForm


class PortalLoginForm(AuthenticationForm):
    """The standard login form with Chinese wording a district office expects."""

    error_messages = {
        "invalid_login": "用户名或密码不正确，请重新输入。连续输错多次将暂时锁定账号。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "current-password"}
        )
