"""The reporting rules, exercised through reports/services.py with the database checked."""

import datetime
from decimal import Decimal

import pytest

from departments.models import Role
from huancui_vet.testing import make_user
from reports import services
from reports.models import (
    Evidence,
    PeriodLock,
    Report,
    ReportEvent,
    ReportState,
    ReportSummary,
    TargetValue,
)
from reports.tests.factories import JUNE, LEAD_FIELDS, MAY, draft, fresh, milestone, pdf, submitted
from tasks.models import Target, TaskAssignment


def actions(report):
    return list(report.events.values_list("action", flat=True))


def test_report_start_creates_a_draft_with_the_departments_role(world):
    report = services.report_start(user=world.reporter, task=world.task1, period_start=JUNE)
    assert report.state == ReportState.DRAFT
    assert report.role == TaskAssignment.Role.LEAD
    assert report.created_by == world.reporter
    assert actions(report) == [ReportEvent.Action.CREATED]
    assert ReportSummary.objects.get(report=report).due_date == datetime.date(2023, 7, 5)
    support = services.report_start(user=world.hr_reporter, task=world.task1, period_start=JUNE)
    assert support.role == TaskAssignment.Role.SUPPORT


def test_report_start_returns_the_existing_report_for_the_same_period(world):
    first = services.report_start(user=world.reporter, task=world.task1, period_start=JUNE)
    again = services.report_start(user=world.head, task=world.task1, period_start=JUNE)
    assert again.pk == first.pk
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("period", "message"),
    [
        (datetime.date(2030, 1, 1), "不在方案的填报期范围内"),
        (datetime.date(2023, 6, 15), "不在方案的填报期范围内"),
        (datetime.date(2022, 12, 1), "不在方案的填报期范围内"),
    ],
)
def test_report_start_refuses_a_period_outside_the_plan(world, period, message):
    with pytest.raises(services.ReportError, match=message):
        services.report_start(user=world.reporter, task=world.task1, period_start=period)
    assert Report.objects.count() == 0


def test_report_start_refuses_a_period_that_has_not_started(world, frozen):
    with pytest.raises(services.ReportError, match="尚未开始"):
        services.report_start(
            user=world.reporter, task=world.task1, period_start=datetime.date(2023, 8, 1)
        )
    assert Report.objects.count() == 0


def test_report_start_refuses_another_departments_task(world):
    with pytest.raises(services.ReportError, match="本部门不承担该任务"):
        services.report_start(user=world.other_reporter, task=world.task1, period_start=JUNE)
    assert Report.objects.count() == 0


@pytest.mark.parametrize("persona", ["supervisor", "leader", "admin"])
def test_only_department_staff_start_reports(world, persona):
    with pytest.raises(services.ReportError):
        services.report_start(user=getattr(world, persona), task=world.task1, period_start=JUNE)
    assert Report.objects.count() == 0


def test_lead_department_saves_status_percent_and_target_values(world):
    report = draft(world, target_values={world.target1: Decimal("32.5")})
    assert (report.progress_status, report.percent, report.version) == ("on_track", 40, 1)
    assert TargetValue.objects.get(report=report).actual_value == Decimal("32.50")
    assert ReportSummary.objects.get(report=report).percent == 40
    # The first save of a new draft is its creation: logged once, as 创建草稿.
    assert actions(report) == ["created"]
    report = services.report_save(
        user=world.reporter,
        report=report,
        expected_version=1,
        fields={"percent": 45},
        target_values={world.target1: None},
    )
    assert fresh(report).percent == 45
    assert not TargetValue.objects.filter(report=report).exists()


def test_percent_above_100_is_refused_and_nothing_saved(world):
    report = draft(world)
    with pytest.raises(services.ReportError, match="0到100") as caught:
        services.report_save(
            user=world.reporter, report=report, expected_version=1, fields={"percent": 120}
        )
    assert "percent" in caught.value.field_errors
    assert (fresh(report).percent, fresh(report).version) == (40, 1)


@pytest.mark.parametrize("value", ["60", "2", "0.5", "-1", "1.001"])
def test_a_yes_no_target_refuses_anything_but_0_or_1_and_nothing_is_saved(world, value):
    target = milestone(world)
    report = draft(world)
    with pytest.raises(services.ReportError) as caught:
        services.report_save(
            user=world.reporter,
            report=report,
            expected_version=1,
            fields={"percent": 50},
            target_values={world.target1: Decimal("60"), target: Decimal(value)},
        )
    message = "“达到国家办学标准”是节点目标，只能填 1（完成）或 0（未完成）。"
    if value != "-1":  # -1 is refused by the range check every target has
        assert caught.value.message == message
        assert caught.value.field_errors == {f"target_{target.pk}": message}
    assert (fresh(report).percent, fresh(report).version) == (40, 1)
    assert not TargetValue.objects.exists()


@pytest.mark.parametrize("value", ["0", "1", "1.00"])
def test_a_yes_no_target_accepts_0_and_1_and_a_numeric_target_accepts_60(world, value):
    target = milestone(world)
    report = draft(world, target_values={target: Decimal(value), world.target1: Decimal("60")})
    stored = dict(
        TargetValue.objects.filter(report=report).values_list("target_id", "actual_value")
    )
    assert stored == {target.pk: Decimal(value), world.target1.pk: Decimal("60")}


def test_a_target_without_a_number_is_yes_no_too(world):
    """The form asks 1 or 0 of every target the plan gives no number, and 1 counts as done
    (Target.is_met_by): a policy target with no value refuses 3 and reads 是/否."""
    policy = Target.objects.create(
        task=world.task1,
        year=2024,
        indicator="落实生均拨款制度",
        kind=Target.Kind.POLICY,
        source_sentence="落实生均拨款制度。",
    )
    assert policy.is_yes_no and not world.target1.is_yes_no
    report = draft(world)
    with pytest.raises(services.ReportError) as caught:
        services.report_save(
            user=world.reporter,
            report=report,
            expected_version=1,
            fields={},
            target_values={policy: Decimal("3")},
        )
    assert (
        caught.value.message == "“落实生均拨款制度”没有数量目标，只能填 1（完成）或 0（未完成）。"
    )
    assert not TargetValue.objects.exists()
    assert (policy.display_actual(Decimal("1")), policy.display_actual(Decimal("0"))) == (
        "是",
        "否",
    )
    assert world.target1.display_actual(Decimal("1")) == f"1{world.target1.unit}"


def test_a_value_stored_before_the_yes_no_rule_does_not_block_the_report(world):
    """A unit that never touches an old 60 can still save; changing it must follow the rule."""
    target = milestone(world)
    report = draft(world)
    TargetValue.objects.create(report=report, target=target, actual_value=Decimal("60"))
    saved = services.report_save(
        user=world.reporter,
        report=report,
        expected_version=1,
        fields={"percent": 55},
        target_values={target: Decimal("60")},
    )
    assert (saved.percent, saved.version) == (55, 2)
    with pytest.raises(services.ReportError, match="只能填 1"):
        services.report_save(
            user=world.reporter,
            report=report,
            expected_version=2,
            fields={"percent": 60},
            target_values={target: Decimal("61")},
        )
    assert TargetValue.objects.get(report=report, target=target).actual_value == Decimal("60")


def test_supporting_department_cannot_set_status_percent_or_targets(world):
    report = draft(world, user=world.hr_reporter)
    assert report.role == TaskAssignment.Role.SUPPORT and report.work_done
    for fields, values in (
        ({"progress_status": "done"}, None),
        ({"percent": 100}, None),
        ({"work_done": "配合"}, {world.target1: Decimal("60")}),
    ):
        with pytest.raises(services.ReportError, match="责任单位只填报本单位"):
            services.report_save(
                user=world.hr_reporter,
                report=report,
                expected_version=1,
                fields=fields,
                target_values=values,
            )
    stored = fresh(report)
    assert (stored.progress_status, stored.percent, stored.version) == ("", None, 1)
    assert not TargetValue.objects.exists()


def test_a_target_of_another_task_is_refused(world):
    report = services.report_start(user=world.hr_reporter, task=world.task2, period_start=JUNE)
    with pytest.raises(services.ReportError, match="目标不属于该任务"):
        services.report_save(
            user=world.hr_reporter,
            report=report,
            expected_version=0,
            fields={"work_done": "x"},
            target_values={world.target1: Decimal("1")},
        )
    assert fresh(report).version == 0


@pytest.mark.parametrize("persona", ["hr_reporter", "other_reporter", "supervisor", "leader"])
def test_only_the_own_department_edits(world, persona):
    report = draft(world)
    with pytest.raises(services.ReportError, match="本部门"):
        services.report_save(
            user=getattr(world, persona), report=report, expected_version=1, fields={"percent": 1}
        )
    assert fresh(report).percent == 40


def test_stale_version_raises_concurrent_edit_with_the_current_row(world):
    report = draft(world)
    services.report_save(
        user=world.head, report=report, expected_version=1, fields={"work_done": "负责人修改"}
    )
    with pytest.raises(services.ConcurrentEditError) as caught:
        services.report_save(
            user=world.reporter, report=report, expected_version=1, fields={"work_done": "旧稿"}
        )
    assert caught.value.current.work_done == "负责人修改"
    assert caught.value.current.version == 2
    assert "已被他人修改" in caught.value.message
    assert fresh(report).work_done == "负责人修改"


def test_submit_without_signoff_goes_to_review_with_a_snapshot(world):
    report = submitted(world, target_values={world.target1: Decimal("30")})
    assert report.state == ReportState.SUBMITTED
    assert report.submitted_by == world.reporter
    assert report.first_submitted_at is not None
    event = report.events.get(action=ReportEvent.Action.SUBMITTED)
    assert event.actor == world.reporter
    assert event.snapshot["percent"] == "40"
    assert event.snapshot["target_values"] == {"专业教师“双师型”比例（2024年）": "30.00"}
    assert ReportSummary.objects.get(report=report).state == ReportState.SUBMITTED


def test_submit_requires_the_content(world):
    report = services.report_start(user=world.reporter, task=world.task1, period_start=JUNE)
    with pytest.raises(services.ReportError, match="推进状态、完成百分比、本期工作进展"):
        services.report_submit(user=world.reporter, report=report)
    assert fresh(report).state == ReportState.DRAFT


def test_submitted_report_cannot_be_edited(world):
    report = submitted(world)
    with pytest.raises(services.ReportError, match="只有草稿或被退回的报告可以修改"):
        services.report_save(
            user=world.reporter, report=report, expected_version=report.version, fields={}
        )


def test_head_signoff_when_the_plan_requires_it(signoff_world):
    world = signoff_world
    report = submitted(world)
    assert report.state == ReportState.AWAITING_SIGNOFF
    assert report.submitted_at is None
    with pytest.raises(services.ReportError):
        services.report_sign_off(user=world.reporter, report=report)
    with pytest.raises(services.ReportError):
        services.report_accept(user=world.neutral_supervisor, report=report)
    report = services.report_sign_off(user=world.head, report=report)
    assert report.state == ReportState.SUBMITTED
    assert report.signed_off_by == world.head
    assert actions(report)[-2:] == ["sent_for_signoff", "signed_off"]
    assert report.events.get(action="signed_off").snapshot is not None


def test_head_of_another_department_cannot_sign_off(signoff_world):
    world = signoff_world
    hr_head = make_user("hr_head", Role.HEAD, world.hr)
    report = submitted(world)
    with pytest.raises(services.ReportError, match="本部门"):
        services.report_sign_off(user=hr_head, report=report)
    assert fresh(report).state == ReportState.AWAITING_SIGNOFF


def test_return_needs_a_comment_then_revise_and_resubmit_then_accept(world):
    report = submitted(world)
    with pytest.raises(services.ReportError, match="退回意见"):
        services.report_return(user=world.neutral_supervisor, report=report, comment="  ")
    assert fresh(report).state == ReportState.SUBMITTED
    report = services.report_return(
        user=world.neutral_supervisor, report=report, comment="请补充实训基地照片。"
    )
    assert (report.state, report.times_returned) == (ReportState.RETURNED, 1)
    assert report.review_comment == "请补充实训基地照片。"
    report = services.report_save(
        user=world.reporter,
        report=report,
        expected_version=report.version,
        fields={"work_done": "补充了照片。"},
    )
    report = services.report_submit(user=world.reporter, report=report)
    report = services.report_accept(user=world.neutral_supervisor, report=report, comment="好")
    assert report.state == ReportState.ACCEPTED
    assert report.reviewed_by == world.neutral_supervisor
    assert actions(report) == [
        "created", "submitted", "returned", "edited", "submitted", "accepted",
    ]  # fmt: skip
    summary = ReportSummary.objects.get(report=report)
    assert (summary.state, summary.times_returned) == (ReportState.ACCEPTED, 1)
    assert summary.accepted_at == report.reviewed_at
    with pytest.raises(services.ReportError, match="只有草稿或被退回"):
        services.report_save(
            user=world.reporter, report=report, expected_version=report.version, fields={}
        )


def test_supervisor_of_the_reporting_department_cannot_review(world):
    report = submitted(world)
    for review in (services.report_accept, services.report_return):
        with pytest.raises(services.ReportError, match="不能审核本单位的报告"):
            review(user=world.supervisor, report=report, comment="x")
    assert fresh(report).state == ReportState.SUBMITTED


def test_nobody_reviews_a_report_they_wrote_or_signed_off(signoff_world):
    world = signoff_world
    # A supervisor with a reporter role as well (e.g. seconded staff) wrote this report.
    writer = make_user("writer", Role.SUPERVISOR, None)
    report = submitted(world)
    Report.objects.filter(pk=report.pk).update(created_by=writer)
    report = services.report_sign_off(user=world.head, report=report)
    with pytest.raises(services.ReportError, match="不能审核自己"):
        services.report_accept(user=writer, report=report)
    Report.objects.filter(pk=report.pk).update(created_by=world.reporter, signed_off_by=writer)
    with pytest.raises(services.ReportError, match="不能审核自己"):
        services.report_return(user=writer, report=fresh(report), comment="x")
    assert fresh(report).state == ReportState.SUBMITTED


@pytest.mark.parametrize("persona", ["leader", "reporter", "head"])
def test_read_only_and_department_roles_cannot_review(world, persona):
    report = submitted(world)
    with pytest.raises(services.ReportError, match="只有督查员"):
        services.report_accept(user=getattr(world, persona), report=report)
    assert fresh(report).state == ReportState.SUBMITTED


def test_closed_period_locks_reports_for_everyone_and_reopening_is_recorded(world):
    report = submitted(world, period=MAY)
    june = draft(world, period=JUNE)
    services.period_close(user=world.neutral_supervisor, plan=world.plan, period_start=MAY)
    with pytest.raises(services.ReportError, match="已关闭"):
        services.report_accept(user=world.neutral_supervisor, report=report)
    with pytest.raises(services.ReportError, match="已关闭"):
        services.report_start(user=world.hr_reporter, task=world.task1, period_start=MAY)
    with pytest.raises(services.ReportError, match="已经关闭"):
        services.period_close(user=world.neutral_supervisor, plan=world.plan, period_start=MAY)
    # Other periods stay open.
    services.report_save(user=world.reporter, report=june, expected_version=1, fields={})
    services.period_reopen(user=world.neutral_supervisor, plan=world.plan, period_start=MAY)
    services.report_return(user=world.neutral_supervisor, report=report, comment="补充")
    lock = PeriodLock.objects.get(plan=world.plan, period_start=MAY)
    assert [h.is_closed for h in lock.history.order_by("history_date")] == [True, False]
    assert lock.changed_by == world.neutral_supervisor


def test_closed_period_blocks_edits_and_evidence(world):
    report = draft(world)
    services.period_close(user=world.neutral_supervisor, plan=world.plan, period_start=JUNE)
    with pytest.raises(services.ReportError, match="已关闭"):
        services.report_save(user=world.reporter, report=report, expected_version=1, fields={})
    with pytest.raises(services.ReportError, match="已关闭"):
        services.report_submit(user=world.reporter, report=report)
    with pytest.raises(services.ReportError, match="已关闭"):
        services.evidence_add(user=world.reporter, report=report, uploaded_file=pdf())
    assert fresh(report).state == ReportState.DRAFT and not Evidence.objects.exists()


def test_only_supervisors_close_periods(world):
    for persona in ("reporter", "head", "leader"):
        with pytest.raises(services.ReportError, match="只有督查员"):
            services.period_close(user=getattr(world, persona), plan=world.plan, period_start=MAY)
    with pytest.raises(services.ReportError, match="填报期范围"):
        services.period_close(
            user=world.neutral_supervisor, plan=world.plan, period_start=datetime.date(2031, 1, 1)
        )
    assert not PeriodLock.objects.exists()


def test_history_keeps_every_version_of_a_report(world):
    report = draft(world, fields=LEAD_FIELDS)
    services.report_save(
        user=world.reporter, report=report, expected_version=1, fields={"percent": 60}
    )
    percents = list(report.history.order_by("history_date").values_list("percent", flat=True))
    assert percents == [None, 40, 60]


def test_report_start_race_returns_the_colleagues_report(world, monkeypatch):
    from django.db.models import QuerySet

    existing = services.report_start(user=world.head, task=world.task1, period_start=JUNE)
    original_first, calls = QuerySet.first, []

    def first_misses_once(queryset):
        # The colleague's row appears between our look-up and our insert.
        if not calls:
            calls.append(1)
            return None
        return original_first(queryset)

    monkeypatch.setattr(QuerySet, "first", first_misses_once)
    again = services.report_start(user=world.reporter, task=world.task1, period_start=JUNE)
    assert again.pk == existing.pk
    assert Report.objects.count() == 1 and ReportEvent.objects.count() == 1


def test_a_unit_removed_from_the_task_cannot_go_on_with_its_draft(world):
    from tasks.services import task_set_units

    report = services.report_start(
        user=world.reporter, task=world.task1, period_start=datetime.date(2023, 5, 1)
    )
    task_set_units(task=world.task1, lead=[(world.hr, "")], support=[])
    with pytest.raises(services.ReportError, match="不再承担该任务"):
        services.report_save(
            user=world.reporter,
            report=report,
            expected_version=report.version,
            fields={"percent": 100, "work_done": "x"},
        )
    report.refresh_from_db()
    assert report.percent is None and report.work_done == ""


def test_a_lead_moved_to_supporting_loses_the_task_level_figures(world):
    from tasks.services import task_set_units

    report = services.report_start(
        user=world.reporter, task=world.task1, period_start=datetime.date(2023, 5, 1)
    )
    report = services.report_save(
        user=world.reporter,
        report=report,
        expected_version=report.version,
        fields={"progress_status": "on_track", "percent": 40, "work_done": "推进中"},
        target_values={world.target1: "30"},
    )
    task_set_units(task=world.task1, lead=[(world.hr, "")], support=[(world.edu, "")])
    services.report_submit(user=world.reporter, report=report)
    report.refresh_from_db()
    assert (report.role, report.progress_status, report.percent) == ("support", "", None)
    assert not report.target_values.exists()
    assert report.summary.is_lead is False and report.summary.percent is None


def test_a_heads_own_submission_is_signed_off_at_once_so_a_one_head_unit_is_not_stuck(
    signoff_world,
):
    world = signoff_world
    report = submitted(world, user=world.head, period=MAY)
    assert report.state == ReportState.SUBMITTED
    assert report.signed_off_by == world.head
    assert actions(report)[-1] == "signed_off"
    assert report.events.get(action="signed_off").snapshot is not None
    assert report.summary.first_submitted_at is not None


def test_head_returns_a_report_to_the_reporter_with_a_comment(signoff_world):
    world = signoff_world
    report = submitted(world)
    with pytest.raises(services.ReportError, match="退回意见"):
        services.report_signoff_return(user=world.head, report=report, comment=" ")
    with pytest.raises(services.ReportError):
        services.report_signoff_return(user=world.reporter, report=report, comment="补充数据")
    assert fresh(report).state == ReportState.AWAITING_SIGNOFF
    report = services.report_signoff_return(user=world.head, report=report, comment="补充数据")
    assert report.state == ReportState.RETURNED
    assert report.review_comment == "补充数据"
    assert report.times_returned == 0  # the head's return is not a review outcome
    assert report.summary.first_submitted_at is None
    assert actions(report)[-1] == "signoff_returned"
    # The reporter revises and sends it again.
    report = services.report_save(
        user=world.reporter, report=report, expected_version=report.version, fields=LEAD_FIELDS
    )
    assert services.report_submit(user=world.reporter, report=report).state == (
        ReportState.AWAITING_SIGNOFF
    )


def test_reporter_withdraws_a_report_awaiting_signoff(signoff_world):
    world = signoff_world
    report = submitted(world)
    with pytest.raises(services.ReportError):
        services.report_withdraw(user=world.hr_reporter, report=report)
    report = services.report_withdraw(user=world.reporter, report=report)
    assert report.state == ReportState.DRAFT
    assert actions(report)[-1] == "withdrawn"


def test_reporter_withdraws_a_submitted_report_before_review_and_it_counts_as_unsent(world):
    report = submitted(world)
    report = services.report_withdraw(user=world.reporter, report=report)
    assert report.state == ReportState.DRAFT
    assert report.first_submitted_at is None and report.submitted_at is None
    assert report.summary.first_submitted_at is None


def test_a_withdrawn_resubmission_goes_back_to_returned_and_keeps_its_first_submission(world):
    report = submitted(world)
    first = report.first_submitted_at
    report = services.report_return(user=world.neutral_supervisor, report=report, comment="补充")
    report = services.report_submit(user=world.reporter, report=report)
    report = services.report_withdraw(user=world.reporter, report=report)
    assert report.state == ReportState.RETURNED
    assert report.first_submitted_at == first


def test_a_reviewed_report_cannot_be_withdrawn(world):
    report = submitted(world)
    services.report_accept(user=world.neutral_supervisor, report=report)
    with pytest.raises(services.ReportError, match="不能撤回"):
        services.report_withdraw(user=world.reporter, report=fresh(report))
    assert fresh(report).state == ReportState.ACCEPTED
