"""A task's A4 record: text, units, targets vs actuals, every period's accepted reports,
visibility per role, a constant query count, and the hook for supervision's sections."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import print_sections, services
from reports.tests.factories import JUNE, MAY, draft, pdf, submitted


def url(task):
    return reverse("reports:task_print", kwargs={"pk": task.pk})


def accepted(world, *, period, user=None, task=None, fields=None, target_values=None):
    report = submitted(
        world, user=user, task=task, period=period, fields=fields, target_values=target_values
    )
    return services.report_accept(user=world.neutral_supervisor, report=report, comment="同意")


@pytest.fixture
def record(world, frozen):
    may = draft(
        world,
        period=MAY,
        fields={
            "progress_status": "on_track",
            "percent": 40,
            "work_done": "完成实训基地选址。",
            "next_steps": "六月完成设计。",
        },
        target_values={world.target1: Decimal("32")},
    )
    services.evidence_add(user=world.reporter, report=may, uploaded_file=pdf("选址批复.pdf"))
    may = services.report_submit(user=world.reporter, report=may)
    services.report_accept(user=world.neutral_supervisor, report=may, comment="同意")
    accepted(world, period=MAY, user=world.hr_reporter, fields={"work_done": "人社局配合调研。"})
    submitted(world, period=JUNE)  # submitted, not accepted: not in the record
    return may


def test_record_lists_text_units_targets_and_accepted_reports(client, world, record):
    client.force_login(world.neutral_supervisor)
    response = client.get(url(world.task1))
    assert response.status_code == 200
    page = response.text
    assert world.task1.content in page
    assert "区教育体育局" in page and "区人力资源社会保障局" in page
    assert "专业教师“双师型”比例" in page and "50%" in page and "32%" in page
    assert "2023年5月" in page and "完成实训基地选址。" in page and "六月完成设计。" in page
    assert "选址批复.pdf" in page and "人社局配合调研。" in page
    assert "2023年6月" not in page  # the June report is not accepted yet


def test_supporting_unit_sees_its_own_and_the_lead_report_only(client, world, record):
    client.force_login(world.hr_reporter)
    page = client.get(url(world.task1)).text
    assert "人社局配合调研。" in page and "完成实训基地选址。" in page


@pytest.mark.parametrize(("who", "status"), [("other_reporter", 404), ("leader", 200)])
def test_record_access_follows_the_task_page(client, world, record, who, status):
    client.force_login(getattr(world, who))
    assert client.get(url(world.task1)).status_code == status


def test_query_count_is_constant(client, world, record):
    client.force_login(world.neutral_supervisor)
    client.get(url(world.task1))
    with CaptureQueriesContext(connection) as before:
        client.get(url(world.task1))
    for month in (2, 3, 4):
        accepted(world, period=datetime.date(2023, month, 1))
    with CaptureQueriesContext(connection) as after:
        client.get(url(world.task1))
    assert len(after) == len(before)


def test_registered_sections_appear_in_the_supervision_hook(client, world, record, monkeypatch):
    monkeypatch.setattr(print_sections, "_SECTIONS", [])

    def orders(task, user):
        return {"title": "督办与核实", "template": "includes/form_errors.html", "context": {}}

    print_sections.register_task_print_section(orders)
    print_sections.register_task_print_section(lambda task, user: None)
    client.force_login(world.neutral_supervisor)
    page = client.get(url(world.task1)).text
    assert '<section class="record-section" data-section="督办与核实">' in page


def test_task_page_links_to_the_record(client, world, record):
    client.force_login(world.reporter)
    page = client.get(reverse("reports:task_detail", kwargs={"pk": world.task1.pk})).text
    assert url(world.task1) in page
