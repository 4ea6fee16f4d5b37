"""The 督办 scorecard component computed by hand, and a 不属实 finding reaching every page.

Default settings: weights 40/30/20/10, lead factor 2, late credit 50%; orders: N=3, M=2,
K=7, 10% off per urging, 20% per send-back, 基本属实 50%.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from supervision.orders import services
from supervision.orders.models import SupervisionOrder
from supervision.selectors import scorecard_data
from supervision.tests.factories import make_report
from supervision.tests.orders_fixtures import acknowledge_and_reply, at, issue, urge
from supervision.workbook import collect_workbook_data

D = datetime.date
AS_OF = D(2023, 8, 31)
pytestmark = pytest.mark.django_db


def check(world, department, finding, day, report=None):
    with time_machine.travel(at(day), tick=False):
        return services.verification_record(
            user=world.neutral_supervisor,
            task=world.task1,
            department=department,
            checked_on=day,
            method="site",
            scope="实训基地建设情况",
            finding=finding,
            report=report,
        )


@pytest.fixture
def scenario(world):
    # edu, order A on task 1 (edu leads: weight 2), deadline 20 July: urged once on 12 July,
    # replied 15 July (amber, not red: full base), sent back, replied, closed.
    a = issue(world, deadline=D(2023, 7, 20))
    urge(world, a, at(D(2023, 7, 12)))
    a = acknowledge_and_reply(world, a, when=at(D(2023, 7, 15)))
    with time_machine.travel(at(D(2023, 7, 16)), tick=False):
        a = services.order_send_back(user=world.neutral_supervisor, order=a, reason="佐证不足")
    a = acknowledge_and_reply(world, a, when=at(D(2023, 7, 18)))
    with time_machine.travel(at(D(2023, 7, 19)), tick=False):
        services.order_close(user=world.neutral_supervisor, order=a)
    # edu, order B on task 2 (edu supports: weight 1), deadline 25 July, never replied,
    # urged twice: red → 0.
    b = issue(world, task=world.task2, host=world.edu, assisting=[], deadline=D(2023, 7, 25))
    urge(world, b, at(D(2023, 7, 26)))
    urge(world, b, at(D(2023, 7, 27)))
    # edu, a 基本属实 check on task 1 (weight 2) → 0.5.
    check(world, world.edu, "mostly_true", D(2023, 8, 1))
    # hr, order C on task 2 (hr leads: weight 2), deadline 20 July, replied 22 July (red) → 0.5.
    c = issue(world, task=world.task2, host=world.hr, assisting=[], deadline=D(2023, 7, 20))
    with time_machine.travel(at(D(2023, 7, 22)), tick=False):
        c = services.order_acknowledge(user=world.hr_reporter, order=c)
        services.order_reply(user=world.hr_reporter, order=c, text="已整改")
    # hr, order D on task 1, deadline 30 September: still in time, not counted yet.
    issue(world, host=world.hr, assisting=[], deadline=D(2023, 9, 30))
    # hr's accepted June report on task 1 found 不属实 (task 1, hr supports: weight 1) → 0.
    june = make_report(
        world.task1,
        world.hr,
        D(2023, 6, 1),
        author=world.hr_reporter,
        submitted_on=D(2023, 7, 3),
        accepted_on=D(2023, 7, 4),
    )
    check(world, world.hr, "untrue", D(2023, 8, 2), report=june)
    return june


def rows(world, user=None):
    data = scorecard_data(
        plan=world.plan, period_kind="plan", as_of=AS_OF, user=user or world.leader
    )
    return {r.department_name: r for r in data.rows}


def test_hand_computed_order_component_and_totals(world, scenario):
    scores = rows(world)
    edu, hr = scores["教体局"], scores["人社局"]
    # edu: A 2 × (1 − 0.1 − 0.2) = 1.4; B 1 × 0 = 0; check 2 × 0.5 = 1 → 2.4 / 5 = 48% → 4.8.
    orders = edu.component("orders")
    assert (orders.earned, orders.possible, orders.item_count) == (
        Decimal("2.4"),
        Decimal("5"),
        3,
    )
    assert orders.score == Decimal("4.8")
    # No report at all: timeliness and review 0, nothing due for completion → 30 + 4.8.
    assert edu.score == Decimal("34.8")
    # hr: C 2 × 0.5 = 1; check 1 × 0 = 0; D not counted → 1 / 3 → 3.3.
    assert (hr.component("orders").earned, hr.component("orders").possible) == (1, 3)
    assert hr.component("orders").score == Decimal("3.3")
    # hr timeliness: 7 months due (Jan–Jul) × (task 1 weight 1 + task 2 weight 2) = 21,
    # June task 1 on time → 1/21 of 40; review the same 1/21 of 20; completion 30.
    # 1.905 + 0.952 + 30 + 3.333 = 36.19 → 36.2.
    assert hr.score == Decimal("36.2")


def test_drill_down_lists_every_order_line(client, world, scenario):
    client.force_login(world.leader)
    url = reverse("supervision:department_score", args=[world.edu.pk])
    page = client.get(url, {"plan": world.plan.pk, "as_of": AS_OF, "period_kind": "plan"})
    text = page.content.decode()
    assert "督办单环教督〔2023〕1号（主办）" in text
    assert "按时反馈（2023年7月15日），被催办1次，退回重办1次，已办结" in text
    assert "红色督办未反馈（时限2023年7月25日），被催办2次，未办结" in text
    assert "核实结论：基本属实" in text


def test_untrue_finding_reaches_task_page_dashboard_scorecard_and_workbook(client, world, scenario):
    june = scenario
    client.force_login(world.neutral_supervisor)
    task_page = client.get(reverse("reports:task_detail", args=[world.task1.pk])).content.decode()
    assert "核实不属实" in task_page
    dashboard = client.get(
        reverse("supervision:dashboard"), {"plan": world.plan.pk, "as_of": AS_OF}
    ).content.decode()
    assert "核实不属实的报告" in dashboard and "2023年6月报告（已审核通过）" in dashboard
    hr_items = [i for i in rows(world)["人社局"].items if i.component == "orders"]
    assert any(i.outcome == "核实结论：不属实（2023年6月报告已审核通过）" for i in hr_items)
    data = collect_workbook_data(plan=world.plan, year=2023, as_of=AS_OF, user=None)
    untrue = [r for r in data.overdue if r.situation == "核实不属实"]
    assert [(r.department, r.period) for r in untrue] == [(world.hr.name, "2023年6月报告")]
    assert june.pk  # the report itself is unchanged: the mark is the finding


def test_workbook_lists_open_orders_and_real_scores(world, scenario):
    data = collect_workbook_data(plan=world.plan, year=2023, as_of=AS_OF, user=None)
    orders = [r for r in data.overdue if r.situation.startswith("督办")]
    # Open on 31 August: B (red, urged twice), C (replied, red at reply), D (green).
    assert [(r.period, r.situation, r.days_overdue) for r in orders] == [
        ("环教督〔2023〕3号", "督办红色·已反馈·催办0次", 2),
        ("环教督〔2023〕2号", "督办红色·已下发·催办2次", 37),
        ("环教督〔2023〕4号", "督办绿色·已下发·催办0次", 0),
    ]
    by_name = {s.department: s for s in data.scores}
    assert by_name[world.edu.name].components[3] == 4.8
    assert by_name[world.hr.name].components[3] == 3.3


def test_dashboard_counts_per_unit_and_task_and_leader_escalation(client, world, scenario):
    client.force_login(world.leader)
    page = client.get(reverse("supervision:dashboard"), {"plan": world.plan.pk, "as_of": AS_OF})
    text = page.content.decode()
    assert "领导督办（1件）" in text  # B: red since 26 July (deadline 25 July), > 7 days
    list_url = reverse("supervision:order_list")
    response = client.get(
        list_url,
        {"plan": world.plan.pk, "as_of": AS_OF, "colour": "red", "department": world.edu.pk},
    )
    assert "环教督〔2023〕2号" in response.content.decode()
    assert "环教督〔2023〕1号" not in response.content.decode()


def test_a_unit_sees_only_its_own_orders_on_the_list(client, world, scenario):
    client.force_login(world.other_reporter)
    response = client.get(
        reverse("supervision:order_list"), {"plan": world.plan.pk, "colour": "all"}
    )
    assert "环教督" not in response.content.decode()
    client.force_login(world.hr_reporter)
    text = client.get(
        reverse("supervision:order_list"), {"plan": world.plan.pk, "as_of": AS_OF, "colour": "all"}
    ).content.decode()
    assert "环教督〔2023〕3号" in text and "环教督〔2023〕2号" not in text


def test_weekly_mail_counts_orders(world, scenario):
    from supervision.orders.selectors import order_counts_sentence

    sentence = order_counts_sentence(plan=world.plan, as_of=AS_OF)
    assert sentence == (
        "督办情况：未办结督办单3件，其中红色（超期）2件、黄色（预警）0件、绿色1件；"
        "列入领导督办1件；核实不属实的已通过报告1份。"
    )


def test_dashboard_with_a_past_as_of_points_to_orders_issued_later(client, world, scenario):
    client.force_login(world.leader)
    page = client.get(
        reverse("supervision:dashboard"), {"plan": world.plan.pk, "as_of": "2023-07-01"}
    ).content.decode()
    assert "统计截至日之后又下发了4件督办单" in page
    assert "as_of=" in page and "#orders" in page


def test_the_order_list_with_a_past_as_of_says_how_many_orders_came_later(client, world, scenario):
    url = reverse("supervision:order_list")
    params = {"plan": world.plan.pk, "as_of": "2023-07-01", "colour": "all"}
    client.force_login(world.leader)
    response = client.get(url, params)
    assert response.context["later"] == 4
    page = response.content.decode()
    assert "统计截至日之后又下发了4件督办单，未列入下表" in page
    today = timezone.localdate().isoformat()
    assert f"as_of={today}" in page and "colour=all" in page
    # Today's list has no such note, and a unit counts only the orders naming it.
    assert client.get(url, {**params, "as_of": today}).context["later"] == 0
    client.force_login(world.hr_reporter)
    naming_hr = SupervisionOrder.objects.filter(
        plan=world.plan, units__department=world.hr, issued_at__gte=at(D(2023, 7, 2), 0)
    ).count()
    assert client.get(url, params).context["later"] == naming_hr < 4
    # The list's own unit and task filters count too (the link keeps them).
    client.force_login(world.leader)
    by_task = SupervisionOrder.objects.filter(
        plan=world.plan, task=world.task1, issued_at__gte=at(D(2023, 7, 2), 0)
    ).count()
    assert client.get(url, {**params, "task": world.task1.pk}).context["later"] == by_task < 4
    filtered = client.get(url, {**params, "department": world.hr.pk}).context["later"]
    assert filtered == naming_hr


def test_dashboard_lists_at_most_20_untrue_findings_and_says_how_many(client, world):
    """The 不属实 list is capped like the 领导督办 list, so the page stays bounded."""
    for month in range(1, 23):  # 22 accepted reports of 2022–2023, each found 不属实
        start = D(2022 + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        report = make_report(
            world.task1,
            world.edu,
            start,
            author=world.reporter,
            submitted_on=start + datetime.timedelta(days=33),
            accepted_on=start + datetime.timedelta(days=34),
            percent=50,
        )
        check(world, world.edu, "untrue", D(2023, 8, 1), report=report)
    client.force_login(world.neutral_supervisor)
    dashboard = client.get(
        reverse("supervision:dashboard"), {"plan": world.plan.pk, "as_of": AS_OF}
    ).content.decode()
    assert "核实不属实的报告（22份）" in dashboard
    assert dashboard.count("（已审核通过）</li>") == 20
    assert "仅列出前 20 份" in dashboard
