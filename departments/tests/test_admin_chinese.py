"""The back office has no English leftovers: user-add help, export field picker, axes pages."""

import pytest
from django.urls import reverse


@pytest.fixture
def root_client(client, db, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "x"))
    return client


@pytest.mark.parametrize(
    ("url_name", "chinese", "english"),
    [
        ("admin:departments_user_add", "创建用户后，可以继续设置", "After you’ve created a user"),
        ("admin:tasks_task_export", "任务内容", "Lead Units"),
        ("admin:tasks_task_export", "全选", "Select all"),
        ("admin:departments_department_export", "排序", "Sort Order"),
        ("admin:index", "登录锁定记录", ">Axes<"),
        ("admin:index", "部门与用户", ">Departments<"),
        ("admin:axes_accessattempt_changelist", "尝试时间", "Attempt Time"),
    ],
)
def test_admin_pages_are_chinese(root_client, url_name, chinese, english):
    html = root_client.get(reverse(url_name)).content.decode()
    assert chinese in html
    assert english not in html
