"""One default 统计截至 rule (tasks.periods.default_as_of) for pages, workbook, CLI and mail.

Today, clamped to the plan's reporting window: from its first period's start to the day after
its last report was due. Reports (drafts or not) never move it.
"""

import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from supervision.tests.factories import make_report
from tasks.periods import default_as_of

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)
# The test plan runs 2023–2024 monthly; December 2024's reports are due on 5 January 2025.
SETTLED = D(2025, 1, 6)


def test_rule_is_today_inside_the_window(world):
    assert default_as_of(world.plan, today=D(2023, 7, 3)) == D(2023, 7, 3)


def test_rule_is_the_day_after_the_last_due_date_for_a_finished_plan(world):
    assert default_as_of(world.plan, today=D(2026, 11, 30)) == SETTLED
    assert default_as_of(world.plan, today=D(2025, 1, 5)) == D(2025, 1, 5)


def test_rule_is_the_first_period_for_a_plan_not_started(world):
    assert default_as_of(world.plan, today=D(2022, 5, 1)) == D(2023, 1, 1)


@time_machine.travel(TODAY, tick=False)
def test_a_draft_for_the_last_month_does_not_move_the_dashboard_default(client, world):
    make_report(world.task1, world.edu, D(2024, 12, 1), author=world.reporter)
    client.force_login(world.leader)
    response = client.get(reverse("supervision:dashboard"))
    assert response.context["data"].as_of == SETTLED
    assert "统计截至2025年1月6日" in response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_dashboard_offers_a_one_click_as_of_today(client, world):
    client.force_login(world.leader)
    response = client.get(reverse("supervision:dashboard"), {"plan": world.plan.pk})
    html = response.content.decode()
    assert "本方案填报已结束，默认统计截至2025年1月6日（最后一期报送截止日的次日）" in html
    assert f"?plan={world.plan.pk}&amp;as_of=2026-11-30" in html
    # The link keeps the other filters, replaces the as-of date and starts at page 1.
    query = {"plan": world.plan.pk, "tasks": "all", "page": 2, "as_of": "2023-03-01"}
    html = client.get(reverse("supervision:dashboard"), query).content.decode()
    assert f"?plan={world.plan.pk}&amp;tasks=all&amp;as_of=2026-11-30" in html
    response = client.get(
        reverse("supervision:dashboard"), {"plan": world.plan.pk, "as_of": "2026-11-30"}
    )
    assert response.context["data"].as_of == D(2026, 11, 30)


@time_machine.travel(TODAY, tick=False)
def test_public_page_and_dashboard_use_the_same_default(client, world):
    make_report(
        world.task1,
        world.edu,
        D(2024, 12, 1),
        author=world.reporter,
        submitted_on=D(2025, 1, 3),
        accepted_on=D(2025, 1, 4),
        percent=90,
    )
    response = client.get(reverse("supervision:public_plan", args=[world.plan.pk]))
    assert response.context["as_of"] == SETTLED
    assert "90%" in response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_export_report_without_as_of_uses_the_rule(world, tmp_path):
    out = io.StringIO()
    call_command(
        "export_report",
        "--plan",
        str(world.plan.pk),
        "--output",
        str(tmp_path / "a.xlsx"),
        stdout=out,
    )
    assert "统计截至 2025-01-06" in out.getvalue()


@time_machine.travel(TODAY, tick=False)
def test_weekly_mail_of_a_finished_plan_uses_the_rule(world, settings):
    settings.REPORT_RECIPIENTS = ["leader@example.gov.cn"]
    call_command("send_report", "--weekly", stdout=io.StringIO())
    assert len(mail.outbox) == 2  # both plans of the test world
    assert all("截至2025年1月6日" in m.subject for m in mail.outbox)


@pytest.mark.parametrize(
    ("today", "note"),
    [
        (D(2022, 5, 1), "本方案尚未开始填报，默认统计截至2023年1月1日（首个填报期首日）"),
        (D(2023, 8, 15), "默认统计截至今天（2023年8月15日）"),
        (TODAY.date(), "本方案填报已结束，默认统计截至2025年1月6日"),
    ],
)
def test_the_note_says_which_default_applies(client, world, today, note):
    client.force_login(world.leader)
    noon = datetime.datetime.combine(today, datetime.time(4), tzinfo=datetime.UTC)  # 12:00 local
    with time_machine.travel(noon, tick=False):
        html = client.get(reverse("supervision:scorecard"), {"plan": world.plan.pk}).content
    assert note in html.decode()
