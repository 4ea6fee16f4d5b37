"""A plan amendment seen from reports: open reports of removed units, and the task history."""

import datetime

import pytest
from django.urls import reverse

from huancui_vet.tests.xlsx_files import xlsx_bytes
from reports import services
from tasks.amendments import plan_amend
from tasks.plan_export import HEADERS, export_title, plan_export_rows
from tasks.plan_import import plan_import_preview


def _revised_without_hr_on_task_1(world):
    rows = [list(r) for r in plan_export_rows(plan=world.plan)]
    rows[0][3] = None  # task 1 loses its supporting unit 区人力资源社会保障局
    data = xlsx_bytes([[export_title(world.plan)], list(HEADERS), *rows])
    return plan_import_preview(file=data, filename="修订.xlsx")


def test_open_report_of_a_removed_unit_is_handled_as_a_reassignment(world):
    report = services.report_start(
        user=world.hr_reporter, task=world.task1, period_start=datetime.date(2023, 5, 1)
    )
    plan_amend(
        plan=world.plan,
        preview=_revised_without_hr_on_task_1(world),
        document_number="3号",
        effective_date=datetime.date(2023, 6, 1),
        user=world.admin,
    )
    report.refresh_from_db()  # kept, nothing lost
    with pytest.raises(services.ReportError, match="不再承担该任务"):
        services.report_save(
            user=world.hr_reporter,
            report=report,
            expected_version=report.version,
            fields={"work_done": "x"},
        )


def test_task_history_shows_the_amendment(client, world):
    plan_amend(
        plan=world.plan,
        preview=_revised_without_hr_on_task_1(world),
        document_number="环政办发〔2023〕9号",
        effective_date=datetime.date(2023, 6, 1),
        user=world.admin,
    )
    client.force_login(world.supervisor)
    html = client.get(reverse("reports:task_history", args=[world.task1.pk])).content.decode()
    assert "方案调整（环政办发〔2023〕9号）" in html
    assert "区人力资源社会保障局" in html


def test_a_task_renumbered_by_an_inserted_task_keeps_its_reports(world):
    report = services.report_start(
        user=world.hr_reporter, task=world.task2, period_start=datetime.date(2023, 5, 1)
    )
    rows = [list(r) for r in plan_export_rows(plan=world.plan)]
    rows[1][0] = 3  # the old task 2 becomes task 3 ...
    rows.insert(
        1, [2, "新增：开展职业体验活动", "区财政局", None, None, None, None]
    )  # ... after a new 2
    data = xlsx_bytes([[export_title(world.plan)], list(HEADERS), *rows])
    amendment = plan_amend(
        plan=world.plan,
        preview=plan_import_preview(file=data, filename="修订.xlsx"),
        document_number="4号",
        effective_date=datetime.date(2023, 7, 1),
    )
    assert amendment.changes == [
        "新增任务 2：新增：开展职业体验活动",
        "任务 3 原为任务 2（序号调整）",
    ]
    world.task2.refresh_from_db()
    assert world.task2.number == 3
    report.refresh_from_db()
    assert report.task_id == world.task2.pk
    assert world.task2.history.first().history_change_reason == "方案调整（4号）"
