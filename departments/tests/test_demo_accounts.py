import pytest
from django.core.management import CommandError, call_command

from departments.models import Department, User

EXPECTED_LINES = [
    "edu_reporter Huancui-demo-2023 部门填报员 区教育体育局",
    "edu_head Huancui-demo-2023 部门负责人 区教育体育局",
    "hr_reporter Huancui-demo-2023 部门填报员 区人力资源社会保障局",
    "hr_head Huancui-demo-2023 部门负责人 区人力资源社会保障局",
    "drc_reporter Huancui-demo-2023 部门填报员 区发改局",
    "edu_supervisor Huancui-demo-2023 督查员 区教育体育局",
    "supervisor Huancui-demo-2023 督查员 （无）",
    "leader Huancui-demo-2023 领导 （无）",
    "admin Huancui-demo-2023 系统管理员 （无）",
]


@pytest.fixture
def seeded_departments(db):
    for name in ("区教育体育局", "区人力资源社会保障局", "区发改局", "区财政局"):
        Department.objects.create(name=name)


def run(capsys, *args):
    call_command("create_demo_accounts", *args)
    return capsys.readouterr().out.splitlines()


@pytest.mark.usefixtures("seeded_departments")
def test_prints_one_line_per_account_with_role_and_department(settings, capsys):
    settings.DEBUG = True
    assert run(capsys) == EXPECTED_LINES


@pytest.mark.usefixtures("seeded_departments")
def test_accounts_have_the_printed_role_department_and_password(settings, capsys):
    settings.DEBUG = True
    for line in run(capsys):
        username, password, role_label, dept = line.split(" ")
        user = User.objects.get(username=username)
        assert user.check_password(password)
        assert user.role_label == role_label
        assert (user.department.name if user.department else "（无）") == dept
    assert User.objects.get(username="admin").is_staff
    assert not User.objects.get(username="edu_reporter").is_staff


@pytest.mark.usefixtures("seeded_departments")
def test_rerun_is_idempotent_and_resets_changed_passwords(settings, capsys):
    settings.DEBUG = True
    run(capsys)
    user = User.objects.get(username="edu_reporter")
    user.set_password("Something-else-2024")
    user.is_active = False
    user.save()
    assert run(capsys) == EXPECTED_LINES
    assert User.objects.count() == len(EXPECTED_LINES)
    user.refresh_from_db()
    assert user.is_active
    assert user.check_password("Huancui-demo-2023")
    assert user.groups.count() == 1


@pytest.mark.django_db
def test_fails_in_chinese_when_the_plan_was_not_loaded(settings):
    settings.DEBUG = True
    Department.objects.create(name="区教育体育局")
    with pytest.raises(CommandError, match="load_plan") as excinfo:
        call_command("create_demo_accounts")
    assert "未找到单位：区人力资源社会保障局、区发改局" in str(excinfo.value)
    assert not User.objects.exists()


@pytest.mark.usefixtures("seeded_departments")
def test_refuses_with_debug_off_unless_forced(settings, capsys):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="拒绝创建"):
        call_command("create_demo_accounts")
    assert run(capsys, "--force") == EXPECTED_LINES
