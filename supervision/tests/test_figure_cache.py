"""A plan's figures kept between requests (supervision.figure_cache) and the triggers that
renew its token (supervision.figure_triggers): every table the figures read is watched, every
kind of write to it renews the right plan's token, and the pages never show kept figures once
something they count has changed."""

import datetime
import importlib
import pickle
import re

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huancui_vet.signals import database_restored
from reports.models import Report
from reports.services import (
    report_accept,
    report_save,
    report_start,
    report_submit,
    report_withdraw,
)
from reports.views import mine
from supervision.compliance import compliance_page
from supervision.figure_cache import cached_figures, figures_token
from supervision.figure_triggers import FIGURE_TABLES, GLOBAL_FIGURES, VERSION_TABLE
from supervision.models import FiguresVersion, ScoringSettings
from supervision.orders import services as order_services
from supervision.orders.models import OrderSettings, SupervisionOrder
from supervision.orders.selectors import (
    dashboard_order_figures,
    load_order_facts,
    open_order_ids,
)
from supervision.scoring import scorecard_data
from supervision.selectors import dashboard_data
from supervision.tests.factories import edu_january_accepted, february_sent, make_report
from supervision.tests.orders_fixtures import acknowledge_and_reply, at, issue, urge
from supervision.trends import scorecard_with_standing
from supervision.views.public import _public_rows

D = datetime.date
AS_OF = D(2023, 3, 10)
pytestmark = pytest.mark.django_db

# Read by the pages for the request itself (who is asking, their session and notices, the
# plan's change history for the "settings changed" note), not by the kept figures.
REQUEST_TABLES = {
    "auth_group",
    "auth_group_permissions",
    "auth_permission",
    "departments_user",
    "departments_user_groups",
    "departments_user_user_permissions",
    "django_content_type",
    "django_session",
    "notifications_notice",
    "tasks_historicalplan",
    VERSION_TABLE,
}


def tokens():
    return dict(FiguresVersion.objects.values_list("plan_id", "token"))


@pytest.fixture
def busy(world):
    """The test world with a row in every watched table: reports with target values and
    summaries, an order with units and events, a verification, plan and default settings."""
    edu_january_accepted(world, percent=40)
    february_sent(world)
    target = world.task1.targets.first()
    make_report(
        world.task1,
        world.hr,
        D(2023, 1, 1),
        author=world.hr_reporter,
        submitted_on=D(2023, 2, 2),
        accepted_on=D(2023, 2, 3),
        target_values={target: 3} if target else None,
    )
    order = issue(world)
    urge(world, order, at(D(2023, 7, 12)))
    with time_machine.travel(at(D(2023, 7, 13)), tick=False):
        order_services.verification_record(
            user=world.neutral_supervisor,
            task=world.task1,
            department=world.edu,
            checked_on=D(2023, 7, 13),
            method="site",
            scope="实训基地建设情况",
            finding="true",
        )
    ScoringSettings.objects.create(plan=world.plan)
    ScoringSettings.objects.create(plan=None)
    OrderSettings.objects.get_or_create(plan=world.plan)
    OrderSettings.objects.get_or_create(plan=None)
    return world


def _plan_of_row(table, pk):
    """The plan whose token a row of `table` renews (GLOBAL_FIGURES for shared rows)."""
    columns, plans = FIGURE_TABLES[table]
    relation = f"(SELECT {', '.join(columns)} FROM {table} WHERE id = %s)"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(plans.replace("FROM r", f"FROM {relation} AS r", 1), [pk])
        return cursor.fetchone()[0]


def _a_row(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id LIMIT 1")  # noqa: S608
        names = [c[0] for c in cursor.description]
        row = cursor.fetchone()
    assert row is not None, f"the busy world has no row in {table}"
    return names, row


@pytest.mark.parametrize("table", sorted(FIGURE_TABLES))
def test_every_write_to_a_watched_table_renews_its_plans_token(busy, table):
    names, row = _a_row(table)
    pk = row[names.index("id")]
    plan_id = _plan_of_row(table, pk)
    assert plan_id in (busy.plan.pk, GLOBAL_FIGURES) or table == "tasks_plan"
    other = busy.task3.plan_id if plan_id != busy.task3.plan_id else busy.plan.pk
    columns = ", ".join(names)
    marks = ", ".join(["%s"] * len(names))

    def renewed(sql, params):
        before = tokens()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        after = tokens()
        assert after[plan_id] != before[plan_id], sql
        if plan_id != GLOBAL_FIGURES:  # another plan's kept figures stay valid
            assert after[other] == before[other], sql

    with transaction.atomic():
        renewed(f"UPDATE {table} SET id = id WHERE id = %s", [pk])  # noqa: S608
        sid = transaction.savepoint()
        with connection.constraint_checks_disabled():
            renewed(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608
            renewed(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row))  # noqa: S608
        transaction.savepoint_rollback(sid)


def _kept_builders(busy):
    """Every kept result of the busy world, computed (the cache is cleared before each)."""
    user = busy.supervisor
    return {
        "dashboard": lambda: dashboard_data(plan=busy.plan, year=2023, as_of=AS_OF, user=user),
        "scorecard": lambda: scorecard_data(
            plan=busy.plan, period_kind="month", as_of=AS_OF, user=user
        ),
        "drill-down": lambda: scorecard_data(
            plan=busy.plan,
            period_kind="plan",
            as_of=AS_OF,
            user=user,
            detail_department=busy.edu.pk,
        ),
        "trends": lambda: scorecard_with_standing(
            plan=busy.plan, period_kind="quarter", as_of=AS_OF, user=user
        ),
        "orders": lambda: open_order_ids(
            plan=busy.plan,
            as_of=D(2023, 7, 31),
            visible_to_department=None,
            department_id=None,
            task_id=None,
            colour="",
        ),
        "order figures": lambda: dashboard_order_figures(
            plan=busy.plan, as_of=D(2023, 7, 31), department_id=None, shown=5
        ),
        "public": lambda: _public_rows(busy.plan, AS_OF),
        "compliance": lambda: compliance_page(
            plan=busy.plan, as_of=AS_OF, user=user, period_value=""
        ),
        "compliance, February": lambda: compliance_page(
            plan=busy.plan, as_of=AS_OF, user=busy.hr_reporter, period_value="2023-02-01"
        ),
        # My tasks' kept part (the newest report is read per view, outside it).
        **{
            f"my tasks of {unit}": (
                lambda unit=unit: mine._page(
                    unit, mine._assigned(unit), AS_OF, plan_id=None, show="", number=None
                )
            )
            for unit in (busy.edu, busy.hr)
        },
    }


def _computed(builders):
    results = {}
    for name, build in builders.items():
        caches["figures"].clear()
        results[name] = pickle.dumps(build())
    return results


def _draft_writes(busy):
    """What units do with drafts: start one for the current period, save it with a target
    value, save it again without; start one for an ended period left unreported (人社局's
    February) and save it; start another and delete it (as the admin can)."""
    target = busy.task1.targets.first()
    with time_machine.travel(at(D(2023, 3, 10)), tick=False):
        late = report_start(user=busy.hr_reporter, task=busy.task1, period_start=D(2023, 2, 1))
        report_save(
            user=busy.hr_reporter,
            report=late,
            expected_version=late.version,
            fields={"work_done": "二月配合工作。"},
        )
        draft = report_start(user=busy.reporter, task=busy.task1, period_start=D(2023, 3, 1))
        draft = report_save(
            user=busy.reporter,
            report=draft,
            expected_version=draft.version,
            fields={"work_done": "已完成三月工作。", "percent": 90, "progress_status": "done"},
            target_values={target: "7"},
        )
        report_save(
            user=busy.reporter,
            report=draft,
            expected_version=draft.version,
            fields={"percent": 95},
            target_values={target: ""},
        )
        other = report_start(user=busy.hr_reporter, task=busy.task1, period_start=D(2023, 3, 1))
    other.delete()
    return Report.objects.get(pk=draft.pk)


def test_draft_only_writes_keep_every_token_and_a_submission_renews(busy):
    before = tokens()
    draft = _draft_writes(busy)
    assert draft.state == "draft" and draft.percent == 95
    assert tokens() == before
    with time_machine.travel(at(D(2023, 3, 10)), tick=False):
        report_submit(user=busy.reporter, report=draft)
    submitted = tokens()
    assert submitted[busy.plan.pk] != before[busy.plan.pk]
    with time_machine.travel(at(D(2023, 3, 11)), tick=False):
        report_withdraw(user=busy.reporter, report=draft)  # back to a draft
    assert tokens()[busy.plan.pk] != submitted[busy.plan.pk]


def test_no_kept_figure_reads_a_draft(busy):
    """Why draft-only writes may keep the token: every kept result is the same after them,
    byte for byte (a figure that counted a draft, or only carried its row, would differ)."""
    builders = _kept_builders(busy)
    before = _computed(builders)
    _draft_writes(busy)
    after = _computed(builders)
    assert [n for n in builders if after[n] != before[n]] == []


def test_the_installed_triggers_are_the_modules():
    """Migrations install frozen copies of the trigger map: the latest must be the module's,
    or the module changed without a migration installing it."""
    latest = importlib.import_module("supervision.migrations.0011_figures_skip_drafts")
    assert latest.FIGURE_TABLES == FIGURE_TABLES
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE name = %s",
                ["figures_token_reports_report_update"],
            )
        else:
            cursor.execute(
                "SELECT prosrc FROM pg_proc WHERE proname = %s",
                ["figures_token_reports_report_update"],
            )
        installed = cursor.fetchone()[0]
    assert "'draft'" in installed


def test_a_bulk_write_renews_each_plan_once_and_in_the_same_transaction(busy):
    before = tokens()
    with transaction.atomic():
        from reports.models import ReportSummary

        ReportSummary.objects.filter(plan=busy.plan).update(times_returned=0)
        inside = tokens()
        assert inside[busy.plan.pk] != before[busy.plan.pk]
        assert inside[busy.task3.plan_id] == before[busy.task3.plan_id]


def test_moving_a_row_to_another_plan_renews_both_plans(busy):
    from tasks.models import Task

    before = tokens()
    Task.objects.filter(pk=busy.task2.pk).update(plan=busy.task3.plan)
    after = tokens()
    assert after[busy.plan.pk] != before[busy.plan.pk]
    assert after[busy.task3.plan_id] != before[busy.task3.plan_id]


def test_a_new_plan_gets_a_token_when_it_is_created(world):
    from tasks.models import Plan

    plan = Plan.objects.create(title="新方案", start_year=2026, end_year=2028)
    assert figures_token([plan.pk]) is not None


def _tables_read(build):
    caches["figures"].clear()
    with CaptureQueriesContext(connection) as captured:
        build()
    found = set()
    for query in captured.captured_queries:
        found |= set(re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', query["sql"]))
    return found


def test_every_table_the_figures_read_is_watched(busy):
    """A new query in the figures on an unwatched table would keep figures stale: listed here
    it fails until the table joins FIGURE_TABLES (with a migration installing its triggers)."""
    user = busy.supervisor
    builders = [
        lambda: dashboard_data(plan=busy.plan, year=2023, as_of=AS_OF, user=user),
        lambda: scorecard_data(plan=busy.plan, period_kind="month", as_of=AS_OF, user=user),
        lambda: scorecard_data(
            plan=busy.plan,
            period_kind="plan",
            as_of=AS_OF,
            user=user,
            detail_department=busy.edu.pk,
        ),
        lambda: scorecard_with_standing(
            plan=busy.plan, period_kind="quarter", as_of=AS_OF, user=user
        ),
        lambda: load_order_facts(plan=busy.plan, as_of=D(2023, 7, 31)),
        lambda: open_order_ids(
            plan=busy.plan,
            as_of=D(2023, 7, 31),
            visible_to_department=busy.hr.pk,
            department_id=busy.edu.pk,
            task_id=busy.task1.pk,
            colour="red",
        ),
        lambda: _public_rows(busy.plan, AS_OF),
        lambda: compliance_page(plan=busy.plan, as_of=AS_OF, user=user, period_value=""),
        # My tasks' kept part (its per-view reads, drafts and period locks, are not kept).
        lambda: mine._page(
            busy.edu, mine._assigned(busy.edu), D(2023, 7, 10), plan_id=None, show="", number=None
        ),
    ]
    read = set().union(*(_tables_read(build) for build in builders))
    assert "reports_reportsummary" in read and "supervision_orderevent" in read
    assert read - REQUEST_TABLES <= set(FIGURE_TABLES), read - REQUEST_TABLES - set(FIGURE_TABLES)


def test_kept_figures_cost_one_query_and_change_with_the_data(busy):
    def build():
        return dashboard_data(plan=busy.plan, year=2023, as_of=AS_OF, user=busy.supervisor)

    caches["figures"].clear()
    first = build()
    with CaptureQueriesContext(connection) as captured:
        again = build()
    assert len(captured) == 1  # the token
    assert again.light_counts == first.light_counts
    assert [t.percent for t in again.tasks] == [40, None]

    report = Report.objects.get(task=busy.task1, department=busy.edu, period_start=D(2023, 2, 1))
    report.percent = 70
    report.save(update_fields=["percent"])
    with time_machine.travel(at(D(2023, 3, 6)), tick=False):
        report_accept(report=report, user=busy.neutral_supervisor)
    assert [t.percent for t in build().tasks] == [70, None]


def test_each_unit_scope_is_kept_apart(busy):
    caches["figures"].clear()
    everyone = dashboard_data(plan=busy.plan, year=2023, as_of=AS_OF, user=busy.supervisor)
    own = dashboard_data(plan=busy.plan, year=2023, as_of=AS_OF, user=busy.reporter)
    assert {c.department_id for c in everyone.compliance} == {busy.edu.pk, busy.hr.pk}
    assert {c.department_id for c in own.compliance} == {busy.edu.pk}


def test_the_highlighted_year_is_the_one_asked_for(busy):
    caches["figures"].clear()
    dashboard_data(plan=busy.plan, year=2023, as_of=AS_OF, user=busy.supervisor)
    assert dashboard_data(plan=busy.plan, year=2024, as_of=AS_OF, user=busy.supervisor).year == 2024


def test_pages_show_a_changed_unit_name_at_once(client, busy):
    client.force_login(busy.supervisor)
    url = reverse("supervision:scorecard")
    params = {"plan": busy.plan.pk, "as_of": "2023-03-10"}
    assert busy.edu.display_name in client.get(url, params).content.decode()
    busy.edu.short_name = "教育和体育局"
    busy.edu.save()
    assert "教育和体育局" in client.get(url, params).content.decode()


def test_changed_scoring_weights_show_at_once(client, busy):
    client.force_login(busy.supervisor)
    url = reverse("supervision:department_score", args=[busy.edu.pk])
    params = {"plan": busy.plan.pk, "as_of": "2023-03-10", "period_kind": "plan"}

    def weights():
        return {c.key: c.weight for c in client.get(url, params).context["row"].components}

    before = weights()
    settings = ScoringSettings.objects.get(plan=busy.plan)
    settings.weight_timeliness = 10
    settings.weight_review = 10
    settings.weight_completion = 70
    settings.weight_orders = 10
    settings.full_clean()
    settings.save()
    assert before["completion"] != 70
    assert weights() == {"timeliness": 10, "review": 10, "completion": 70, "orders": 10}


def test_the_public_page_shows_a_newly_accepted_status(client, busy):
    url = reverse("public", kwargs={"plan_id": busy.plan.pk})
    with time_machine.travel(at(D(2023, 3, 10)), tick=False):
        assert "40%" in client.get(url).content.decode()
        report = Report.objects.get(
            task=busy.task1, department=busy.edu, period_start=D(2023, 2, 1)
        )
        report.percent = 85
        report.save(update_fields=["percent"])
        report_accept(report=report, user=busy.neutral_supervisor)
        body = client.get(url).content.decode()
    assert "85%" in body and "40%" not in body


def test_the_compliance_drill_down_counts_a_new_report_at_once(client, busy):
    client.force_login(busy.supervisor)
    url = reverse("supervision:compliance")
    params = {"plan": busy.plan.pk, "as_of": "2023-03-10", "department": busy.hr.pk}
    before = client.get(url, params).context["data"].counts
    assert (before["missing"], before["late"]) == (1, 0)
    make_report(
        busy.task1, busy.hr, D(2023, 2, 1), author=busy.hr_reporter, submitted_on=D(2023, 3, 8)
    )
    after = client.get(url, params).context["data"].counts
    assert (after["missing"], after["late"]) == (0, 1)


def test_the_order_list_shows_a_closed_order_and_a_granted_extension_at_once(client, busy):
    """The open orders' order is kept (open_order_ids); the page is replayed fresh."""
    client.force_login(busy.supervisor)
    url = reverse("supervision:order_list")
    first = SupervisionOrder.objects.get(plan=busy.plan)
    later = issue(busy, deadline=D(2023, 7, 24), when=at(D(2023, 7, 2)))
    params = {"plan": busy.plan.pk, "as_of": "2023-07-25"}

    def listed(**extra):
        return [order.pk for order, _ in client.get(url, {**params, **extra}).context["items"]]

    assert listed() == [first.pk, later.pk]  # both overdue: the nearest deadline first
    with CaptureQueriesContext(connection) as kept:
        assert listed() == [first.pk, later.pk]
    caches["figures"].clear()
    with CaptureQueriesContext(connection) as computed:
        assert listed() == [first.pk, later.pk]
    assert len(kept) < len(computed)
    assert listed(colour="red") == [first.pk, later.pk]
    acknowledge_and_reply(busy, first, when=at(D(2023, 7, 20)))
    with time_machine.travel(at(D(2023, 7, 21)), tick=False):
        order_services.order_close(user=busy.neutral_supervisor, order=first)
    assert listed() == [later.pk]
    assert listed(colour="red") == [later.pk]
    with time_machine.travel(at(D(2023, 7, 22)), tick=False):
        order_services.order_extension_request(
            user=busy.reporter, order=later, reason="需要更多时间。", new_deadline=D(2023, 8, 31)
        )
        order_services.order_extension_grant(
            user=busy.neutral_supervisor, order=later, new_deadline=D(2023, 8, 31)
        )
    assert listed(colour="red") == []
    response = client.get(url, {**params, "colour": "green"})
    assert [(o.pk, f.deadline) for o, f in response.context["items"]] == [
        (later.pk, D(2023, 8, 31))
    ]


def test_each_unit_sees_its_own_kept_order_list(client, busy):
    first = SupervisionOrder.objects.get(plan=busy.plan)  # 教育局 hosts, 人社局 assists
    second = issue(busy, host=busy.hr, assisting=[], when=at(D(2023, 7, 2)))
    url = reverse("supervision:order_list")
    params = {"plan": busy.plan.pk, "as_of": "2023-07-25"}
    listed = {}
    for user in (busy.supervisor, busy.reporter, busy.hr_reporter, busy.reporter):
        client.force_login(user)
        listed[user.username] = [o.pk for o, _ in client.get(url, params).context["items"]]
    assert listed[busy.supervisor.username] == [first.pk, second.pk]
    assert listed[busy.reporter.username] == [first.pk]
    assert listed[busy.hr_reporter.username] == [first.pk, second.pk]


def test_a_restore_renews_every_token(busy):
    before = tokens()
    database_restored.send(sender=None)
    after = tokens()
    assert set(after) == set(before)
    assert all(after[p] != before[p] for p in before)


def test_a_plan_edited_between_its_read_and_the_token_is_built_fresh(busy):
    """The view reads the plan before cached_figures reads the token: a miss reads it again."""
    from tasks.models import Plan

    stale = Plan.objects.get(pk=busy.plan.pk)
    Plan.objects.filter(pk=stale.pk).update(title="改名后的方案")
    caches["figures"].clear()
    data = dashboard_data(plan=stale, year=2023, as_of=AS_OF, user=busy.supervisor)
    assert data.plan.title == "改名后的方案"


def test_a_cache_outage_computes_the_page(busy, settings):
    settings.FIGURES_CACHE_ALIAS = "broken"
    settings.CACHES = {
        **settings.CACHES,
        "broken": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    data = dashboard_data(plan=busy.plan, year=2023, as_of=AS_OF, user=busy.supervisor)
    assert [t.percent for t in data.tasks] == [40, None]


def test_no_token_or_no_timeout_means_nothing_is_kept(busy, settings):
    calls = []

    def build():
        calls.append(1)
        return "figures"

    FiguresVersion.objects.filter(plan_id=busy.plan.pk).delete()
    cached_figures("probe", busy.plan, build, as_of=AS_OF, scope=None)
    cached_figures("probe", busy.plan, build, as_of=AS_OF, scope=None)
    assert len(calls) == 2
    settings.FIGURES_CACHE_SECONDS = 0
    cached_figures("probe", busy.task3.plan, build, as_of=AS_OF, scope=None)
    cached_figures("probe", busy.task3.plan, build, as_of=AS_OF, scope=None)
    assert len(calls) == 4
