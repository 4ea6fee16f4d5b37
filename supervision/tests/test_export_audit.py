"""Every workbook export is audited where it is written, whichever way it was asked for."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from departments.models import SecurityEvent

pytestmark = pytest.mark.django_db


def exports():
    return list(
        SecurityEvent.objects.filter(kind=SecurityEvent.Kind.EXPORT).values_list(
            "username", "detail"
        )
    )


def test_the_export_report_command_is_audited(world, tmp_path):
    call_command(
        "export_report",
        "--plan",
        str(world.plan.pk),
        "--as-of",
        "2023-06-30",
        "--output",
        str(tmp_path / "a.xlsx"),
        stdout=io.StringIO(),
    )
    [(username, detail)] = exports()
    assert "export_report" in username and f"方案{world.plan.pk}" in detail
    assert "2023-06-30" in detail


def test_the_download_is_audited_with_the_user(client, world):
    client.force_login(world.leader)
    response = client.get(reverse("supervision:export_workbook"), {"plan": world.plan.pk})
    assert response.status_code == 200
    [(username, detail)] = exports()
    assert username == world.leader.username and "网页下载" in detail
