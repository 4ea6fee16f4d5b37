"""Admin imports speak Chinese: no Python reprs, no English, and a tampered confirm is a 400."""

import pytest
from django.test import Client
from django.urls import reverse

from departments.models import Department
from tasks.models import Task
from tasks.tests.helpers import make_xlsx
from tasks.tests.test_admin import _superuser, _upload

TASK_HEADER = ["方案", "序号", "任务内容", "牵头单位", "责任单位", "完成时限"]
LEAKS = (
    "&lt;class",
    "<class",
    "ConversionSyntax",
    "Value could not",
    "<Department",
    "&lt;Department",
)


def preview(client, url, rows):
    response = client.post(url, {"import_file": _upload(make_xlsx(rows)), "format": "0"})
    return response, response.content.decode()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["序号错", "任务", "区财政局", "", None], "“序号错”不是整数"),
        ([3, "任务", "区财政局", "", "2023-13-45"], "“2023-13-45”不是有效日期"),
        ([3, "", "区财政局", "", None], "此项为必填项，不能为空。"),
    ],
)
def test_task_import_row_errors_are_chinese_without_reprs(
    client, world, django_user_model, row, message
):
    client.force_login(_superuser(django_user_model))
    _, html = preview(
        client, reverse("admin:tasks_task_import"), [TASK_HEADER, [world.plan.title, *row]]
    )
    assert message in html
    assert not any(leak in html for leak in LEAKS)
    assert not Task.objects.filter(plan=world.plan, number=3).exists()


def test_department_import_names_the_chinese_column(client, world, django_user_model):
    client.force_login(_superuser(django_user_model))
    header = ["单位名称", "简称", "类别", "启用", "排序"]
    _, html = preview(
        client,
        reverse("admin:departments_department_import"),
        [header, ["区审计局", "审计局", "政府部门", "是", "x3"]],
    )
    assert "“x3”不是整数" in html and ">排序<" in html
    assert "sort_order" not in html and not any(leak in html for leak in LEAKS)
    assert not Department.objects.filter(name="区审计局").exists()


def test_the_preview_shows_units_as_written_not_python_values(client, world, django_user_model):
    client.force_login(_superuser(django_user_model))
    rows = [TASK_HEADER, [world.plan.title, 3, "新任务", "区财政局", "区教育体育局等", None]]
    _, html = preview(client, reverse("admin:tasks_task_import"), rows)
    assert "区教育体育局等" in html
    assert not any(leak in html for leak in LEAKS)


@pytest.mark.parametrize("name", ["../../etc/passwd", "tmpdoesnotexist", "", "another-users-file"])
def test_a_tampered_confirm_is_a_chinese_400_and_writes_nothing(
    client, world, django_user_model, name
):
    client.force_login(_superuser(django_user_model))
    response = client.post(
        reverse("admin:tasks_task_process_import"),
        {"import_file_name": name, "original_file_name": "x.xlsx", "format": "0", "resource": ""},
    )
    assert response.status_code == 400
    assert "导入确认无效或已过期" in response.content.decode()


def test_another_users_upload_cannot_be_confirmed(client, world, django_user_model):
    alice = _superuser(django_user_model)
    bob = django_user_model.objects.create_superuser("bob", "bob@example.com", "x")
    client.force_login(alice)
    rows = [TASK_HEADER, [world.plan.title, 3, "新任务", "区财政局", "", None]]
    response, _ = preview(client, reverse("admin:tasks_task_import"), rows)
    confirm = {
        k: response.context["confirm_form"].initial[k]
        for k in ("import_file_name", "original_file_name", "format", "resource")
    }
    other = Client()
    other.force_login(bob)
    refused = other.post(reverse("admin:tasks_task_process_import"), confirm)
    assert refused.status_code == 400
    assert not Task.objects.filter(plan=world.plan, number=3).exists()
    # The uploader still can, once.
    assert client.post(reverse("admin:tasks_task_process_import"), confirm).status_code == 302
    assert Task.objects.filter(number=3).exists()
    assert client.post(reverse("admin:tasks_task_process_import"), confirm).status_code == 400
