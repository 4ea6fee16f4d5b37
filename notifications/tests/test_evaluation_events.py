"""Year-end evaluations reach the people who act on them, and a unit only hears of a result
in which it has a line."""

import datetime

import pytest
import time_machine

from notifications.models import Delivery, Kind, Notice
from notifications.rules import optional_kinds, required_kinds
from supervision.evaluation import services
from supervision.tests.factories import february_sent

NOW = datetime.datetime(2024, 1, 10, 10, 0)


@pytest.fixture
def evaluation(world):
    with time_machine.travel(NOW, tick=False):
        february_sent(world)
        yield services.evaluation_open(user=world.neutral_supervisor, plan=world.plan, year=2023)


def kinds_for(user):
    return list(Notice.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def test_submit_return_and_publish_reach_leaders_supervisors_and_units(world, evaluation):
    services.evaluation_submit(user=world.neutral_supervisor, evaluation=evaluation)
    assert kinds_for(world.leader) == [Kind.EVALUATION_SUBMITTED]
    assert kinds_for(world.supervisor) == []
    assert kinds_for(world.reporter) == []
    notice = Notice.objects.get(recipient=world.leader)
    assert notice.url == f"/supervision/evaluations/{evaluation.pk}/"
    assert "2023年度考评" in notice.title

    services.evaluation_return(user=world.leader, evaluation=evaluation, comment="加分依据不足")
    assert kinds_for(world.neutral_supervisor) == [Kind.EVALUATION_RETURNED]
    assert "加分依据不足" in Notice.objects.get(recipient=world.neutral_supervisor).body
    assert Kind.EVALUATION_RETURNED not in kinds_for(world.reporter)

    # A second submission is a new notice for the leader (not swallowed as a duplicate).
    services.evaluation_submit(user=world.neutral_supervisor, evaluation=evaluation)
    assert kinds_for(world.leader).count(Kind.EVALUATION_SUBMITTED) == 2

    services.evaluation_approve(user=world.leader, evaluation=evaluation)
    assert Kind.EVALUATION_PUBLISHED in kinds_for(world.supervisor)
    # 教体局 and 人社局 carry tasks of the plan: each unit's staff hears of its line.
    assert kinds_for(world.reporter) == [Kind.EVALUATION_PUBLISHED]
    assert kinds_for(world.head) == [Kind.EVALUATION_PUBLISHED]
    assert kinds_for(world.hr_reporter) == [Kind.EVALUATION_PUBLISHED]
    # 财政局 has no task in the plan, so no line and no notice.
    assert kinds_for(world.other_reporter) == []
    assert Kind.EVALUATION_PUBLISHED not in kinds_for(world.leader)


def test_a_leader_always_gets_the_submitted_evaluation_by_mail(world, evaluation):
    world.leader.email = "leader@example.gov.cn"
    world.leader.save(update_fields=["email"])
    assert Kind.EVALUATION_SUBMITTED in required_kinds(world.leader)
    assert Kind.EVALUATION_SUBMITTED not in optional_kinds(world.leader)
    services.evaluation_submit(user=world.neutral_supervisor, evaluation=evaluation)
    mail = Delivery.objects.get(recipient=world.leader)
    assert mail.kind == Kind.EVALUATION_SUBMITTED
