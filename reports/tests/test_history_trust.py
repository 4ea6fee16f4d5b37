"""Optimistic lock and history through the views: a stale save adds no history row, each save
records who made it, diff_against names the change, and as_of() gives the earlier value."""

import datetime

import time_machine
from django.urls import reverse
from django.utils import timezone

from reports.tests.factories import draft, fresh

FORM = {"progress_status": "on_track", "percent": "50"}


def test_stale_second_save_is_409_keeps_the_first_value_and_adds_exactly_one_history_row(
    client, world
):
    report = draft(world)
    url = reverse("reports:report_edit", args=[report.pk])
    rows_before = report.history.count()
    version = fresh(report).version
    client.force_login(world.head)
    assert client.post(url, {**FORM, "version": version, "work_done": "第一位"}).status_code == 302
    client.force_login(world.reporter)
    second = client.post(url, {**FORM, "version": version, "work_done": "第二位"})
    assert second.status_code == 409
    assert "该记录已被他人修改" in second.content.decode()
    assert fresh(report).work_done == "第一位"
    assert report.history.count() == rows_before + 1


def test_history_records_the_requester_the_change_and_the_value_as_of_a_meeting(client, world):
    start = timezone.make_aware(datetime.datetime(2023, 7, 10, 9, 0))
    with time_machine.travel(start, tick=False):
        report = draft(world)
        version = fresh(report).version
    meeting = start + datetime.timedelta(hours=2)
    with time_machine.travel(start + datetime.timedelta(hours=4), tick=False):
        client.force_login(world.head)
        url = reverse("reports:report_edit", args=[report.pk])
        response = client.post(url, {**FORM, "version": version, "work_done": "会后修改"})
        assert response.status_code == 302
    newest, previous = report.history.order_by("-history_date", "-history_id")[:2]
    assert newest.history_user == world.head
    delta = newest.diff_against(previous)
    changed = {c.field: (c.old, c.new) for c in delta.changes}
    assert changed["work_done"][1] == "会后修改"
    assert changed["percent"] == (previous.percent, 50)
    as_of_meeting = report.history.as_of(meeting)  # the report as it stood at the meeting
    assert as_of_meeting.work_done == previous.work_done != "会后修改"
