"""The back office: task list, filters, spreadsheet import with dry-run, attachment import."""

from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Department, SecurityEvent
from tasks.models import Plan, Target, Task, TaskAssignment
from tasks.tests.helpers import make_xlsx

HEADER = ["序号", "任务内容", "牵头单位", "责任单位"]


def _superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "x")


def test_task_changelist_lists_units_without_n_plus_one(client, world, django_user_model):
    client.force_login(_superuser(django_user_model))
    url = reverse("admin:tasks_task_changelist")
    with CaptureQueriesContext(connection) as small:
        response = client.get(url)
    html = response.content.decode()
    assert "区教育体育局" in html and "加强实训设施建设" in html
    Task.objects.bulk_create(
        Task(plan=world.plan, number=n, content=f"任务{n}") for n in range(3, 21)
    )
    TaskAssignment.objects.bulk_create(
        TaskAssignment(task=t, department=world.hr, role=TaskAssignment.Role.LEAD)
        for t in Task.objects.filter(plan=world.plan, number__gte=3)
    )
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_task_changelist_filters_by_department_and_role(client, world, django_user_model):
    client.force_login(_superuser(django_user_model))
    url = reverse("admin:tasks_task_changelist")
    led = client.get(url, {"department": world.edu.pk, "role": "lead"}).context["cl"].result_list
    # Task 3 is the second plan's, led by edu together with hr.
    assert [t.number for t in led] == [1, 3]
    supported = client.get(url, {"department": world.edu.pk, "role": "support"}).context["cl"]
    assert [t.number for t in supported.result_list] == [2]
    found = client.get(url, {"q": "面向社会培训"}).context["cl"].result_list
    assert [t.number for t in found] == [2]


def test_task_detail_shows_targets_inline(client, world, django_user_model):
    client.force_login(_superuser(django_user_model))
    response = client.get(reverse("admin:tasks_task_change", args=[world.task1.pk]))
    assert response.status_code == 200
    assert "专业教师“双师型”比例" in response.content.decode()


def _upload(data, name="tasks.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_task_import_dry_run_previews_then_confirm_writes(client, world, django_user_model):
    client.force_login(_superuser(django_user_model))
    data = make_xlsx(
        [
            ["方案", "序号", "任务内容", "牵头单位", "责任单位", "完成时限"],
            [world.plan.title, 3, "新增任务三", "区财政局", "区教育体育局等", None],
        ]
    )
    response = client.post(
        reverse("admin:tasks_task_import"), {"import_file": _upload(data), "format": "0"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "新增任务三" in html
    assert not Task.objects.filter(plan=world.plan, number=3).exists()  # the preview is rolled back
    confirm = response.context["confirm_form"]
    response = client.post(
        reverse("admin:tasks_task_process_import"),
        {
            k: confirm.initial[k]
            for k in ("import_file_name", "original_file_name", "format", "resource")
        },
    )
    assert response.status_code == 302
    task = Task.objects.with_units().get(plan=world.plan, number=3)
    assert task.lead_units_text == "区财政局"
    # Admin imports are audited like every other import.
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.IMPORT)
    assert "后台导入任务" in event.detail and "新增 1" in event.detail
    assert task.supporting_units_text == "区教育体育局等"


def test_task_import_shows_chinese_row_errors(client, world, django_user_model):
    client.force_login(_superuser(django_user_model))
    header = ["方案", "序号", "任务内容", "牵头单位", "责任单位", "完成时限"]
    url = reverse("admin:tasks_task_import")
    data = make_xlsx([header, [world.plan.title, 3, "新增任务三", "区新设局", "", None]])
    html = client.post(url, {"import_file": _upload(data), "format": "0"}).content.decode()
    assert "以下单位不在单位名录中：“区新设局”" in html
    data = make_xlsx([header, ["不存在的方案", 4, "任务四", "区财政局", "", None]])
    html = client.post(url, {"import_file": _upload(data), "format": "0"}).content.decode()
    assert "方案“不存在的方案”不存在" in html
    assert not Task.objects.filter(plan=world.plan, number__in=[3, 4]).exists()


def test_task_import_refuses_a_non_xlsx_file(client, world, django_user_model):
    client.force_login(_superuser(django_user_model))
    response = client.post(
        reverse("admin:tasks_task_import"),
        {"import_file": _upload(b"a,b\n1,2\n", "tasks.xlsx"), "format": "0"},
    )
    assert "文件内容不是有效的 .xlsx 工作簿" in response.content.decode()


def test_target_import_matches_tasks_by_plan_and_number(client, world, django_user_model):
    client.force_login(_superuser(django_user_model))
    data = make_xlsx(
        [
            ["方案", "任务序号", "年度", "指标", "目标值", "单位", "类型", "原文依据"],
            [world.plan.title, 2, 2024, "培训人次", 500, "人次", "数量", "原文"],
        ]
    )
    response = client.post(
        reverse("admin:tasks_target_import"), {"import_file": _upload(data), "format": "0"}
    )
    confirm = response.context["confirm_form"]
    client.post(
        reverse("admin:tasks_target_process_import"),
        {
            k: confirm.initial[k]
            for k in ("import_file_name", "original_file_name", "format", "resource")
        },
    )
    target = Target.objects.get(indicator="培训人次")
    assert (target.task, target.target_value, target.kind) == (world.task2, 500, "count")


def test_department_export_uses_chinese_captions(client, world, django_user_model):
    client.force_login(_superuser(django_user_model))
    response = client.post(
        reverse("admin:departments_department_export"),
        {
            "format": "0",
            "resource": "0",
            "departmentresource_name": True,
            "departmentresource_kind": True,
        },
    )
    assert response.status_code == 200
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("单位名称", "类别")
    assert ("区教育体育局", "政府部门") in [r[:2] for r in rows]


def _staff_without_import(django_user_model):
    """A back-office clerk who may view and change tasks but not import them."""
    clerk = django_user_model.objects.create_user("clerk", password="x-Huancui-1", is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_task", "change_task", "view_plan"])
    )
    return clerk


def test_import_needs_the_import_permission(client, world, django_user_model):
    client.force_login(_staff_without_import(django_user_model))
    assert client.get(reverse("admin:tasks_task_import")).status_code == 403
    # The administrator role holds the import permission (departments/roles.py).
    client.force_login(world.admin)
    assert client.get(reverse("admin:tasks_task_import")).status_code == 200


def test_attachment_import_page_previews_then_imports(client, world, django_user_model):
    client.force_login(_superuser(django_user_model))
    url = reverse("admin:tasks_plan_import_attachment")
    assert "可导入的格式" in client.get(url).content.decode()
    data = make_xlsx([HEADER, [1, "任务一", "区教育体育局", "区新设局"]])

    response = client.post(url, {"file": _upload(data), "_preview": "1"})
    html = response.content.decode()
    assert "预览（尚未写入）" in html and "区新设局" in html and "待确认单位" in html
    assert "未能读出，请填写" in html  # no title row: the years are asked for
    token = response.context["form"]["token"].value()
    assert not Plan.objects.filter(title="新方案").exists()

    form = {"token": token, "title": "新方案", "start_year": 2024, "end_year": 2025}
    response = client.post(url, {**form, "_confirm": "1"})  # the unknown unit is not decided
    assert "请选择" in response.content.decode() or response.context["form"].errors
    assert not Plan.objects.filter(title="新方案").exists()
    assert not Department.objects.filter(name="区新设局").exists()

    response = client.post(url, {**form, "unit_0": "new", "_confirm": "1"})
    assert response.status_code == 302
    plan = Plan.objects.get(title="新方案")
    assert (plan.start_year, plan.end_year) == (2024, 2025)
    assert Department.objects.filter(name="区新设局").exists()

    response = client.get(reverse("admin:tasks_plan_export_attachment", args=[plan.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    response = client.get(reverse("admin:tasks_plan_export_attachment_docx", args=[plan.pk]))
    assert "wordprocessingml" in response["Content-Type"]

    # Previews leave no trace; the real import and the exports are in the audit trail.
    from departments.models import SecurityEvent

    trail = list(SecurityEvent.objects.order_by("id").values_list("kind", "detail"))
    assert trail[-3:] == [
        ("import", "导入方案附件《新方案》：1 项任务"),
        ("export", f"导出方案附件：方案{plan.pk}"),
        ("export", f"导出方案附件：方案{plan.pk}"),
    ]


def test_attachment_import_page_maps_an_abbreviation_to_an_existing_unit(
    client, world, django_user_model
):
    client.force_login(_superuser(django_user_model))
    url = reverse("admin:tasks_plan_import_attachment")
    data = make_xlsx([["某方案任务清单（2021—2022年）"], HEADER, [1, "任务一", "区人社局", ""]])
    response = client.post(url, {"file": _upload(data), "_preview": "1"})
    form = response.context["form"]
    assert form["unit_0"].value() == str(world.hr.pk)  # the suggestion is preselected
    assert form["title"].value() == "某方案" and form["start_year"].value() == 2021
    response = client.post(
        url,
        {
            "token": form["token"].value(),
            "title": "某方案",
            "start_year": 2021,
            "end_year": 2022,
            "unit_0": str(world.hr.pk),
            "_confirm": "1",
        },
    )
    assert response.status_code == 302
    task = Task.objects.with_units().get(plan__title="某方案")
    assert task.lead_departments == [world.hr]
    assert task.assignments.get().written_as == "区人社局"
    assert not Department.objects.filter(name="区人社局").exists()


def test_attachment_import_page_refuses_other_files(client, world, django_user_model):
    client.force_login(_superuser(django_user_model))
    url = reverse("admin:tasks_plan_import_attachment")
    response = client.post(url, {"file": _upload(b"x", "plan.csv"), "_preview": "1"})
    assert "不支持该文件格式" in response.content.decode()
    response = client.post(url, {"file": _upload(b"x", "plan.xlsx"), "_preview": "1"})
    assert "文件内容不是有效的 .xlsx 工作簿" in response.content.decode()
    assert not Plan.objects.filter(title="新方案").exists()


def test_attachment_import_page_needs_permission(client, world, django_user_model):
    client.force_login(_staff_without_import(django_user_model))
    assert client.get(reverse("admin:tasks_plan_import_attachment")).status_code == 403
    client.force_login(world.admin)
    assert client.get(reverse("admin:tasks_plan_import_attachment")).status_code == 200


def test_department_import_previews_and_reports_bad_kinds(client, world, django_user_model):
    client.force_login(_superuser(django_user_model))
    url = reverse("admin:departments_department_import")
    header = ["单位名称", "简称", "类别", "启用", "排序"]
    data = make_xlsx([header, ["区审计局", "审计局", "政府部门", "是", 30]])
    response = client.post(url, {"import_file": _upload(data), "format": "0"})
    assert "区审计局" in response.content.decode()
    assert not Department.objects.filter(name="区审计局").exists()  # dry run only
    data = make_xlsx([header, ["区审计局", "审计局", "事业单位", "是", 30]])
    response = client.post(url, {"import_file": _upload(data), "format": "0"})
    assert "“事业单位”不是有效的选项" in response.content.decode()


def test_abandoned_preview_uploads_are_removed_by_the_next_upload(
    client, world, settings, tmp_path
):
    import datetime
    import os

    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = str(tmp_path)  # previews of other tests leave their files
    client.force_login(world.admin)
    url = reverse("admin:tasks_plan_import_attachment")
    data = make_xlsx([HEADER, [1, "任务一", "区教育体育局", ""]])
    client.post(url, {"file": _upload(data), "_preview": "1"})
    (old,) = default_storage.listdir("plan-imports")[1]
    past = (datetime.datetime.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(default_storage.path(f"plan-imports/{old}"), (past, past))
    client.post(url, {"file": _upload(data), "_preview": "1"})
    files = default_storage.listdir("plan-imports")[1]
    assert old not in files and len(files) == 1


def test_a_fifty_megabyte_attachment_upload_is_refused_at_its_header(client, world):
    client.force_login(world.admin)
    url = reverse("admin:tasks_plan_import_attachment")
    response = client.post(
        url,
        data=b"--x--",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert not Plan.objects.filter(title="新方案").exists()


def test_a_large_attachment_is_imported_by_a_background_job(client, world, settings):
    from django.core.files.storage import default_storage

    from departments.models import SecurityEvent
    from jobs.models import Job
    from notifications.models import Notice

    settings.PLAN_IMPORT_INLINE_MAX_TASKS = 1
    client.force_login(world.admin)
    url = reverse("admin:tasks_plan_import_attachment")
    data = make_xlsx(
        [HEADER, [1, "任务一", "区教育体育局", ""], [2, "任务二", "区人力资源社会保障局", ""]]
    )
    response = client.post(url, {"file": _upload(data), "_preview": "1"})
    token = response.context["form"]["token"].value()
    staged = client.session["plan_import_uploads"][token]["path"]
    form = {"token": token, "title": "大方案", "start_year": 2024, "end_year": 2025}
    response = client.post(url, {**form, "_confirm": "1"})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    plan = Plan.objects.get(title="大方案")
    assert (job.status, job.message) == (Job.Status.DONE, "已导入方案附件《大方案》：2 项任务。")
    assert job.result_url == reverse("admin:tasks_plan_change", args=[plan.pk])
    assert plan.tasks.count() == 2
    assert not default_storage.exists(staged)
    assert token not in client.session.get("plan_import_uploads", {})
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "查看结果" in page and job.result_url in page
    assert Notice.objects.get(recipient=world.admin).title == "后台任务已完成：导入方案附件"
    detail = SecurityEvent.objects.filter(kind="import").values_list("detail", flat=True)
    assert list(detail) == ["导入方案附件《大方案》：2 项任务"]
    # Running the redelivered job again imports nothing twice.
    from jobs.services import RunOutcome, job_run

    assert job_run(job.pk) is RunOutcome.FINISHED_BEFORE
    assert Plan.objects.filter(title="大方案").count() == 1


def test_a_background_import_that_is_refused_fails_in_chinese_and_writes_nothing(
    client, world, settings
):
    from jobs.models import Job

    settings.PLAN_IMPORT_INLINE_MAX_TASKS = 1
    Plan.objects.create(title="大方案", start_year=2024, end_year=2025)
    client.force_login(world.admin)
    url = reverse("admin:tasks_plan_import_attachment")
    data = make_xlsx([HEADER, [1, "任务一", "区教育体育局", ""], [2, "任务二", "区财政局", ""]])
    response = client.post(url, {"file": _upload(data), "_preview": "1"})
    token = response.context["form"]["token"].value()
    form = {"token": token, "title": "大方案", "start_year": 2024, "end_year": 2025}
    client.post(url, {**form, "_confirm": "1"})
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.message.startswith("导入失败，未写入任何内容：")
    assert "大方案" in job.message
    assert Plan.objects.filter(title="大方案").count() == 1
    assert not Task.objects.filter(plan__title="大方案").exists()


def test_a_small_attachment_is_still_imported_in_the_request(client, world, settings):
    from jobs.models import Job

    settings.PLAN_IMPORT_INLINE_MAX_TASKS = 2
    client.force_login(world.admin)
    url = reverse("admin:tasks_plan_import_attachment")
    data = make_xlsx(
        [HEADER, [1, "任务一", "区教育体育局", ""], [2, "任务二", "区人力资源社会保障局", ""]]
    )
    response = client.post(url, {"file": _upload(data), "_preview": "1"})
    token = response.context["form"]["token"].value()
    form = {"token": token, "title": "小方案", "start_year": 2024, "end_year": 2025}
    response = client.post(url, {**form, "_confirm": "1"})
    plan = Plan.objects.get(title="小方案")
    assert response["Location"] == reverse("admin:tasks_plan_change", args=[plan.pk])
    assert not Job.objects.exists()


def test_a_background_import_run_again_after_a_crash_recognises_its_plan(client, world, settings):
    """The import committed, then the worker died before the job was marked 已完成 (and
    before the staged file was removed): the re-run finishes with the same plan's link."""
    import datetime

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from jobs.models import Job
    from jobs.services import RunOutcome, job_run

    settings.PLAN_IMPORT_INLINE_MAX_TASKS = 1
    client.force_login(world.admin)
    url = reverse("admin:tasks_plan_import_attachment")
    data = make_xlsx(
        [HEADER, [1, "任务一", "区教育体育局", ""], [2, "任务二", "区人力资源社会保障局", ""]]
    )
    response = client.post(url, {"file": _upload(data), "_preview": "1"})
    token = response.context["form"]["token"].value()
    staged = client.session["plan_import_uploads"][token]["path"]
    form = {"token": token, "title": "大方案", "start_year": 2024, "end_year": 2025}
    client.post(url, {**form, "_confirm": "1"})
    job = Job.objects.get()
    plan = Plan.objects.get(title="大方案")
    default_storage.save(staged, ContentFile(data))  # not yet removed
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, heartbeat_at=an_hour_ago, finished_at=None, message=""
    )
    assert job_run(job.pk) is RunOutcome.RAN
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)
    assert job.message == "已导入方案附件《大方案》：2 项任务。"
    assert job.result_url == reverse("admin:tasks_plan_change", args=[plan.pk])
    assert Plan.objects.filter(title="大方案").count() == 1
    assert SecurityEvent.objects.filter(kind="import").count() == 1  # not imported twice
    assert not default_storage.exists(staged)
