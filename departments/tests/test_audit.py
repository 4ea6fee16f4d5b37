"""The security audit trail: sign-ins, failures, lock-outs, refusals, imports and exports."""

import pytest
from django.test import override_settings
from django.urls import reverse

from departments.models import SecurityEvent
from huancui_vet.testing import PASSWORD


def events(kind):
    return list(SecurityEvent.objects.filter(kind=kind).order_by("id"))


def test_successful_and_failed_sign_ins_are_recorded_without_passwords(client, world):
    client.post(reverse("login"), {"username": "edu_reporter", "password": "wrong-password-1"})
    client.post(reverse("login"), {"username": "edu_reporter", "password": PASSWORD})

    failed = events(SecurityEvent.Kind.LOGIN_FAILED)
    assert [(e.username, e.ip_address, e.user_id) for e in failed] == [
        ("edu_reporter", "127.0.0.1", None)
    ]
    login = events(SecurityEvent.Kind.LOGIN)
    assert [(e.username, e.user_id) for e in login] == [("edu_reporter", world.reporter.pk)]
    stored = " ".join(f"{e.username} {e.detail} {e.path}" for e in SecurityEvent.objects.all())
    assert "wrong-password-1" not in stored and PASSWORD not in stored


@override_settings(AXES_FAILURE_LIMIT=3)
def test_lock_out_is_recorded(client, world):
    for _ in range(3):
        client.post(reverse("login"), {"username": "hr_reporter", "password": "nope-nope-1"})
    locked = events(SecurityEvent.Kind.LOCKED_OUT)
    assert [e.username for e in locked] == ["hr_reporter"]
    assert len(events(SecurityEvent.Kind.LOGIN_FAILED)) == 3


def test_logout_is_recorded(client, world):
    client.force_login(world.leader)
    client.post(reverse("logout"))
    assert [e.user_id for e in events(SecurityEvent.Kind.LOGOUT)] == [world.leader.pk]


def test_a_refused_page_is_recorded_with_user_and_path(client, world):
    client.force_login(world.reporter)
    response = client.get(reverse("supervision:dashboard"))
    assert response.status_code == 403
    denied = events(SecurityEvent.Kind.ACCESS_DENIED)
    assert [(e.user_id, e.path) for e in denied] == [
        (world.reporter.pk, reverse("supervision:dashboard"))
    ]


def test_workbook_export_is_recorded(client, world):
    client.force_login(world.leader)
    response = client.get(reverse("supervision:export_workbook"), {"plan": world.plan.pk})
    assert response.status_code == 200
    exported = events(SecurityEvent.Kind.EXPORT)
    assert len(exported) == 1
    assert exported[0].user_id == world.leader.pk
    assert f"方案{world.plan.pk}" in exported[0].detail


def test_detail_is_kept_on_one_line():
    from departments.audit import security_event_record

    event = security_event_record(kind=SecurityEvent.Kind.IMPORT, detail="a\nFAKE line\r\nb")
    assert event.detail == "a FAKE line b"


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["add", "change", "delete"])
def test_nobody_can_edit_the_trail_in_the_admin(client, world, django_user_model, method):
    superuser = django_user_model.objects.create_superuser("root", password="x-Huancui-9")
    client.force_login(superuser)
    event = SecurityEvent.objects.create(at="2023-06-30T08:00:00+08:00", kind="login")
    urls = {
        "add": reverse("admin:departments_securityevent_add"),
        "change": reverse("admin:departments_securityevent_change", args=[event.pk]),
        "delete": reverse("admin:departments_securityevent_delete", args=[event.pk]),
    }
    response = client.post(urls[method], {"kind": "logout", "post": "yes"})
    assert response.status_code == 403
    assert SecurityEvent.objects.filter(pk=event.pk, kind="login").exists()


def test_administrator_role_can_read_the_trail(client, world):
    SecurityEvent.objects.create(at="2023-06-30T08:00:00+08:00", kind="login", username="x1")
    client.force_login(world.admin)
    response = client.get(reverse("admin:departments_securityevent_changelist"))
    assert response.status_code == 200
    assert "x1" in response.content.decode()
