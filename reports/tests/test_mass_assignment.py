"""Mass assignment: reviewer-only and system fields posted by department staff are ignored."""

from django.urls import reverse

from reports.models import ReportEvent, ReportState
from reports.tests.factories import draft, fresh


def test_staff_posting_state_department_period_and_review_fields_changes_only_their_content(
    client, world
):
    report = draft(world)
    before = fresh(report)
    client.force_login(world.reporter)
    response = client.post(
        reverse("reports:report_edit", args=[report.pk]),
        {
            "version": before.version,
            "progress_status": "on_track",
            "percent": "60",
            "work_done": "本单位填写的内容",
            # Fields the form does not offer: must be ignored, not saved.
            "state": ReportState.ACCEPTED,
            "department": world.hr.pk,
            "task": world.task2.pk,
            "period_start": "2020-01-01",
            "role": "support",
            "submitted_by": world.supervisor.pk,
            "accepted_by": world.supervisor.pk,
            "times_returned": "9",
            "created_by": world.other_reporter.pk,
            "comment": "审核通过",
        },
    )
    assert response.status_code == 302
    after = fresh(report)
    assert (after.work_done, after.percent) == ("本单位填写的内容", 60)
    assert after.state == ReportState.DRAFT
    assert (after.department, after.task, after.period_start, after.role) == (
        before.department,
        before.task,
        before.period_start,
        before.role,
    )
    assert after.created_by == before.created_by and after.submitted_by is None
    assert not ReportEvent.objects.filter(report=report, comment="审核通过").exists()
