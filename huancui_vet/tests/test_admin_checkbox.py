"""The changelists' row checkbox (PlainActionCheckboxMixin) is Django's own HTML, written
without the widget templates."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from departments.admin import DepartmentAdmin
from departments.models import Department
from reports.admin import ReportAdmin
from supervision.tests.factories import make_report

pytestmark = pytest.mark.django_db


def test_the_checkbox_is_the_html_django_renders(world):
    unit = Department.objects.create(name='教育局<script>"&', short_name="教<育>")
    report = make_report(world.task1, world.edu, datetime.date(2023, 1, 1), author=world.reporter)
    for admin_class, obj in ((DepartmentAdmin, unit), (ReportAdmin, report)):
        ours = admin_class(type(obj), admin.site).action_checkbox(obj)
        djangos = admin.ModelAdmin(type(obj), admin.site).action_checkbox(obj)
        assert ours == djangos
        assert "<script>" not in ours and f'value="{obj.pk}"' in ours


def test_a_changelist_action_still_receives_the_checked_rows(client, world):
    world.admin.is_superuser = True  # may delete: the changelist offers its actions
    world.admin.save(update_fields=["is_superuser"])
    client.force_login(world.admin)
    spare = Department.objects.create(name="区待撤并单位", short_name="待撤并")
    url = reverse("admin:departments_department_changelist")
    page = client.get(url).content.decode()
    assert f'name="_selected_action" value="{spare.pk}" class="action-select"' in page
    response = client.post(url, {"action": "delete_selected", "_selected_action": [spare.pk]})
    assert response.status_code == 200  # the confirmation page, naming the checked row
    assert response.context["queryset"].get() == spare
    assert Department.objects.filter(pk=spare.pk).exists()
