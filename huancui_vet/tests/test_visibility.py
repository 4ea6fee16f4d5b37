"""Who sees every department: one permission (reports.view_all_reports), read by every
visible_to(user) — tasks, reports and the supervision facts — never by role name."""

import datetime

import pytest
from django.contrib.auth.models import Permission

from departments.models import Role
from huancui_vet.testing import make_user
from reports.models import Report
from reports.tests.factories import submitted
from supervision.facts import load_plan_facts
from tasks.models import Task

pytestmark = pytest.mark.django_db


def grant_view_all(user):
    user.user_permissions.add(Permission.objects.get(codename="view_all_reports"))
    return type(user).objects.get(pk=user.pk)  # a fresh object: permissions are cached


def test_a_user_granted_the_permission_sees_every_department_everywhere(world):
    auditor = grant_view_all(make_user("auditor", None, world.finance))
    sent = submitted(world)
    assert set(Task.objects.visible_to(auditor)) == {world.task1, world.task2, world.task3}
    assert sent in Report.objects.visible_to(auditor)
    facts = load_plan_facts(plan=world.plan, as_of=datetime.date(2023, 7, 10), user=auditor)
    assert facts.scoped_department_id is None
    assert {t.pk for t in facts.tasks} == {world.task1.pk, world.task2.pk}


def test_a_supervisor_whose_group_lost_the_permission_sees_only_their_department(world):
    supervisor = make_user("stripped", Role.SUPERVISOR, world.finance)
    supervisor.groups.first().permissions.remove(
        Permission.objects.get(codename="view_all_reports")
    )
    supervisor = type(supervisor).objects.get(pk=supervisor.pk)
    submitted(world)
    assert list(Task.objects.visible_to(supervisor)) == []
    assert list(Report.objects.visible_to(supervisor)) == []
    facts = load_plan_facts(plan=world.plan, as_of=datetime.date(2023, 7, 10), user=supervisor)
    assert facts.scoped_department_id == world.finance.pk
    assert facts.tasks == []
