"""The User admin as an administrator uses it: list, reset a password, deactivate."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Role, User
from huancui_vet.testing import PASSWORD, make_user


def test_user_list_shows_chinese_columns_and_filters(client, world):
    client.force_login(world.admin)
    response = client.get(reverse("admin:departments_user_changelist"))
    assert response.status_code == 200
    body = response.text
    for heading in ("姓名", "用户名", "所属单位", "角色", "启用", "上次登录"):
        assert heading in body
    assert "张填报" in body and "部门填报员" in body
    assert "以 所属单位" in body  # the department filter
    assert "从 Excel 导入用户" in body


def test_user_list_runs_the_same_number_of_queries_for_more_users(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.admin)
    url = reverse("admin:departments_user_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(20):
        make_user(f"extra{i}", Role.REPORTER, world.edu)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_administrator_can_filter_by_department_and_group(client, world):
    client.force_login(world.admin)
    url = reverse("admin:departments_user_changelist")
    body = client.get(url, {"department__id__exact": world.hr.pk}).text
    assert "hr_reporter" in body and "edu_reporter" not in body
    body = client.get(url, {"groups__id__exact": world.leader.groups.get().pk}).text
    assert "刘区长" in body and "edu_reporter" not in body


def test_administrator_resets_a_password_and_the_users_sessions_end(client, world):
    users_browser = Client()
    users_browser.force_login(world.reporter)
    client.force_login(world.admin)
    url = reverse("admin:auth_user_password_change", args=[world.reporter.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "usable_password": "true",
            "password1": "Reset-by-admin-77",
            "password2": "Reset-by-admin-77",
        },
    )
    assert response.status_code == 302
    world.reporter.refresh_from_db()
    assert world.reporter.check_password("Reset-by-admin-77")
    response = users_browser.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_deactivated_user_is_sent_to_login_on_the_next_request(client, world):
    users_browser = Client()
    users_browser.force_login(world.reporter)
    assert users_browser.get(reverse("password_change")).status_code == 200
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:departments_user_changelist"),
        {"action": "deactivate_users", "_selected_action": [world.reporter.pk]},
    )
    assert response.status_code == 302
    world.reporter.refresh_from_db()
    assert not world.reporter.is_active
    response = users_browser.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # …and cannot sign in again.
    response = Client().post(reverse("login"), {"username": "edu_reporter", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


def test_administrator_cannot_grant_superuser_rights(client, world):
    client.force_login(world.admin)
    url = reverse("admin:departments_user_change", args=[world.admin.pk])
    body = client.get(url).text
    assert 'name="is_superuser"' not in body
    assert 'name="user_permissions"' not in body
    assert 'name="groups"' in body


def test_administrator_adds_a_user_with_department_and_role(client, world):
    client.force_login(world.admin)
    reporter_group = world.reporter.groups.get()
    response = client.post(
        reverse("admin:departments_user_add"),
        {
            "username": "new_reporter",
            "full_name": "新填报员",
            "department": world.hr.pk,
            "groups": [reporter_group.pk],
            "usable_password": "true",
            "password1": "Fresh-account-2024",
            "password2": "Fresh-account-2024",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="new_reporter")
    assert user.department == world.hr
    assert user.role_label == "部门填报员"
    assert user.check_password("Fresh-account-2024")
