from typing import cast

from django import forms

from notifications.models import Channel, EmailMode, Kind, UnitWebhook
from notifications.rules import UNIT_KINDS, optional_kinds, required_kinds


class SettingsForm(forms.Form):
    email_mode = forms.ChoiceField(
        label="邮件提醒方式",
        choices=EmailMode.choices,
        widget=forms.RadioSelect,
        help_text="消息多时可选每日汇总，一天只收一封邮件。",
    )
    email_kinds = forms.MultipleChoiceField(
        label="通过邮件接收的消息",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="取消勾选的消息只在“我的消息”中显示，不发邮件。",
    )

    def __init__(self, *args, user, prefs, **kwargs):
        self.user = user
        optional = optional_kinds(user)
        initial = {
            "email_mode": prefs.email_mode,
            "email_kinds": [k.value for k in optional if k not in prefs.email_disabled_kinds],
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["email_kinds"]).choices = [
            (k.value, k.label) for k in optional
        ]
        self.required_labels = [Kind(k).label for k in sorted(required_kinds(user))]

    def disabled_kinds(self):
        chosen = set(self.cleaned_data["email_kinds"])
        return [k.value for k in optional_kinds(self.user) if k.value not in chosen]


# The kinds a unit bot can be sent (the choices of UnitWebhookForm.kinds).
UNIT_KIND_CHOICES = [(k.value, k.label) for k in Kind if k in UNIT_KINDS]


class UnitWebhookForm(forms.ModelForm):
    url = forms.URLField(
        label="Webhook 地址",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="在群设置 → 群机器人中复制 Webhook 地址；留空表示不推送。",
    )
    kinds = forms.MultipleChoiceField(
        label="推送的消息",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=UNIT_KIND_CHOICES,
        help_text="勾选要推送到本单位群里的消息。",
    )

    class Meta:
        model = UnitWebhook
        fields = ["url", "secret", "is_active"]
        help_texts = {"is_active": "取消勾选可暂停推送，地址仍然保留。"}

    def __init__(self, *args, channel, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.channel = channel
        self.initial["kinds"] = [
            k for k, _ in UNIT_KIND_CHOICES if k not in self.instance.disabled_kinds
        ]
        if channel == Channel.WECOM:
            del self.fields["secret"]

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean() returns self.cleaned_data
        chosen = set(cleaned.get("kinds") or [])
        self.instance.disabled_kinds = [k for k, _ in UNIT_KIND_CHOICES if k not in chosen]
        return cleaned

    def _post_clean(self):
        if not self.cleaned_data.get("url"):
            return  # an empty address removes the bot; nothing to validate
        super()._post_clean()  # type: ignore[misc]  # BaseModelForm._post_clean is missing from django-stubs
