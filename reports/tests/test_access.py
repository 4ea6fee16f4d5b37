"""Who sees which reports: department scoping in Report.objects.visible_to and the helpers."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from departments.models import Department, Role
from huancui_vet.testing import assign, make_user
from reports.access import get_report_for_user, get_task_for_user
from reports.models import Report
from reports.tests.factories import draft
from tasks.models import TaskAssignment


@pytest.fixture
def reports(world):
    """Task 1: 教体局 leads, 人社局 and 科技局 support; each has a June report."""
    science = Department.objects.create(name="区科技局", short_name="科技局", sort_order=4)
    assign(world.task1, science, TaskAssignment.Role.SUPPORT, position=1)
    science_reporter = make_user("sci_reporter", Role.REPORTER, science)
    return {
        "lead": draft(world),
        "hr": draft(world, user=world.hr_reporter),
        "science": draft(world, user=science_reporter),
        "science_reporter": science_reporter,
    }


def visible(user):
    return set(Report.objects.visible_to(user))


def test_lead_department_sees_every_contribution(world, reports):
    assert visible(world.reporter) == {reports["lead"], reports["hr"], reports["science"]}


def test_supporting_department_sees_its_own_and_the_lead_report_only(world, reports):
    assert visible(world.hr_reporter) == {reports["lead"], reports["hr"]}
    assert visible(reports["science_reporter"]) == {reports["lead"], reports["science"]}


def test_unrelated_department_sees_nothing(world, reports):
    assert visible(world.other_reporter) == set()
    with pytest.raises(Http404):
        get_report_for_user(world.other_reporter, reports["lead"].pk)
    with pytest.raises(Http404):
        get_task_for_user(world.other_reporter, world.task1.pk)


@pytest.mark.parametrize("persona", ["supervisor", "neutral_supervisor", "leader", "admin"])
def test_bureau_and_leaders_see_everything_but_cannot_edit(world, reports, persona):
    user = getattr(world, persona)
    assert len(visible(user)) == 3
    assert get_report_for_user(user, reports["hr"].pk) == reports["hr"]
    with pytest.raises(PermissionDenied):
        get_report_for_user(user, reports["hr"].pk, for_edit=True)


def test_lead_reporter_may_read_but_not_edit_a_supporting_report(world, reports):
    assert get_report_for_user(world.reporter, reports["hr"].pk) == reports["hr"]
    with pytest.raises(PermissionDenied):
        get_report_for_user(world.reporter, reports["hr"].pk, for_edit=True)
    assert get_report_for_user(world.head, reports["lead"].pk, for_edit=True) == reports["lead"]


def test_user_without_department_or_role_sees_nothing(world, reports):
    nobody = make_user("nobody", None, None)
    assert visible(nobody) == set()
