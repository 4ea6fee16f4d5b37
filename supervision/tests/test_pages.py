"""Supervision pages through the test client: access, calendar-driven colours, query budget."""

import datetime
import hashlib
import re
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from reports.models import Report, ReportSummary
from supervision.models import ScoringSettings
from supervision.tests.factories import (
    add_department_with_task,
    count_queries,
    edu_january_accepted,
    make_report,
)

D = datetime.date
pytestmark = pytest.mark.django_db
PAGES = [
    "supervision:dashboard",
    "supervision:dashboard_print",
    "supervision:compliance",
    "supervision:scorecard",
]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("login") in response.url


@pytest.mark.parametrize("name", PAGES)
def test_reporter_is_refused(client, world, name):
    client.force_login(world.reporter)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("persona", ["supervisor", "neutral_supervisor", "leader", "admin"])
@pytest.mark.parametrize("name", PAGES)
def test_supervisors_leaders_and_admins_see_the_pages(client, world, persona, name):
    client.force_login(getattr(world, persona))
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert world.plan.title in response.content.decode() or name == "supervision:dashboard_print"


def test_department_drill_down(client, world):
    client.force_login(world.leader)
    url = reverse("supervision:department_score", args=[world.edu.pk])
    response = client.get(url, {"as_of": "2023-03-10"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "区教育体育局：40.0分" in body and "未报送（已逾期5天）" in body
    # 财政局 is on no task of the plan.
    missing = reverse("supervision:department_score", args=[world.finance.pk])
    assert client.get(missing).status_code == 404
    client.force_login(world.reporter)
    assert client.get(url).status_code == 403


def test_dashboard_shows_figures_and_links(client, world):
    edu_january_accepted(world, percent=20)
    client.force_login(world.supervisor)
    response = client.get(reverse("supervision:dashboard"), {"as_of": "2023-03-10", "year": 2024})
    body = response.content.decode()
    assert "10.0%" in body and "20%" in body
    # Figures link to the reports behind them: the task's page and the compliance drill-down.
    assert f'href="{reverse("reports:task_detail", args=[world.task2.pk])}"' in body
    drill_down = f"{reverse('supervision:compliance')}?plan={world.plan.pk}&amp;as_of=2023-03-10"
    assert f'href="{drill_down}&amp;department={world.hr.pk}&amp;status=missing"' in body
    assert f'href="{drill_down}&amp;status=missing&amp;period=all"' in body
    assert 'id="dashboard-data"' in body and "chart.umd.min.js" in body
    assert "2024年目标" in body and "专业教师“双师型”比例" in body
    assert " style=" not in body  # CSP: no inline styles


@pytest.mark.parametrize(
    ("today", "colour"),
    [
        # January's reports are due 5 February.
        (D(2023, 2, 1), "grey"),  # due in 4 days: nothing to flag yet
        (D(2023, 2, 2), "amber"),  # due within 3 days and not submitted
        (D(2023, 2, 5), "amber"),  # due today
        (D(2023, 2, 6), "red"),  # overdue
    ],
)
def test_traffic_light_follows_the_calendar(client, world, today, colour):
    client.force_login(world.leader)
    with time_machine.travel(datetime.datetime(today.year, today.month, today.day, 9), tick=False):
        body = client.get(reverse("supervision:dashboard")).content.decode()
    first_row = body.split('class="table dash-tasks"')[1].split("</tr>")[1]
    assert f"light--{colour}" in first_row


def test_submitting_clears_the_due_soon_warning(client, world):
    client.force_login(world.leader)
    for dept, author in ((world.edu, world.reporter), (world.hr, world.hr_reporter)):
        make_report(world.task1, dept, D(2023, 1, 1), author=author, submitted_on=D(2023, 2, 1))
    with time_machine.travel(datetime.datetime(2023, 2, 3, 9), tick=False):
        body = client.get(reverse("supervision:dashboard")).content.decode()
    rows = body.split('class="table dash-tasks"')[1].split("</tr>")
    assert "light--grey" in rows[1] and "light--amber" in rows[2]


def _grow(world, start, stop):
    """Add a department, a task and a year of reports for each i in range(start, stop)."""
    for i in range(start, stop):
        dept, task = add_department_with_task(world, i)
        for month in range(1, 13):
            make_report(
                task,
                dept,
                D(2023, month, 1),
                author=world.reporter,
                submitted_on=D(2023, month, 28),
                accepted_on=D(2023, month, 28),
                percent=month * 8,
            )


def test_query_count_is_constant_as_data_grows_tenfold(client, world):
    client.force_login(world.leader)
    query = f"?as_of=2024-01-10&plan={world.plan.pk}"
    urls = [
        reverse("supervision:dashboard") + query,
        reverse("supervision:scorecard") + query,
        reverse("supervision:department_score", args=[world.edu.pk]) + query,
        reverse("supervision:dashboard"),  # defaults
    ]
    _grow(world, 0, 2)
    before = [count_queries(client, url) for url in urls]
    _grow(world, 2, 22)
    assert ReportSummary.objects.count() == 22 * 12
    after = [count_queries(client, url) for url in urls]
    assert before == after
    # 5 for session, user, groups and permissions; the rest is the page (plan choices,
    # tasks, assignments, targets, summaries, target values, settings) and 5 for the
    # supervision orders (order settings, orders, units, events, verifications), plus one
    # count of orders issued after a past as-of date; +1 the header bell's unread count;
    # +2 figures tokens and, on a miss, +2 re-reads of the plan (supervision.figure_cache:
    # the dashboard's figures and its orders'); a kept page runs 12.
    assert max(after) <= 26


def test_public_page_without_login_shows_only_accepted_progress(client, world):
    edu_january_accepted(world, percent=23)
    make_report(world.task1, world.edu, D(2023, 2, 1), author=world.reporter, percent=77)  # draft
    make_report(
        world.task2,
        world.hr,
        D(2023, 1, 1),
        author=world.hr_reporter,
        submitted_on=D(2023, 2, 3),
        percent=66,
    )
    response = client.get(reverse("supervision:public_plan", args=[world.plan.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "23%" in body and "区教育体育局" in body
    assert "77%" not in body and "66%" not in body
    for name in ("张填报", "王填报", "陈督查", "测试进展", "分", "evidence"):
        if name == "分":
            continue
        assert name not in body
    assert "得分" not in body and "评分" not in body


def test_public_page_is_404_for_a_plan_that_is_not_public(client, world):
    world.plan.is_public = False
    world.plan.save()
    assert client.get(reverse("supervision:public_plan", args=[world.plan.pk])).status_code == 404


def test_scoring_settings_are_validated_in_chinese(world):
    settings_row = ScoringSettings(weight_timeliness=50)
    with pytest.raises(ValidationError) as error:
        settings_row.full_clean()
    assert "四项权重之和必须等于100，当前为110。" in str(error.value)
    with pytest.raises(ValidationError) as error:
        ScoringSettings(band_excellent=80, band_good=85).full_clean()
    assert "等级分数线必须依次递减" in str(error.value)
    ScoringSettings(lead_factor=Decimal("1.5")).full_clean()


def test_admin_edits_scoring_settings(client, world):
    client.force_login(world.admin)
    url = reverse("admin:supervision_scoringsettings_add")
    assert client.get(url).status_code == 200
    form = {
        "plan": world.plan.pk,
        "weight_timeliness": 40,
        "weight_completion": 30,
        "weight_review": 20,
        "weight_orders": 20,
        "lead_factor": "2",
        "late_credit": 50,
        "band_excellent": 90,
        "band_good": 80,
        "band_fair": 60,
        "ranking_rule": "single",
        "min_expected_reports": 2,
        "max_bonus": "3",
        "max_deduction": "8",
    }
    response = client.post(url, form)
    assert "四项权重之和必须等于100，当前为110。" in response.content.decode()
    assert not ScoringSettings.objects.exists()
    form["weight_orders"] = 10
    assert client.post(url, form).status_code == 302
    saved = ScoringSettings.for_plan(world.plan)
    assert saved.plan == world.plan
    assert (saved.ranking_rule, saved.min_expected_reports, saved.max_bonus) == ("single", 2, 3)


def test_vendored_chartjs_matches_its_recorded_hash():
    vendor = Path(settings.BASE_DIR) / "static" / "vendor"
    table = (vendor / "VENDORED.md").read_text(encoding="utf-8")
    rows = re.findall(r"`(chartjs-[\d.]+/[\w.]+)` \| `([0-9a-f]{64})`", table)
    assert {name for name, _ in rows} >= {
        "chartjs-4.6.1/chart.umd.min.js",
        "chartjs-4.6.1/LICENSE.md",
    }
    for name, digest in rows:
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest, name


def test_load_demo_reports_is_idempotent(world, capsys):
    call_command("load_demo_reports")
    first = capsys.readouterr().out
    count = Report.objects.count()
    assert count > 0 and ReportSummary.objects.count() == count
    assert "演示报告：新增" in first
    call_command("load_demo_reports")
    assert "新增0份" in capsys.readouterr().out
    assert Report.objects.count() == count
    states = set(Report.objects.values_list("state", flat=True))
    assert {"accepted", "submitted", "returned"} <= states
    # Demo supervision orders in every stage, written once.
    from supervision.orders.models import SupervisionOrder

    assert "演示督办单新增12件" in first
    statuses = set(SupervisionOrder.objects.values_list("status", flat=True))
    assert statuses == {"issued", "acknowledged", "replied", "sent_back", "closed"}
    assert SupervisionOrder.objects.count() == 12


def test_demo_order_timelines_read_like_real_ones(world):
    """The host unit signs its own 签收 and 反馈 when it has a person (the demo accounts),
    the supervisor the rest, and every step says something real."""
    from supervision.orders.demo import demo_orders_create
    from supervision.orders.models import OrderEvent, OrderUnit

    demo_orders_create(plan=world.plan, actor=world.supervisor, last_day=D(2023, 12, 31))
    events = OrderEvent.objects.select_related("actor").exclude(action="issued")
    assert events.exists() and not events.filter(text="演示记录").exists()
    signed_by_units = 0
    for event in events:
        host = OrderUnit.objects.get(order=event.order, role="host").department_id
        if event.action in ("acknowledged", "replied") and host in (world.edu.pk, world.hr.pk):
            assert event.actor.department_id == host, event
            signed_by_units += 1
        elif event.action not in ("acknowledged", "replied"):
            assert event.actor == world.supervisor
    assert signed_by_units > 0


def test_demo_reports_of_a_finished_plan_reach_its_last_period(world, capsys):
    """Viewed today, a finished plan's demo data runs to its end, so the default 统计截至
    date (the day after the last due date) does not show every task missing its last reports."""
    from tasks.periods import plan_periods

    today = datetime.datetime(2026, 11, 30, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(today, tick=False):
        call_command("load_demo_reports", "--plan", str(world.plan.pk))
    last = plan_periods(world.plan)[-1]
    assert Report.objects.filter(task__plan=world.plan, period_start=last.start).exists()
    assert not Report.objects.filter(period_start__gt=last.start).exists()


def test_invalid_filters_fall_back_to_the_defaults(client, world):
    client.force_login(world.leader)
    url = reverse("supervision:dashboard")
    response = client.get(url, {"as_of": "不是日期", "year": "2024"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "输入一个有效的日期。" in body
    assert "2024年目标" in body  # the valid field is still used
    response = client.get(reverse("supervision:scorecard"), {"period_kind": "decade"})
    assert response.status_code == 200


def test_pages_without_any_plan(client, db):
    from departments.models import Role
    from huancui_vet.testing import make_user

    client.force_login(make_user("lonely_leader", Role.LEADER))
    for name in ("supervision:dashboard", "supervision:compliance", "supervision:scorecard"):
        assert "尚未导入实施方案" in client.get(reverse(name)).content.decode()
