"""Help where it is needed: a one-line Chinese hint on every portal form field, and a
使用说明 page per role reachable from the header."""

import re

import pytest
from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.urls import reverse

from departments.forms import (
    PortalLoginForm,
    PortalPasswordChangeForm,
    PortalPasswordResetForm,
    UnitRoleForm,
    UnitUserForm,
)
from departments.models import Role
from notifications.forms import SettingsForm, UnitWebhookForm
from notifications.models import Channel, UnitWebhook
from notifications.services import settings_for
from reports.forms import (
    AcceptForm,
    EvidenceForm,
    PeriodFilterForm,
    ReportForm,
    ReturnForm,
    ReviewFilterForm,
)
from reports.views.bulk import BulkUploadForm
from reports.views.raw import RawFilterForm
from supervision.evaluation import forms as evaluation_forms
from supervision.evaluation.models import Evaluation
from supervision.forms import ComplianceFilterForm, DashboardFilterForm, ScorecardFilterForm
from supervision.orders.forms import (
    CloseForm,
    ExtensionGrantForm,
    ExtensionRequestForm,
    OrderFilterForm,
    OrderIssueForm,
    ReplyForm,
    TextForm,
    VerificationForm,
)
from supervision.views.exports import WorkbookOptionsForm

HAN = re.compile(r"[\u4e00-\u9fff]")
PORTAL_APPS = ("departments.", "notifications.", "reports.", "supervision.", "tasks.")


def portal_forms(world):
    return [
        PortalLoginForm(),
        PortalPasswordChangeForm(user=world.reporter),
        PortalPasswordResetForm(),
        SetPasswordForm(user=world.reporter),  # the reset link's form
        UnitUserForm(),
        UnitRoleForm(),
        ReportForm(is_lead=True, targets=[world.target1]),
        ReportForm(is_lead=False),
        ReturnForm(),
        AcceptForm(),
        EvidenceForm(),
        ReviewFilterForm(plans=[], departments=[], tasks=[]),
        PeriodFilterForm(),
        BulkUploadForm(),
        RawFilterForm(),
        DashboardFilterForm(),
        ScorecardFilterForm(),
        ComplianceFilterForm(),
        WorkbookOptionsForm(),
        OrderIssueForm(task=world.task1),
        TextForm(),
        *(
            TextForm(label=label, required_message=f"请填写{label}。")
            for label in ("退回理由", "不同意理由", "催办内容", "批示内容")
        ),
        ReplyForm(),
        ExtensionRequestForm(),
        ExtensionGrantForm(),
        CloseForm(),
        VerificationForm(task=world.task1),
        OrderFilterForm(),
        evaluation_forms.OpenForm(),
        evaluation_forms.AdjustmentForm(evaluation=Evaluation(plan=world.plan, year=2023)),
        evaluation_forms.ReturnForm(),
        SettingsForm(user=world.reporter, prefs=settings_for(world.reporter)),
        *(
            UnitWebhookForm(
                prefix=channel, channel=channel, instance=UnitWebhook(department=world.edu)
            )
            for channel in (Channel.WECOM, Channel.DINGTALK)
        ),
    ]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_portal_form_is_checked(world):
    """A new non-admin form must be added to portal_forms() (so its hints are checked)."""
    checked = {type(form) for form in portal_forms(world)}
    found = {
        cls
        for cls in _subclasses(forms.BaseForm)
        if cls.__module__.startswith(PORTAL_APPS)
        and "admin" not in cls.__module__
        and cls.__name__ != "PlanFilterForm"  # abstract base of the filter forms
        and "tests" not in cls.__module__
    }
    assert found <= checked, found - checked


def test_every_visible_field_has_a_short_chinese_hint(world):
    missing = []
    for form in portal_forms(world):
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            text = str(field.help_text or "")
            if not HAN.search(text):
                missing.append(f"{type(form).__name__}.{name}")
            # Django's password rules come as a list; every other hint is one line.
            elif "<li>" not in text and (len(text) > 60 or "\n" in text):
                missing.append(f"{type(form).__name__}.{name} (too long)")
    assert missing == []


def test_hints_are_shown_beside_the_fields(client, world):
    client.force_login(world.head)
    page = client.get(reverse("people_add")).text
    assert '<p class="field__help">选填；填写后本人可通过邮件找回密码。</p>' in page


@pytest.mark.parametrize(
    ("who", "role"),
    [
        ("reporter", Role.REPORTER),
        ("head", Role.HEAD),
        ("neutral_supervisor", Role.SUPERVISOR),
        ("leader", Role.LEADER),
        ("admin", Role.ADMINISTRATOR),
    ],
)
def test_header_help_link_opens_the_users_role_page(client, world, who, role):
    client.force_login(getattr(world, who))
    home = client.get(reverse("tasks:plan_list")).text
    assert f'href="{reverse("help")}"' in home
    response = client.get(reverse("help"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("help_role", kwargs={"role": role.value})
    assert f"使用说明 · {role.label}" in response.text


def test_role_pages_say_how_to_report_review_and_read_the_scorecard(client, world):
    client.force_login(world.reporter)
    pages = {r: client.get(reverse("help_role", kwargs={"role": r})).text for r in Role.values}
    assert "怎样填报进展" in pages["reporter"]
    assert "签批" in pages["head"] and "本单位账号" in pages["head"]
    assert "怎样审核" in pages["supervisor"] and "怎样看评分" in pages["supervisor"]
    assert "部门评分" in pages["leader"]
    assert client.get(reverse("help_role", kwargs={"role": "nobody"})).status_code == 404


def test_help_needs_sign_in(client, world):
    response = client.get(reverse("help"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
