import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from departments.models import Role, User
from huancui_vet.tests.xlsx_files import upload, with_macro, xlsx_bytes, zip_bomb

HEADER = ("姓名", "用户名", "单位", "角色")
GOOD_ROWS = [
    HEADER,
    ("钱一", "qian_yi", "区教育体育局", "部门填报员"),
    ("孙二", "sun_er", "人社局", "部门负责人"),  # a short name is accepted too
    ("郑三", "zheng_san", "", "领导"),
]


def write(tmp_path, rows, name="users.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx_bytes(rows))
    return str(path)


def test_command_creates_users_and_prints_each_initial_password_once(world, tmp_path, capsys):
    before = User.objects.count()
    call_command("import_users", write(tmp_path, GOOD_ROWS))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "已创建 3 个用户（初始密码只显示这一次）："
    assert User.objects.count() == before + 3
    printed = {line.split(" ")[0]: line.split(" ") for line in lines[1:]}
    assert printed["qian_yi"][2:] == ["部门填报员", "区教育体育局"]
    assert printed["sun_er"][2:] == ["部门负责人", "区人力资源社会保障局"]
    assert printed["zheng_san"][2:] == ["领导", "（无）"]
    qian = User.objects.get(username="qian_yi")
    assert qian.full_name == "钱一"
    assert qian.department == world.edu
    assert qian.role == Role.REPORTER
    assert qian.check_password(printed["qian_yi"][1])
    assert len(printed["qian_yi"][1]) == 12
    assert not qian.is_staff


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (("钱一", "qian_yi", "区不存在局", "部门填报员"), "单位", "单位“区不存在局”不存在。"),
        (("钱一", "qian_yi", "区教育体育局", "科员"), "角色", "角色“科员”不存在"),
        (("钱一", "edu_reporter", "区教育体育局", "部门填报员"), "用户名", "“edu_reporter”已存在"),
        (("钱一", "sun_er", "区教育体育局", "部门填报员"), "用户名", "与第 2 行重复"),
        (("钱一", "qian_yi", "", "部门填报员"), "单位", "部门填报员必须填写所属单位。"),
        (("", "qian_yi", "区教育体育局", "部门填报员"), "姓名", "姓名不能为空。"),
        (("钱一", "", "区教育体育局", "部门填报员"), "用户名", "用户名不能为空。"),
        (("钱一", "bad name!", "区教育体育局", "部门填报员"), "用户名", "用户名"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_created(world, tmp_path, capsys, row, column, reason):
    rows = [HEADER, GOOD_ROWS[2], ("周四", "zhou_si", "区财政局", "部门填报员"), row]
    before = User.objects.count()
    with pytest.raises(CommandError, match="未创建任何用户"):
        call_command("import_users", write(tmp_path, rows))
    err = capsys.readouterr().err
    assert f"第 4 行 [{column}]" in err
    assert reason in err
    assert User.objects.count() == before


def test_missing_columns_are_named(world, tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import_users", write(tmp_path, [("姓名", "用户名"), ("钱一", "qian_yi")]))
    err = capsys.readouterr().err
    assert "第 1 行 [单位] 缺少该列" in err
    assert "第 1 行 [角色] 缺少该列" in err


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("users.exe", b"MZ\x90\x00" + b"\x00" * 100, "只接受 .xlsx"),
        ("users.xlsx", b"MZ\x90\x00" + b"\x00" * 100, "不是有效的 .xlsx"),
        ("users.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "加密或为旧版"),
        ("users.xlsx", with_macro(xlsx_bytes(GOOD_ROWS)), "包含宏"),
        ("users.xlsx", zip_bomb(), "压缩炸弹"),
    ],
)
def test_hostile_files_are_refused(world, tmp_path, capsys, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError):
        call_command("import_users", str(path))
    assert reason in capsys.readouterr().err


def test_oversized_file_is_refused(world, tmp_path, capsys, settings):
    settings.UPLOAD_XLSX_MAX_BYTES = 1024
    with pytest.raises(CommandError):
        call_command("import_users", write(tmp_path, GOOD_ROWS * 20))
    assert "文件过大" in capsys.readouterr().err


# --- the same import in the admin


def test_admin_import_shows_initial_passwords_once(client, world):
    client.force_login(world.admin)
    url = reverse("admin:departments_user_import")
    assert "从 Excel 导入用户" in client.get(reverse("admin:departments_user_changelist")).text
    response = client.post(url, {"file": upload(xlsx_bytes(GOOD_ROWS))})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.text
    assert "初始密码只显示这一次" in body
    qian = User.objects.get(username="qian_yi")
    password = body.split("<td>qian_yi</td>")[1].split("<code>")[1].split("</code>")[0]
    assert qian.check_password(password)


def test_admin_import_lists_every_error_and_writes_nothing(client, world):
    client.force_login(world.admin)
    rows = [*GOOD_ROWS, ("吴五", "wu_wu", "区不存在局", "科员")]
    before = User.objects.count()
    response = client.post(
        reverse("admin:departments_user_import"), {"file": upload(xlsx_bytes(rows))}
    )
    body = response.text
    assert "名单有 2 处错误，未创建任何用户" in body
    assert "单位“区不存在局”不存在。" in body
    assert "角色“科员”不存在" in body
    assert User.objects.count() == before


def test_only_users_who_may_add_users_can_import(client, world):
    client.force_login(world.supervisor)  # not staff: the admin sends them to its login
    response = client.get(reverse("admin:departments_user_import"))
    assert response.status_code == 302
    world.leader.is_staff = True  # staff, but without departments.add_user
    world.leader.save()
    client.force_login(world.leader)
    assert client.get(reverse("admin:departments_user_import")).status_code == 403


def test_department_aliases_resolve_like_in_the_plan_import(world, tmp_path, capsys):
    from tasks.models import DepartmentAlias

    DepartmentAlias.objects.create(alias="人社局（别称）", department=world.hr)
    rows = [HEADER, ("钱一", "qian_yi", "人社局（别称）", "部门填报员")]
    call_command("import_users", write(tmp_path, rows))
    assert User.objects.get(username="qian_yi").department == world.hr


def test_admin_offers_a_template_listing_units_and_roles(client, world):
    import io

    from openpyxl import load_workbook

    client.force_login(world.admin)
    response = client.get(reverse("admin:departments_user_import_template"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook["用户名单"][1]] == list(HEADER)
    help_rows = list(workbook["可填写的单位和角色"].iter_rows(values_only=True))
    assert help_rows[1] == ("区教育体育局", "部门填报员")
    assert ("区财政局", "督查员") in help_rows


def test_a_formula_cell_is_refused(world, tmp_path, capsys):
    rows = [HEADER, ("钱一", '=HYPERLINK("http://x")', "区教育体育局", "部门填报员")]
    with pytest.raises(CommandError):
        call_command("import_users", write(tmp_path, rows))
    assert "第 2 行 [用户名] 该单元格是公式" in capsys.readouterr().err
