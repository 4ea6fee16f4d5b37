"""方案调整: a revised attachment shows a diff, then applies as one recorded amendment."""

import datetime
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tasks.amendments import plan_amend, plan_amendment_diff
from tasks.models import PlanAmendment, Target, Task, TaskAssignment
from tasks.plan_export import plan_export_xlsx
from tasks.plan_import import PlanImportError, plan_import_preview
from tasks.tests.helpers import make_xlsx, read_xlsx

EFFECTIVE = datetime.date(2024, 3, 1)


def _exported_rows(plan):
    buffer = io.BytesIO()
    plan_export_xlsx(plan=plan, output=buffer)
    return [list(r) for r in read_xlsx(buffer.getvalue())[1]]


def _revised(world):
    """The world's attachment with task 1 reworded and re-staffed, task 2's units swapped,
    and a task 3 added."""
    rows = _exported_rows(world.plan)
    task1, task2 = rows[2], rows[3]
    task1[1] = "加强实训设施建设，2024年全面达到国家办学标准。"
    task1[3] = "区财政局"  # 人社局 removed, 财政局 added
    task1[4] = "2024年底前"
    task1[5] = "2024年：专业教师“双师型”比例：60%"
    task2[2], task2[3] = "区教育体育局", "区人力资源社会保障局"  # lead ↔ support
    rows.append([3, "新增：开展职业体验活动", "区财政局", None, "长期坚持", None, None])
    return make_xlsx(rows)


def _preview(world):
    return plan_import_preview(file=_revised(world), filename="修订.xlsx")


def test_diff_lists_every_kind_of_change(world):
    diffs = plan_amendment_diff(plan=world.plan, preview=_preview(world))
    sentences = [s for d in diffs for s in d.sentences()]
    assert sentences == [
        "任务 1 内容修改：加强实训设施建设，2024年达到国家办学标准。 → "
        "加强实训设施建设，2024年全面达到国家办学标准。",
        "任务 1 完成时限：（无） → 2024年底前",
        "任务 1 新增责任单位：区财政局",
        "任务 1 删除责任单位：区人力资源社会保障局",
        "任务 1 目标值修改：2024年 专业教师“双师型”比例",
        "任务 2 区教育体育局 由责任单位改为牵头单位",
        "任务 2 区人力资源社会保障局 由牵头单位改为责任单位",
        "新增任务 3：新增：开展职业体验活动",
    ]


def test_amendment_applies_in_one_transaction_and_is_recorded(world):
    amendment = plan_amend(
        plan=world.plan,
        preview=_preview(world),
        document_number="环政办发〔2024〕3号",
        effective_date=EFFECTIVE,
        user=world.admin,
    )
    assert (amendment.created_by, amendment.effective_date) == (world.admin, EFFECTIVE)
    assert len(amendment.changes) == 8
    task1 = Task.objects.with_units().get(pk=world.task1.pk)
    assert task1.content.endswith("全面达到国家办学标准。")
    assert (task1.deadline, task1.deadline_text) == (datetime.date(2024, 12, 31), "2024年底前")
    assert task1.supporting_departments == [world.finance]
    world.target1.refresh_from_db()  # updated in place: values reported against it are kept
    assert world.target1.target_value == 60
    task2 = Task.objects.with_units().get(pk=world.task2.pk)
    assert (task2.lead_departments, task2.supporting_departments) == ([world.edu], [world.hr])
    assert Task.objects.get(plan=world.plan, number=3).deadline_text == "长期坚持"
    # Every history row written carries the amendment.
    reason = "方案调整（环政办发〔2024〕3号）"
    assert task1.history.first().history_change_reason == reason
    assert TaskAssignment.history.filter(task_id=task1.pk, history_change_reason=reason).exists()
    assert Target.history.filter(id=world.target1.pk).first().history_change_reason == reason


def test_a_removed_task_without_reports_is_deleted(world):
    rows = _exported_rows(world.plan)[:3]  # title, header, task 1
    amendment = plan_amend(
        plan=world.plan,
        preview=plan_import_preview(file=make_xlsx(rows), filename="a.xlsx"),
        document_number="第2号",
        effective_date=EFFECTIVE,
    )
    assert amendment.changes == ["删除任务 2：建立职业学校面向社会培训的体制机制。"]
    assert list(world.plan.tasks.values_list("number", flat=True)) == [1]


def test_bad_amendments_write_nothing(world):
    preview = _preview(world)
    with pytest.raises(PlanImportError, match="请填写调整文号"):
        plan_amend(plan=world.plan, preview=preview, document_number=" ", effective_date=EFFECTIVE)
    same = plan_import_preview(file=make_xlsx(_exported_rows(world.plan)), filename="a.xlsx")
    with pytest.raises(PlanImportError, match="没有需要调整的内容"):
        plan_amend(plan=world.plan, preview=same, document_number="x", effective_date=EFFECTIVE)
    assert not PlanAmendment.objects.exists()
    assert world.plan.tasks.count() == 2


def test_amend_command(world, tmp_path):
    path = tmp_path / "revised.xlsx"
    path.write_bytes(_revised(world))
    with pytest.raises(CommandError, match="请填写生效日期"):
        call_command(
            "import_plan",
            str(path),
            "--amend",
            str(world.plan.pk),
            "--document-number",
            "3号",
            stdout=StringIO(),
        )
    out = StringIO()
    call_command(
        "import_plan",
        str(path),
        "--amend",
        world.plan.title,
        "--document-number",
        "3号",
        "--effective-date",
        "2024-03-01",
        stdout=out,
    )
    assert "新增任务 3" in out.getvalue()
    assert world.plan.amendments.get().document_number == "3号"


def test_admin_amend_page_previews_the_diff_then_applies(client, world):
    client.force_login(world.admin)
    url = reverse("admin:tasks_plan_amend_attachment", args=[world.plan.pk])
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("修订.xlsx", _revised(world))
    response = client.post(url, {"file": upload, "_preview": "1"})
    html = response.content.decode()
    assert "任务 2 区教育体育局 由责任单位改为牵头单位" in html
    assert not PlanAmendment.objects.exists()
    token = response.context["form"]["token"].value()
    response = client.post(
        url,
        {"token": token, "document_number": "3号", "effective_date": "2024-03-01", "_confirm": "1"},
    )
    assert response.status_code == 302
    assert world.plan.amendments.get().created_by == world.admin


def test_amend_page_needs_change_and_import_permissions(client, world):
    url = reverse("admin:tasks_plan_amend_attachment", args=[world.plan.pk])
    client.force_login(world.supervisor)
    assert client.get(url).status_code in (302, 403)
    client.force_login(world.admin)
    assert client.get(url).status_code == 200


def test_plan_page_lists_amendments(client, world):
    plan_amend(
        plan=world.plan,
        preview=_preview(world),
        document_number="环政办发〔2024〕3号",
        effective_date=EFFECTIVE,
        user=world.admin,
    )
    client.force_login(world.reporter)
    html = client.get(reverse("tasks:plan_detail", args=[world.plan.pk])).content.decode()
    assert "方案调整" in html and "环政办发〔2024〕3号" in html and "2024年3月1日" in html
    assert "新增任务 3：新增：开展职业体验活动" in html


def test_commands_record_imports_amendments_and_exports_in_the_audit_trail(world, tmp_path):
    """The one home of plan auditing is the service: the commands are audited like the admin."""
    from departments.models import SecurityEvent

    revised = tmp_path / "修订.xlsx"
    revised.write_bytes(_revised(world))
    call_command(
        "import_plan",
        str(revised),
        "--amend",
        str(world.plan.pk),
        "--document-number",
        "环政办发〔2024〕3号",
        "--effective-date",
        "2024-03-01",
        stdout=StringIO(),
    )
    call_command(
        "export_plan",
        "--plan",
        str(world.plan.pk),
        "--output",
        str(tmp_path / "a.docx"),
        stdout=StringIO(),
    )
    events = list(SecurityEvent.objects.order_by("pk").values_list("kind", "username", "detail"))
    assert events == [
        (
            SecurityEvent.Kind.IMPORT,
            "（命令行 import_plan）",
            f"已调整《{world.plan.title}》：8 处变更。（命令行 import_plan）",
        ),
        (
            SecurityEvent.Kind.EXPORT,
            "（命令行 export_plan）",
            f"导出方案附件：方案{world.plan.pk}（命令行 export_plan）",
        ),
    ]
