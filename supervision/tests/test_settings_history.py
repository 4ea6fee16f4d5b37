"""Plan settings, key areas, scoring weights and user roles keep history, and the pages say
which settings their figures used."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from departments.models import Role
from supervision.models import ScoringSettings
from tasks.models import KeyArea

pytestmark = pytest.mark.django_db


def test_plan_settings_keep_history_and_the_dashboard_names_them(client, world):
    world.plan.due_days_after_period = 7
    world.plan.save()
    assert world.plan.history.count() == 2
    assert world.plan.history.earliest().due_days_after_period == 5
    client.force_login(world.leader)
    html = client.get(reverse("supervision:dashboard"), {"plan": world.plan.pk}).content.decode()
    assert "期末后7天内报送" in html
    assert "方案设置第2版" in html


def test_scoring_weights_keep_history_and_the_scorecard_names_them(client, world):
    settings = ScoringSettings.objects.create(plan=world.plan)
    settings.weight_timeliness, settings.weight_completion = 38, 32
    settings.save()
    assert [h.weight_timeliness for h in settings.history.order_by("history_date")] == [40, 38]
    client.force_login(world.leader)
    html = client.get(reverse("supervision:scorecard"), {"plan": world.plan.pk}).content.decode()
    assert "评分设置第2版" in html


def test_key_areas_keep_history(world):
    area = KeyArea.objects.create(
        plan=world.plan, section="key_task", number=1, label="（一）", title="实训", text="原文"
    )
    area.text = "修订后的原文"
    area.save()
    assert [h.text for h in area.history.order_by("history_date")] == ["原文", "修订后的原文"]


def test_user_roles_keep_history_but_sign_ins_do_not(client, world):
    user = world.hr_reporter
    before = user.history.count()
    user.groups.set([Group.objects.get(name=Role.HEAD.label)])
    latest = user.history.latest()
    assert [g.group.name for g in latest.groups.all()] == [Role.HEAD.label]
    client.force_login(user)  # updates last_login
    assert user.history.count() == before + 2  # the removal and the addition, no sign-in
