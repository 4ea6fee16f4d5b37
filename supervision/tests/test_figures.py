"""Dashboard figures and scores for hand-built data, compared with values computed by hand.

The world (huancui_vet/testing.py): a monthly plan from January 2023, reports due 5 days
after each month; task 1 led by 教体局 (edu) and supported by 人社局 (hr); task 2 the
other way round. Lead items weigh 2 (default lead factor), supporting items 1.
Default weights: timeliness 40, completion 30, review 20, supervision orders 10.
"""

import datetime
from decimal import Decimal

import pytest

from reports.models import ProgressStatus
from supervision.models import ScoringSettings
from supervision.selectors import dashboard_data, scorecard_data
from supervision.tests.factories import edu_january_accepted, february_sent, make_report
from tasks.models import Target, TaskAssignment

D = datetime.date
pytestmark = pytest.mark.django_db


def scores(world, **kwargs):
    kwargs.setdefault("period_kind", "plan")
    kwargs.setdefault("as_of", D(2023, 3, 10))
    data = scorecard_data(plan=world.plan, user=world.leader, **kwargs)
    return {row.department_name: row for row in data.rows}


@pytest.fixture
def january(world):
    """edu reports task 1 for January on time (accepted, 20%); hr reports late (unreviewed)."""
    edu_january_accepted(world, percent=20)
    make_report(
        world.task1, world.hr, D(2023, 1, 1), author=world.hr_reporter, submitted_on=D(2023, 2, 9)
    )
    return world


def test_dashboard_figures(january):
    data = dashboard_data(plan=january.plan, year=2023, as_of=D(2023, 3, 10), user=january.leader)
    task1, task2 = data.tasks
    assert (task1.percent, task1.progress_status_label) == (20, "正常推进")
    assert task1.last_report_date == D(2023, 2, 9)
    # February's reports were due on 5 March and nobody sent them: both tasks are red.
    assert task1.light == task2.light == "red"
    assert "教体局2023年2月报告逾期5天" in task1.reason
    assert task2.percent is None
    assert data.overall_percent == Decimal("10.0")  # (20 + 0) / 2
    assert data.current_period.label == "2023年2月"
    assert [(c.department_name, c.expected, c.missing) for c in data.compliance] == [
        ("教体局", 2, 2),
        ("人社局", 2, 2),
    ]
    # Overdue: 4 February reports (5 days) and task 2's two January reports (33 days).
    assert [
        (o.period_label, o.task_number, o.department_name, o.days_overdue) for o in data.overdue
    ] == [
        ("2023年2月", 1, "人社局", 5),
        ("2023年2月", 1, "教体局", 5),
        ("2023年2月", 2, "人社局", 5),
        ("2023年2月", 2, "教体局", 5),
        ("2023年1月", 2, "人社局", 33),
        ("2023年1月", 2, "教体局", 33),
    ]
    assert data.light_counts == {"red": 2, "amber": 0, "green": 0, "grey": 0}


def test_compliance_of_current_period_counts_on_time_late_returned(world):
    february_sent(world)
    data = dashboard_data(plan=world.plan, year=2023, as_of=D(2023, 3, 10), user=world.leader)
    edu, hr = data.compliance
    assert (edu.on_time, edu.late, edu.missing, edu.returned) == (1, 1, 0, 0)
    assert (hr.on_time, hr.late, hr.missing, hr.returned) == (0, 0, 1, 1)
    assert data.compliance_total.on_time_rate == Decimal("25.0")


def test_scores_by_hand(january):
    rows = scores(january)
    edu, hr = rows["教体局"], rows["人社局"]
    # edu timeliness: task1 Jan on time (2×1), task2 Jan missing (1×0), Feb both missing
    # (2×0, 1×0) → 2/6 of 40 = 13.3; review the same 2/6 of 20 = 6.7; nothing due for
    # completion → 30; no orders → 10. Total 60.0 → 一般.
    assert edu.component("timeliness").score == Decimal("13.3")
    assert edu.component("review").score == Decimal("6.7")
    assert edu.component("completion").note == "本期无到期事项，按满分计"
    assert edu.component("orders").note.startswith("本期未被督办")
    assert (edu.score, edu.grade, edu.ranking.rank) == (Decimal("60.0"), "一般", 1)
    # hr timeliness: task1 Jan late (1×0.5), the rest missing (2+1+2) → 0.5/6 of 40 = 3.3;
    # review: the late one awaits review (not counted), others missing → 0/5 → 0.
    # Total 3.33 + 30 + 0 + 10 = 43.3 → 较差.
    assert hr.component("review").item_count == 3
    assert (hr.score, hr.grade, hr.ranking.rank) == (Decimal("43.3"), "较差", 2)


def test_no_reports_yet(world):
    rows = scores(world)
    # Everything due is missing: 0 + 30 (nothing due) + 0 + 10.
    assert rows["教体局"].score == rows["人社局"].score == Decimal("40.0")
    data = dashboard_data(plan=world.plan, year=2023, as_of=D(2023, 3, 10), user=world.leader)
    assert data.overall_percent == Decimal("0.0")
    assert len(data.overdue) == 8


def test_nothing_due_yet_has_no_score_and_grey_lights(world):
    rows = scores(world, as_of=D(2023, 2, 1))
    assert rows["教体局"].score is None and rows["教体局"].grade == "暂无评分"
    data = dashboard_data(plan=world.plan, year=2023, as_of=D(2023, 2, 1), user=world.leader)
    assert {t.light for t in data.tasks} == {"grey"}


def test_department_with_only_supporting_tasks(world):
    TaskAssignment.objects.create(
        task=world.task2, department=world.finance, role=TaskAssignment.Role.SUPPORT, position=1
    )
    make_report(
        world.task2,
        world.finance,
        D(2023, 1, 1),
        author=world.other_reporter,
        submitted_on=D(2023, 2, 1),
        accepted_on=D(2023, 2, 2),
    )
    # Jan on time and accepted (1×1), Feb missing (1×0): 20 + 10 + 30 + 10 = 70.0.
    finance = scores(world)["财政局"]
    assert (finance.lead_tasks, finance.support_tasks) == (0, 1)
    assert (finance.score, finance.grade) == (Decimal("70.0"), "一般")
    # The lead factor only weighs lead items: changing it leaves this score alone.
    ScoringSettings.objects.create(lead_factor=Decimal("3"))
    assert scores(world)["财政局"].score == Decimal("70.0")


def test_report_accepted_late_and_weight_changes(world):
    # January window only. edu: task1 (lead) sent 8 Feb, 3 days late, accepted 10 Feb;
    # task2 (support) sent on time and accepted.
    make_report(
        world.task1,
        world.edu,
        D(2023, 1, 1),
        author=world.reporter,
        submitted_on=D(2023, 2, 8),
        accepted_on=D(2023, 2, 10),
        percent=10,
    )
    make_report(
        world.task2,
        world.edu,
        D(2023, 1, 1),
        author=world.reporter,
        submitted_on=D(2023, 2, 5),
        accepted_on=D(2023, 2, 6),
    )
    window = {"period_kind": "month", "period_start": D(2023, 1, 15)}
    edu = scores(world, **window)["教体局"]
    # timeliness (2×0.5 + 1×1)/3 of 40 = 26.7; review 3/3 of 20; 30; 10 → 86.7 良好.
    assert edu.score == Decimal("86.7") and edu.grade == "良好"
    late = [i for i in edu.items_for("timeliness") if i.task_number == 1][0]
    assert late.outcome == "逾期3天报送（2023年2月8日，截止2023年2月5日）"
    assert late.earned == Decimal("1.0")

    # Equal weights: 25×2/3 + 25 + 25 + 25 = 91.7 → 优秀.
    settings = ScoringSettings.objects.create(
        weight_timeliness=25, weight_completion=25, weight_review=25, weight_orders=25
    )
    assert scores(world, **window)["教体局"].score == Decimal("91.7")
    # Lead factor 1: timeliness (0.5 + 1)/2 = 0.75 → 25×0.75 + 75 = 93.8.
    settings.lead_factor = Decimal("1")
    settings.save()
    assert scores(world, **window)["教体局"].score == Decimal("93.8")
    # A plan-specific row wins over the default row.
    ScoringSettings.objects.create(
        plan=world.plan,
        weight_timeliness=70,
        weight_completion=10,
        weight_review=10,
        weight_orders=10,
    )
    # 70×(2×0.5+1)/3 + 10 + 10 + 10 = 76.7
    assert scores(world, **window)["教体局"].score == Decimal("76.7")


def test_same_data_same_score(january):
    assert scores(january)["教体局"].score == scores(january)["教体局"].score


def test_ties_share_a_rank(world):
    rows = scores(world)
    assert rows["教体局"].ranking.rank == rows["人社局"].ranking.rank == 1


def test_target_missed_turns_task_red_and_met_target_scores(world):
    target = Target.objects.create(
        task=world.task1,
        year=2023,
        indicator="实训基地",
        target_value=Decimal("3"),
        unit="个",
        kind=Target.Kind.COUNT,
        source_sentence="2023年建成3个实训基地。",
    )
    data = dashboard_data(plan=world.plan, year=2023, as_of=D(2024, 1, 2), user=world.leader)
    assert "2023年目标“实训基地”未达成" in data.tasks[0].reason
    assert data.tasks[0].light == "red"
    assert data.year_targets.rows[0].status == "missed"
    make_report(
        world.task1,
        world.edu,
        D(2023, 12, 1),
        author=world.reporter,
        submitted_on=D(2024, 1, 1),
        accepted_on=D(2024, 1, 1),
        percent=100,
        status=ProgressStatus.DONE,
        target_values={target: Decimal("3")},
    )
    data = dashboard_data(plan=world.plan, year=2023, as_of=D(2024, 1, 2), user=world.leader)
    assert data.year_targets.rows[0].status == "met"
    assert data.year_targets.rows[0].actual == Decimal("3")
    edu = scores(world, period_kind="year", period_start=D(2023, 6, 1), as_of=D(2024, 1, 2))[
        "教体局"
    ]
    met = edu.items_for("completion")
    assert [(i.subject, i.points) for i in met] == [("2023年目标：实训基地（目标3个）", Decimal(1))]


def test_department_user_sees_only_own_department(january):
    data = dashboard_data(plan=january.plan, year=2023, as_of=D(2023, 3, 10), user=january.reporter)
    assert [c.department_name for c in data.compliance] == ["教体局"]
    assert {o.department_name for o in data.overdue} == {"教体局"}
    card = scorecard_data(
        plan=january.plan, period_kind="plan", as_of=D(2023, 3, 10), user=january.reporter
    )
    assert [r.department_name for r in card.rows] == ["教体局"]


def test_deadline_is_the_end_of_the_due_day_in_local_time(world):
    from supervision.tests import factories

    report = make_report(
        world.task1, world.edu, D(2023, 1, 1), author=world.reporter, submitted_on=D(2023, 2, 5)
    )
    # 23:59 on 5 February in Shanghai is still on time.
    moment = factories.at(D(2023, 2, 5), 23).replace(minute=59)
    report.first_submitted_at = report.submitted_at = moment
    report.save()
    factories.sync_report_summary(report)
    window = {"period_kind": "month", "period_start": D(2023, 1, 1)}
    item = scores(world, **window)["教体局"].items_for("timeliness")[0]
    assert item.outcome.startswith("按期报送")
    report.first_submitted_at = report.submitted_at = factories.at(D(2023, 2, 6), 0)
    report.save()
    factories.sync_report_summary(report)
    item = scores(world, **window)["教体局"].items_for("timeliness")[0]
    assert item.outcome.startswith("逾期1天报送")


def test_on_time_report_reviewed_after_the_due_date_is_still_on_time(world):
    make_report(
        world.task1,
        world.edu,
        D(2023, 1, 1),
        author=world.reporter,
        submitted_on=D(2023, 2, 4),
        accepted_on=D(2023, 2, 20),
    )
    edu = scores(world, period_kind="month", period_start=D(2023, 1, 1))["教体局"]
    lead = [i for i in edu.items if i.task_number == 1]
    assert [(i.component, i.points) for i in lead] == [("timeliness", 1), ("review", 1)]


@pytest.mark.parametrize(
    ("kind", "day", "expected"),
    [
        ("month", D(2023, 2, 14), (D(2023, 2, 1), D(2023, 2, 28), "2023年2月")),
        ("quarter", D(2023, 5, 14), (D(2023, 4, 1), D(2023, 6, 30), "2023年第2季度")),
        ("year", D(2023, 5, 14), (D(2023, 1, 1), D(2023, 12, 31), "2023年")),
        ("plan", D(2023, 5, 14), (D(2023, 1, 1), D(2024, 12, 31), "方案全周期")),
    ],
)
def test_scoring_windows(world, kind, day, expected):
    from supervision.scoring import scoring_window

    assert scoring_window(world.plan, kind, day) == expected


def test_an_as_of_date_in_the_past_ignores_later_events(january):
    # On 4 February edu's January report was in, accepted that day at 16:00; hr's was not.
    data = dashboard_data(plan=january.plan, year=2023, as_of=D(2023, 2, 4), user=january.leader)
    assert data.tasks[0].percent == 20
    assert data.compliance[1].awaiting == 2  # hr: nothing sent yet, due tomorrow
    data = dashboard_data(plan=january.plan, year=2023, as_of=D(2023, 2, 3), user=january.leader)
    assert data.tasks[0].percent is None  # accepted only on the 4th
    assert data.tasks[0].light == "amber"  # due in 2 days, hr has not reported
