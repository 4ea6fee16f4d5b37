"""The task history page: every change of a task and its targets, who made it and when."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.history import task_history
from tasks.models import Target

ONE_HOUR = datetime.timedelta(hours=1)


def admin_change_task(client, world, *, content, target_value):
    """Save task 1 through the admin's change form, its target edited in the inline."""
    task, target = world.task1, world.target1
    assignments = list(task.assignments.order_by("role", "position"))
    data = {
        "plan": task.plan_id,
        "number": task.number,
        "content": content,
        "lead_note": task.lead_note,
        "support_note": task.support_note,
        "deadline": "",
        "assignments-TOTAL_FORMS": len(assignments),
        "assignments-INITIAL_FORMS": len(assignments),
        "assignments-MIN_NUM_FORMS": 0,
        "assignments-MAX_NUM_FORMS": 1000,
        "targets-TOTAL_FORMS": 1,
        "targets-INITIAL_FORMS": 1,
        "targets-MIN_NUM_FORMS": 0,
        "targets-MAX_NUM_FORMS": 1000,
        "targets-0-id": target.pk,
        "targets-0-task": task.pk,
        "targets-0-year": target.year,
        "targets-0-indicator": target.indicator,
        "targets-0-target_value": target_value,
        "targets-0-unit": target.unit,
        "targets-0-kind": target.kind,
        "targets-0-source_sentence": target.source_sentence,
        "targets-0-sort_order": target.sort_order,
    }
    for index, assignment in enumerate(assignments):
        prefix = f"assignments-{index}-"
        data |= {
            f"{prefix}id": assignment.pk,
            f"{prefix}task": task.pk,
            f"{prefix}role": assignment.role,
            f"{prefix}position": assignment.position,
            f"{prefix}department": assignment.department_id,
            f"{prefix}written_as": assignment.written_as,
        }
    client.force_login(world.admin)
    response = client.post(reverse("admin:tasks_task_change", args=[task.pk]), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""


def page(client, user, task):
    client.force_login(user)
    return client.get(reverse("reports:task_history", args=[task.pk]))


def test_admin_changes_to_content_and_target_value_show_old_and_new_values(client, frozen, world):
    frozen.shift(ONE_HOUR)  # 2023年7月10日 11:00 in Shanghai
    admin_change_task(
        client, world, content="加强实训设施建设，2025年达到国家办学标准。", target_value="60"
    )

    response = page(client, world.neutral_supervisor, world.task1)

    assert response.status_code == 200
    html = response.content.decode()
    entries = response.context["entries"]
    # Newest first: the admin's two changes (saved in one request, so in either order),
    # then the two creations by the plan import.
    assert {(e.subject, e.kind) for e in entries[:2]} == {
        ("目标：2024年 专业教师“双师型”比例", "修改"),
        ("任务", "修改"),
    }
    assert {e.kind for e in entries[2:]} == {"新建"}
    by_subject = {e.subject: e for e in entries[:2]}
    assert [(c.label, c.old, c.new) for c in by_subject["任务"].changes] == [
        (
            "任务内容",
            "加强实训设施建设，2024年达到国家办学标准。",
            "加强实训设施建设，2025年达到国家办学标准。",
        )
    ]
    target_changes = by_subject["目标：2024年 专业教师“双师型”比例"].changes
    assert [(c.label, c.old, c.new) for c in target_changes] == [("目标值", "50", "60")]
    assert "<strong>目标值</strong>：50 → 60" in html
    assert "2024年达到国家办学标准。 → 加强实训设施建设，2025年" in html
    assert html.count("管理员") == 2  # who, on both rows
    assert "2023年7月10日 11:00" in html
    assert "系统" in html  # the creations had no signed-in user


def test_an_admin_save_that_changes_nothing_is_left_out(client, frozen, world):
    admin_change_task(client, world, content=world.task1.content, target_value="50")

    entries = page(client, world.leader, world.task1).context["entries"]

    # Only the creations of the task, its target and its two units; no empty 修改 rows.
    assert sorted((e.subject, e.kind) for e in entries) == [
        ("任务", "新建"),
        ("单位：区人力资源社会保障局", "新建"),
        ("单位：区教育体育局", "新建"),
        ("目标：2024年 专业教师“双师型”比例", "新建"),
    ]


def test_created_and_deleted_targets_are_listed_with_their_values(client, frozen, world):
    frozen.shift(ONE_HOUR)
    target = Target.objects.create(
        task=world.task1,
        year=2023,
        indicator="实训基地",
        target_value=Decimal("2.00"),
        unit="个",
        kind=Target.Kind.COUNT,
        source_sentence="2023年建成2个实训基地。",
    )
    frozen.shift(ONE_HOUR)
    target.delete()

    entries = page(client, world.supervisor, world.task1).context["entries"]

    deleted, created = entries[0], entries[1]
    assert (deleted.subject, deleted.kind) == ("目标：2023年 实训基地", "删除")
    assert (created.subject, created.kind) == ("目标：2023年 实训基地", "新建")
    assert [(c.label, c.new) for c in created.changes][:4] == [
        ("年度", 2023),
        ("指标", "实训基地"),
        ("目标值", "2"),
        ("单位", "个"),
    ]
    assert ("类型", "", "数量") in [(c.label, c.old, c.new) for c in created.changes]
    assert ("目标值", "2", "") in [(c.label, c.old, c.new) for c in deleted.changes]


def test_a_deadline_change_is_shown_as_a_date(world):
    world.task1.deadline = datetime.date(2024, 12, 31)
    world.task1.save()

    (change,) = [e for e in task_history(world.task1) if e.kind == "修改"]

    assert [(c.label, c.old, c.new) for c in change.changes] == [("完成时限", "", "2024年12月31日")]


def test_supporting_department_staff_may_read_the_history(client, world):
    assert page(client, world.hr_reporter, world.task1).status_code == 200


def test_reporter_of_a_department_not_on_the_task_gets_404(client, world):
    assert page(client, world.other_reporter, world.task1).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, world):
    response = client.get(reverse("reports:task_history", args=[world.task1.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_task_page_links_to_the_history(client, world):
    client.force_login(world.reporter)
    html = client.get(reverse("reports:task_detail", args=[world.task1.pk])).content.decode()

    assert reverse("reports:task_history", args=[world.task1.pk]) in html


def _make_changes(world, count):
    """`count` edits of the task and as many of a new target, each by the admin."""
    target = Target.objects.create(
        task=world.task1, year=2024, indicator="新增指标", kind="count", source_sentence="s"
    )
    for n in range(count):
        world.task1.content = f"第{n}次修改"
        world.task1._history_user = world.admin
        world.task1.save()
        target.target_value = n
        target._history_user = world.admin
        target.save()


def test_query_count_stays_flat_as_the_history_grows(client, world):
    client.force_login(world.neutral_supervisor)
    url = reverse("reports:task_history", args=[world.task1.pk])
    _make_changes(world, 3)
    client.get(url)  # warm per-process caches (content types, permissions) first
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _make_changes(world, 30)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(response.context["entries"]) > 60
    assert len(large) == len(small)


def test_a_change_of_units_shows_who_replaced_which_unit(client, world):
    from tasks.services import task_set_units

    task_set_units(
        task=world.task1,
        lead=[(world.edu, "")],
        support=[(world.finance, "")],
    )
    client.force_login(world.neutral_supervisor)
    html = client.get(reverse("reports:task_history", args=[world.task1.pk])).content.decode()
    assert "单位：区财政局" in html and "新建" in html
    assert "单位：区人力资源社会保障局" in html and "删除" in html
