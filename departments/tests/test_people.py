"""本单位账号: a unit head manages its own unit's accounts and nobody else's."""

import pytest
from django.urls import reverse

from departments.models import Role, SecurityEvent, User
from huancui_vet.testing import PASSWORD, make_user

LIST = reverse("people_list")
ADD = reverse("people_add")


def url(name, user):
    return reverse(name, kwargs={"pk": user.pk})


@pytest.mark.parametrize("who", ["reporter", "hr_reporter", "supervisor", "leader"])
def test_only_heads_may_open_the_people_pages(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(LIST).status_code == 403
    assert (
        client.post(ADD, {"username": "x1", "full_name": "某", "role": "reporter"}).status_code
        == 403
    )
    assert not User.objects.filter(username="x1").exists()


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_head_sees_own_unit_department_roles_only(client, world):
    client.force_login(world.head)
    response = client.get(LIST)
    assert response.status_code == 200
    names = {u.username for u in response.context["unit_users"]}
    # The 教育局 supervisor belongs to the unit but is not the head's to manage.
    assert names == {"edu_reporter", "edu_head"}


def test_head_adds_an_account_in_own_unit_with_a_one_time_password(client, world):
    client.force_login(world.head)
    response = client.post(
        ADD,
        {"username": "edu_new", "full_name": "孙新", "email": "sun@example.cn", "role": "reporter"},
    )
    assert response.status_code == 200
    created = User.objects.get(username="edu_new")
    assert created.department == world.edu and created.role == Role.REPORTER
    password = response.context["password"]
    assert created.check_password(password) and password in response.text
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.USER_ADDED)
    assert event.user == world.head and "edu_new" in event.detail and password not in event.detail


def test_duplicate_username_is_refused_beside_the_field(client, world):
    client.force_login(world.head)
    before = User.objects.count()
    response = client.post(
        ADD, {"username": "HR_reporter", "full_name": "重复", "role": "reporter"}
    )
    assert response.status_code == 200
    assert "已存在" in response.context["form"].errors["username"][0]
    assert User.objects.count() == before


def test_head_cannot_give_a_supervisor_role(client, world):
    client.force_login(world.head)
    client.post(ADD, {"username": "edu_sup", "full_name": "某", "role": "supervisor"})
    assert not User.objects.filter(username="edu_sup").exists()
    response = client.post(url("people_change_role", world.reporter), {"role": "administrator"})
    assert response.status_code == 302
    assert User.objects.get(pk=world.reporter.pk).role == Role.REPORTER


def test_head_deactivates_and_reactivates_own_units_reporter(client, world):
    client.force_login(world.head)
    assert client.post(url("people_deactivate", world.reporter)).status_code == 302
    assert not User.objects.get(pk=world.reporter.pk).is_active
    assert client.post(url("people_activate", world.reporter)).status_code == 302
    assert User.objects.get(pk=world.reporter.pk).is_active
    kinds = list(SecurityEvent.objects.values_list("kind", flat=True).order_by("id"))
    assert kinds[-2:] == [SecurityEvent.Kind.USER_DEACTIVATED, SecurityEvent.Kind.USER_ACTIVATED]


def test_head_resets_a_password_and_the_old_one_stops_working(client, world):
    client.force_login(world.head)
    response = client.post(url("people_reset_password", world.reporter))
    assert response.status_code == 200
    reporter = User.objects.get(pk=world.reporter.pk)
    assert not reporter.check_password(PASSWORD)
    assert reporter.check_password(response.context["password"])
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PASSWORD_RESET_BY_HEAD).exists()


def test_head_changes_a_reporter_into_a_head(client, world):
    client.force_login(world.head)
    client.post(url("people_change_role", world.reporter), {"role": "head"})
    assert User.objects.get(pk=world.reporter.pk).role == Role.HEAD
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ROLE_CHANGED)
    assert "部门填报员 → 部门负责人" in event.detail


def test_head_cannot_deactivate_or_demote_self(client, world):
    client.force_login(world.head)
    client.post(url("people_deactivate", world.head))
    client.post(url("people_change_role", world.head), {"role": "reporter"})
    head = User.objects.get(pk=world.head.pk)
    assert head.is_active and head.role == Role.HEAD


@pytest.mark.parametrize(
    "name",
    ["people_deactivate", "people_activate", "people_reset_password", "people_change_role"],
)
@pytest.mark.parametrize("target", ["hr_reporter", "supervisor", "admin", "leader"])
def test_head_gets_404_for_another_units_or_a_non_unit_role_user(client, world, name, target):
    victim = getattr(world, target)
    before = (victim.password, victim.is_active, victim.role)
    client.force_login(world.head)
    assert client.post(url(name, victim), {"role": "reporter"}).status_code == 404
    victim = User.objects.get(pk=victim.pk)
    assert (victim.password, victim.is_active, victim.role) == before


def test_another_units_head_cannot_touch_this_units_reporter(client, world):
    hr_head = make_user("hr_head", Role.HEAD, world.hr)
    client.force_login(hr_head)
    assert client.post(url("people_deactivate", world.reporter)).status_code == 404
    assert User.objects.get(pk=world.reporter.pk).is_active
    listed = {u.username for u in client.get(LIST).context["unit_users"]}
    assert listed == {"hr_reporter", "hr_head"}


def test_deactivated_user_cannot_sign_in(client, world):
    client.force_login(world.head)
    client.post(url("people_deactivate", world.reporter))
    client.logout()
    response = client.post(reverse("login"), {"username": "edu_reporter", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
