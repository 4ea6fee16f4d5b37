"""One rank per unit: the scorecard, its drill-down and the workbook's 部门评分 sheet.

The scorecard ranks units within their group (fair_ranking); the drill-down page and the
workbook show that same rank, worded the same way, never an overall rank of their own.
"""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from departments.models import Department
from supervision.models import ScoringSettings
from supervision.scoring import ranking_rule_sentence
from supervision.tests.excel_fixtures import table_rows
from supervision.tests.factories import february_sent, make_report
from tasks.models import TaskAssignment

pytestmark = pytest.mark.django_db

D = datetime.date
# February 2023 as of 10 March, every unit ranked (one expected report is enough).
WINDOW = {"period_kind": "month", "period": "2023-02-01", "as_of": "2023-03-10"}


@pytest.fixture
def two_groups(world):
    """教体局 93.3 and 人社局 66.7 lead tasks (牵头单位组); 妇联 supports task 1 only and
    sends February's report on time: 100.0, the best score overall, in 仅配合单位组. By one
    combined ranking 教体局 would be 2nd and 人社局 3rd; within their group they are 1st and
    2nd (see test_fair_ranking for the hand-computed figures)."""
    ScoringSettings.objects.create(min_expected_reports=1)
    women = Department.objects.create(name="区妇联", short_name="妇联", sort_order=5)
    TaskAssignment.objects.create(task=world.task1, department=women, role="support", position=2)
    february_sent(world)
    make_report(
        world.task1, women, D(2023, 2, 1), author=world.reporter, submitted_on=D(2023, 3, 3)
    )
    world.women = women
    return world


def get(client, user, url, params):
    client.force_login(user)
    with time_machine.travel(datetime.datetime(2023, 3, 10, 12), tick=False):
        return client.get(url, params)


def scorecard_ranks(client, world):
    response = get(
        client,
        world.neutral_supervisor,
        reverse("supervision:scorecard"),
        {"plan": world.plan.pk, **WINDOW},
    )
    return {
        s.row.department_id: (label, s.entry.rank, s.row.score)
        for label, members in response.context["groups"]
        for s in members
    }


def drill_down_text(client, world, department):
    response = get(
        client,
        world.neutral_supervisor,
        reverse("supervision:department_score", args=[department.pk]),
        {"plan": world.plan.pk, **WINDOW},
    )
    assert response.status_code == 200
    return response.content.decode()


def score_sheet(client, world):
    response = get(
        client,
        world.neutral_supervisor,
        reverse("supervision:export_workbook"),
        {"plan": world.plan.pk, **WINDOW},
    )
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb["部门评分"]
    return [c.value for c in ws[3]], table_rows(ws)


def test_scorecard_ranks_each_group_apart(client, two_groups):
    world = two_groups
    ranks = scorecard_ranks(client, world)
    assert ranks[world.women.pk][:2] == ("仅配合单位组", 1)
    assert ranks[world.edu.pk][:2] == ("牵头单位组", 1)
    assert ranks[world.hr.pk][:2] == ("牵头单位组", 2)
    # 妇联 has the best score of all: a combined ranking would put 教体局 second.
    assert ranks[world.women.pk][2] > ranks[world.edu.pk][2]


@pytest.mark.parametrize("unit", ["edu", "hr", "women"])
def test_drill_down_shows_the_scorecards_group_rank(client, two_groups, unit):
    world = two_groups
    department = getattr(world, unit)
    label, rank, _score = scorecard_ranks(client, world)[department.pk]
    html = drill_down_text(client, world, department)
    assert f"排名：{label}第{rank}名" in html
    assert "排名第" not in html  # no other (combined) rank on the page


def test_workbook_sheet_has_the_scorecards_groups_ranks_and_order(client, two_groups):
    world = two_groups
    ranks = scorecard_ranks(client, world)
    headers, rows = score_sheet(client, world)
    assert headers[:3] == ["排名组", "组内排名", "单位"]
    names = {d.name: d.pk for d in (world.edu, world.hr, world.women)}
    sheet = {names[r[2]]: (r[0], r[1]) for r in rows}
    assert sheet == {pk: (label, rank) for pk, (label, rank, _score) in ranks.items()}
    # Sorted like the scorecard: 牵头单位组 first (by rank), then 仅配合单位组.
    assert [r[2] for r in rows] == [world.edu.name, world.hr.name, world.women.name]


def test_one_units_workbook_keeps_its_group_rank(client, two_groups):
    world = two_groups
    response = get(
        client,
        world.neutral_supervisor,
        reverse("supervision:export_workbook"),
        {"plan": world.plan.pk, "department": world.hr.pk, **WINDOW},
    )
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["部门评分"]
    assert [r[:3] for r in table_rows(ws)] == [["牵头单位组", 2, world.hr.name]]
    notes = [
        r[0] for r in ws.iter_rows(values_only=True) if r[0] and str(r[0]).startswith("排名规则：")
    ]
    assert notes == ["排名规则：" + ranking_rule_sentence(ScoringSettings.for_plan(world.plan))]
