"""Bulk submit and bulk sign-off: the same rules as one by one, all or nothing per click,
only the unit's own reports, a constant number of queries on the review page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Role
from huancui_vet.testing import make_user
from reports import services
from reports.models import Report, ReportState
from reports.tests.factories import JUNE, MAY, draft

REVIEW = reverse("reports:bulk_review")
SUBMIT = reverse("reports:bulk_submit")
SIGNOFF = reverse("reports:bulk_signoff")
APRIL = datetime.date(2023, 4, 1)


def states(*reports):
    return [Report.objects.get(pk=r.pk).state for r in reports]


@pytest.fixture
def drafts(world, frozen):
    return [draft(world, period=p) for p in (APRIL, MAY, JUNE)]


def test_review_page_lists_the_units_drafts_with_their_content(client, world, drafts):
    draft(world, user=world.hr_reporter, task=world.task2, period=MAY)  # another unit's
    client.force_login(world.reporter)
    response = client.get(REVIEW)
    assert response.status_code == 200
    assert [r.pk for r in response.context["reports"]] == [d.pk for d in drafts]
    assert "完成实训基地选址。" in response.text


def test_submit_all_chosen_drafts_at_once(client, world, drafts):
    client.force_login(world.reporter)
    response = client.post(SUBMIT, {"report": [d.pk for d in drafts[:2]]})
    assert response.status_code == 302
    assert states(*drafts) == [ReportState.SUBMITTED, ReportState.SUBMITTED, ReportState.DRAFT]


def test_one_incomplete_report_means_none_is_submitted(client, world, drafts):
    incomplete = draft(world, period=datetime.date(2023, 3, 1), fields={"work_done": ""})
    client.force_login(world.reporter)
    response = client.post(
        SUBMIT, {"report": [d.pk for d in drafts] + [incomplete.pk]}, follow=True
    )
    assert states(*drafts, incomplete) == [ReportState.DRAFT] * 4
    text = response.text
    assert "任务1（2023年3月）" in text and "均未处理" in text


def test_another_units_report_in_the_selection_is_404_and_changes_nothing(client, world, drafts):
    foreign = draft(world, user=world.hr_reporter, task=world.task2, period=MAY)
    client.force_login(world.reporter)
    response = client.post(SUBMIT, {"report": [drafts[0].pk, foreign.pk]})
    assert response.status_code == 404
    assert states(drafts[0], foreign) == [ReportState.DRAFT, ReportState.DRAFT]


@pytest.mark.parametrize("who", ["neutral_supervisor", "leader"])
def test_non_unit_roles_cannot_bulk_submit(client, world, drafts, who):
    client.force_login(getattr(world, who))
    assert client.post(SUBMIT, {"report": [drafts[0].pk]}).status_code == 403
    assert client.get(REVIEW).status_code == 403
    assert states(drafts[0]) == [ReportState.DRAFT]


def test_empty_selection_is_refused_with_a_message(client, world, drafts):
    client.force_login(world.reporter)
    response = client.post(SUBMIT, {}, follow=True)
    assert "请至少勾选一份报告" in response.text
    assert states(*drafts) == [ReportState.DRAFT] * 3


def test_review_page_query_count_is_constant(client, world, frozen):
    client.force_login(world.reporter)
    draft(world, period=JUNE)
    client.get(REVIEW)
    with CaptureQueriesContext(connection) as few:
        client.get(REVIEW)
    for month in range(1, 6):
        draft(world, period=datetime.date(2023, month, 1))
    with CaptureQueriesContext(connection) as many:
        client.get(REVIEW)
    assert len(many) == len(few)


@pytest.fixture
def awaiting(world, frozen):
    world.plan.requires_head_signoff = True
    world.plan.save(update_fields=["requires_head_signoff"])
    return [
        services.report_submit(user=world.reporter, report=draft(world, period=p))
        for p in (APRIL, MAY, JUNE)
    ]


def test_head_signs_off_several_at_once(client, world, awaiting):
    assert states(*awaiting) == [ReportState.AWAITING_SIGNOFF] * 3
    client.force_login(world.head)
    assert client.post(SIGNOFF, {"report": [r.pk for r in awaiting]}).status_code == 302
    assert states(*awaiting) == [ReportState.SUBMITTED] * 3


def test_a_report_no_longer_awaiting_sign_off_in_the_selection_signs_none(client, world, awaiting):
    # A head's own submission needs no sign-off (it goes straight to review), so a stale
    # selection that still lists it is refused whole.
    own = services.report_submit(
        user=world.head, report=draft(world, user=world.head, period=datetime.date(2023, 3, 1))
    )
    assert own.state == ReportState.SUBMITTED
    client.force_login(world.head)
    response = client.post(SIGNOFF, {"report": [r.pk for r in awaiting] + [own.pk]})
    assert response.status_code == 404
    assert states(*awaiting) == [ReportState.AWAITING_SIGNOFF] * 3


def test_another_units_head_gets_404(client, world, awaiting):
    hr_head = make_user("hr_head", Role.HEAD, world.hr)
    client.force_login(hr_head)
    assert client.post(SIGNOFF, {"report": [awaiting[0].pk]}).status_code == 404
    assert states(awaiting[0]) == [ReportState.AWAITING_SIGNOFF]


def test_reporter_cannot_bulk_sign_off(client, world, awaiting):
    client.force_login(world.reporter)
    assert client.post(SIGNOFF, {"report": [awaiting[0].pk]}).status_code == 403
    assert states(awaiting[0]) == [ReportState.AWAITING_SIGNOFF]
