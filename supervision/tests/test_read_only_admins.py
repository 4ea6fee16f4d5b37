"""Records the portal's services keep (audit trail, reports, orders, evaluations) cannot be
added, changed or deleted from the back office, even by a superuser."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from departments.models import SecurityEvent
from reports.models import Report
from supervision.evaluation.models import Evaluation
from supervision.orders.models import SupervisionOrder

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [SecurityEvent, Report, SupervisionOrder, Evaluation])
def test_a_superuser_can_only_read(world, model):
    request = RequestFactory().get("/admin/")
    request.user = world.admin
    request.user.is_superuser = True
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)
