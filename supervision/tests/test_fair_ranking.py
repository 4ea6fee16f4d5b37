"""Fair ranking (分类考核): groups, 样本不足 and trends, with hand-computed figures."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from departments.models import Department
from supervision.models import ScoringSettings
from supervision.scoring import ComponentScore, DepartmentScore, fair_ranking
from supervision.tests.factories import february_sent
from tasks.models import TaskAssignment

D = Decimal


def row(pk, score, *, lead, support, expected):
    timeliness = ComponentScore("timeliness", "报送及时性", 40, D(0), D(0), expected, "")
    return DepartmentScore(
        department_id=pk,
        department_name=f"单位{pk}",
        full_name="",
        lead_tasks=lead,
        support_tasks=support,
        score=None if score is None else D(score),
        grade="",
        components=[timeliness],
    )


# The example: 妇联 (one supporting task) scored 90.5 and ranked above 教体局 (leads 12).
ROWS = [
    row(1, "90.5", lead=0, support=1, expected=12),  # 妇联: support only
    row(2, "85.0", lead=2, support=3, expected=60),
    row(3, "85.0", lead=1, support=0, expected=12),  # ties with 2
    row(4, "70.2", lead=12, support=2, expected=168),  # 教体局
    row(5, "99.0", lead=0, support=1, expected=2),  # too few reports: 样本不足
    row(6, None, lead=0, support=0, expected=0),  # nothing to judge
    row(7, "60.0", lead=0, support=2, expected=24),
]


def test_grouped_rule_ranks_lead_units_apart_from_support_only_units():
    settings = ScoringSettings(ranking_rule="grouped", min_expected_reports=3)
    ranking = fair_ranking(ROWS, settings)
    lead = {pk: e.rank for pk, e in ranking.items() if e.group == "lead"}
    support = {pk: e.rank for pk, e in ranking.items() if e.group == "support"}
    # Lead group: 85.0, 85.0 share rank 1, 70.2 is third (the next rank skips).
    assert lead == {2: 1, 3: 1, 4: 3}
    # Support group: 90.5 first, 60.0 second; 5 and 6 are 样本不足 and not ranked.
    assert support == {1: 1, 7: 2, 5: None, 6: None}
    assert ranking[5].insufficient and ranking[5].expected_reports == 2
    assert ranking[6].insufficient
    assert not ranking[4].insufficient
    assert ranking[1].group_label == "仅配合单位组"


def test_single_rule_ranks_everyone_together():
    settings = ScoringSettings(ranking_rule="single", min_expected_reports=3)
    ranking = fair_ranking(ROWS, settings)
    assert {e.group for e in ranking.values()} == {"all"}
    ranks = {pk: e.rank for pk, e in ranking.items()}
    # 90.5 first; 85.0 twice share second; 70.2 fourth; 60.0 fifth.
    assert ranks == {1: 1, 2: 2, 3: 2, 4: 4, 5: None, 6: None, 7: 5}


def test_the_threshold_is_per_plan_setting():
    settings = ScoringSettings(ranking_rule="grouped", min_expected_reports=1)
    ranking = fair_ranking(ROWS, settings)
    assert ranking[5].rank == 1  # 99.0 now ranked, first of the support group
    assert ranking[1].rank == 2


def test_ranking_by_given_scores():
    settings = ScoringSettings(ranking_rule="grouped", min_expected_reports=3)
    ranking = fair_ranking(ROWS, settings, scores={2: D("80"), 3: D("86"), 4: D("90")})
    assert {pk: ranking[pk].rank for pk in (2, 3, 4)} == {4: 1, 3: 2, 2: 3}


@pytest.fixture
def women(world):
    """妇联: supports task 1 only."""
    dept = Department.objects.create(name="区妇联", short_name="妇联", sort_order=5)
    TaskAssignment.objects.create(task=world.task1, department=dept, role="support", position=2)
    return dept


def test_scorecard_page_shows_groups_insufficient_and_trends(client, world, women):
    """February 2023 as of 10 March (lead factor 2, late credit 50%, weights 40/30/20/10).

    教体局: timeliness task 1 lead on time (2×1) + task 2 support 2 days late (1×0.5) = 2.5/3;
    review none reviewed yet → full; completion/orders none → full: 40×2.5/3 + 60 = 93.3.
    人社局: task 1 support missing (0) + task 2 lead on time (2) = 2/3 → 26.7; review: missing
    and returned → 0/3; + 30 + 10 = 66.7. 妇联: 1 expected report (missing) → 40.0, 样本不足
    with the threshold at 2. January (the previous month) had no reports: 40 + 0 + 30… = 40.0
    for each, so 教体局 rose 53.3 and 人社局 26.7. Plan to date (January + February):
    教体局 40×2.5/6 + 0 + 30 + 10 = 56.7; 人社局 40×2/6 + 40 = 53.3.
    """
    ScoringSettings.objects.create(min_expected_reports=2)
    february_sent(world)
    client.force_login(world.neutral_supervisor)
    with time_machine.travel(datetime.datetime(2023, 3, 10, 12), tick=False):
        response = client.get(
            reverse("supervision:scorecard"),
            {"plan": world.plan.pk, "period_kind": "month", "period": "2023-02-01"},
        )
    assert response.status_code == 200
    groups = dict(response.context["groups"])
    lead = {s.row.department_name: s for s in groups["牵头单位组"]}
    support = {s.row.department_name: s for s in groups["仅配合单位组"]}
    edu, hr, fl = lead["教体局"], lead["人社局"], support["妇联"]
    assert (edu.row.score, edu.entry.rank, edu.previous, edu.delta, edu.plan_to_date) == (
        D("93.3"),
        1,
        D("40.0"),
        D("53.3"),
        D("56.7"),
    )
    assert (hr.row.score, hr.entry.rank, hr.delta, hr.plan_to_date) == (
        D("66.7"),
        2,
        D("26.7"),
        D("53.3"),
    )
    assert fl.row.score == D("40.0") and fl.entry.insufficient and fl.entry.rank is None
    html = response.content.decode()
    assert "样本不足" in html and "仅配合单位组" in html and "↑53.3" in html
    assert "应报报告少于2份的单位显示为“样本不足”" in html
