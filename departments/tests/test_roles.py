"""Role groups: created by migration, kept exactly in step with departments.roles."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from departments.models import Role
from departments.roles import ROLE_PERMISSIONS


def group_perms(role):
    group = Group.objects.get(name=role.label)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_each_role_group_holds_exactly_its_listed_permissions(role):
    assert group_perms(role) == set(ROLE_PERMISSIONS[role])


@pytest.mark.django_db
def test_leader_role_changes_nothing_but_writes_instructions():
    changing = {p for p in ROLE_PERMISSIONS[Role.LEADER] if not p.split(".")[1].startswith("view")}
    # 领导批示 on supervision orders, and 审定/退回 of the year-end evaluation.
    assert changing == {"supervision.instruct_order", "supervision.approve_evaluation"}


@pytest.mark.django_db(transaction=True)
def test_groups_come_back_after_a_database_flush():
    call_command("flush", "--noinput", verbosity=0)
    for role in Role:
        assert group_perms(role) == set(ROLE_PERMISSIONS[role])
