"""Report screens through the test client: forms, errors, conflict, queues, compare, history."""

import datetime
import re

import pytest
from django.urls import reverse

from reports import services
from reports.models import Report, ReportState, TargetValue
from reports.tests.factories import JUNE, MAY, draft, fresh, milestone, submitted


def create_url(world, period="2023-06-01", task=None):
    return reverse("reports:report_create", args=[(task or world.task1).pk, period])


def test_reporter_creates_a_report_through_the_form(client, world, frozen):
    client.force_login(world.reporter)
    page = client.get(create_url(world))
    assert "2023年6月 进展报告" in page.content.decode()
    assert "专业教师“双师型”比例" in page.content.decode()
    response = client.post(
        create_url(world),
        {
            "version": 0,
            "progress_status": "behind",
            "percent": "35",
            "work_done": "完成实训室改造方案。",
            f"target_{world.target1.pk}": "28.5",
        },
    )
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report_detail", args=[report.pk])
    assert (report.progress_status, report.percent, report.created_by) == (
        "behind",
        35,
        world.reporter,
    )
    assert str(report.target_values.get().actual_value) == "28.50"


def test_percent_120_is_shown_beside_the_field_and_nothing_saved(client, world):
    client.force_login(world.reporter)
    response = client.post(
        create_url(world), {"version": 0, "progress_status": "on_track", "percent": "120"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "field--error" in html and "完成百分比必须是0到100之间的整数。" in html
    assert not Report.objects.exists()


def test_a_yes_no_target_of_60_is_shown_beside_its_field_and_nothing_saved(client, world):
    target = milestone(world, "达到国家办学标准")
    report = draft(world)
    client.force_login(world.reporter)
    response = client.post(
        reverse("reports:report_edit", args=[report.pk]),
        {
            "version": 1,
            "progress_status": "on_track",
            "percent": "60",
            "work_done": "改了内容",
            f"target_{world.target1.pk}": "60",
            f"target_{target.pk}": "60",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    message = "“达到国家办学标准”是节点目标，只能填 1（完成）或 0（未完成）。"
    field = html[html.find(f'id="id_target_{target.pk}"') :]
    assert message in field[: field.find("</div>")]
    stored = fresh(report)
    assert (stored.version, stored.percent, stored.work_done) == (1, 40, report.work_done)
    assert not TargetValue.objects.exists()


def test_a_period_outside_the_plan_is_refused_and_nothing_saved(client, world):
    client.force_login(world.reporter)
    response = client.post(create_url(world, "2031-01-01"), {"version": 0, "work_done": "x"})
    assert response.status_code == 400
    assert "所选填报期不在方案的填报期范围内" in response.content.decode()
    assert not Report.objects.exists()


def test_a_report_for_another_departments_task_is_refused(client, world):
    client.force_login(world.other_reporter)
    response = client.post(create_url(world), {"version": 0, "work_done": "x"})
    assert response.status_code == 404
    assert not Report.objects.exists()


def test_supporting_department_form_has_no_status_percent_or_targets(client, world):
    client.force_login(world.hr_reporter)
    html = client.get(create_url(world)).content.decode()
    assert "本单位配合工作进展" in html
    assert 'name="percent"' not in html and 'name="progress_status"' not in html
    # Posting the lead-only fields anyway changes nothing: the form ignores them.
    client.post(create_url(world), {"version": 0, "work_done": "配合调研", "percent": "90"})
    report = Report.objects.get()
    assert (report.role, report.percent, report.progress_status) == ("support", None, "")


def test_lead_sees_supporting_contributions_when_writing(client, world):
    draft(world, user=world.hr_reporter, fields={"work_done": "人社局协助组织培训。"})
    report = draft(world)
    client.force_login(world.reporter)
    html = client.get(reverse("reports:report_edit", args=[report.pk])).content.decode()
    assert "责任单位本期配合情况" in html and "人社局协助组织培训。" in html
    report.delete()  # also before the lead has started its own report
    html = client.get(create_url(world)).content.decode()
    assert "人社局协助组织培训。" in html
    client.force_login(world.hr_reporter)  # a supporting unit does not get this panel
    html = client.get(create_url(world), follow=True).content.decode()
    assert "本单位配合工作进展" in html
    assert "责任单位本期配合情况" not in html


def test_second_save_with_a_stale_version_gets_409_and_sees_the_other_version(client, world):
    report = draft(world)
    url = reverse("reports:report_edit", args=[report.pk])
    form = {"version": 1, "progress_status": "on_track", "percent": "50"}
    client.force_login(world.head)
    assert client.post(url, {**form, "work_done": "负责人的版本"}).status_code == 302
    client.force_login(world.reporter)
    response = client.post(url, {**form, "work_done": "填报员的版本"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "该记录已被他人修改" in html
    assert "负责人的版本" in html and "填报员的版本" in html
    assert 'name="version" value="2"' in html
    assert fresh(report).work_done == "负责人的版本"
    # Having seen it, the reporter may save again against the new version.
    assert client.post(url, {**form, "version": 2, "work_done": "合并后"}).status_code == 302
    assert fresh(report).work_done == "合并后"


def test_submitted_report_edit_page_redirects_with_a_message(client, world):
    report = submitted(world)
    client.force_login(world.reporter)
    response = client.get(reverse("reports:report_edit", args=[report.pk]), follow=True)
    assert "不能修改" in response.content.decode()


def test_return_without_comment_shows_the_error_and_changes_nothing(client, world):
    report = submitted(world)
    client.force_login(world.neutral_supervisor)
    response = client.post(reverse("reports:report_return", args=[report.pk]), {"comment": " "})
    assert response.status_code == 400
    assert "退回报告必须填写退回意见。" in response.content.decode()
    assert fresh(report).state == ReportState.SUBMITTED


def test_supervisor_of_the_department_sees_why_they_cannot_review(client, world):
    report = submitted(world)
    client.force_login(world.supervisor)
    html = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "这是本单位的报告，须由其他督查员审核。" in html
    response = client.post(reverse("reports:report_accept", args=[report.pk]), follow=True)
    assert "督查员不能审核本单位的报告" in response.content.decode()
    assert fresh(report).state == ReportState.SUBMITTED


def test_review_queue_oldest_first_and_filters(client, world, time_machine):
    time_machine.move_to(datetime.datetime(2023, 7, 3, 9, 0, tzinfo=datetime.UTC))
    hr = submitted(world, user=world.hr_reporter, task=world.task2, period=JUNE)
    time_machine.move_to(datetime.datetime(2023, 7, 4, 9, 0, tzinfo=datetime.UTC))
    edu = submitted(world, period=JUNE)
    client.force_login(world.neutral_supervisor)
    response = client.get(reverse("reports:review_queue"))
    assert list(response.context["page"]) == [hr, edu]
    assert "2023年7月3日" in response.content.decode()
    filtered = client.get(reverse("reports:review_queue"), {"department": world.edu.pk})
    assert list(filtered.context["page"]) == [edu]
    filtered = client.get(reverse("reports:review_queue"), {"task": world.task2.pk})
    assert list(filtered.context["page"]) == [hr]


def test_review_queue_pages_by_50(client, world):
    client.force_login(world.neutral_supervisor)
    response = client.get(reverse("reports:review_queue"))
    assert response.context["page"].paginator.per_page == 50


def test_compare_shows_what_changed_between_submissions(client, world):
    fields = {"progress_status": "on_track", "percent": 40, "work_done": "完成选址。"}
    report = submitted(world, fields=fields)
    report = services.report_return(user=world.neutral_supervisor, report=report, comment="补充")
    report = services.report_save(
        user=world.reporter,
        report=report,
        expected_version=report.version,
        fields={"percent": 55, "work_done": "完成选址和设计。"},
    )
    services.report_submit(user=world.reporter, report=report)
    client.force_login(world.neutral_supervisor)
    html = client.get(reverse("reports:report_compare", args=[report.pk])).content.decode()
    assert '<del class="diff-del">40</del><ins class="diff-ins">55</ins>' in html
    assert '<ins class="diff-ins">和设计</ins>' in html


def test_history_page_lists_every_saved_version_for_supervisors(client, world):
    report = submitted(world)
    client.force_login(world.neutral_supervisor)
    response = client.get(reverse("reports:report_history", args=[report.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["report_rows"]) == 3  # created, saved, submitted
    assert "完成百分比" in html and "草稿 → 已报送待审核" in html and "（空） → 正常推进" in html


def test_history_page_is_paged_and_each_version_keeps_its_diff(client, world):
    """A draft saved 40 times: 30 versions a page; the oldest on page 1 still shows what
    changed against the version on page 2; queries do not grow with the versions."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.views.review import HISTORY_PER_PAGE

    report = draft(world)
    url = reverse("reports:report_history", args=[report.pk])
    client.force_login(world.neutral_supervisor)

    def save(i):
        return services.report_save(
            user=world.reporter,
            report=report,
            expected_version=report.version,
            fields={"work_done": f"第{i}次保存"},
        )

    report = save(-1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(40):
        report = save(i)
    with CaptureQueriesContext(connection) as many:
        first = client.get(url)
    assert len(many) <= len(few)  # (the users query runs only when a user field changed)
    total = report.history.count()
    rows = first.context["report_rows"]
    assert len(rows) == HISTORY_PER_PAGE and first.context["report_page"].paginator.count == total
    oldest_record, oldest_changes = rows[-1]
    assert oldest_changes, "the page's last version is diffed against the next page's first"
    assert "page=2" in first.content.decode()
    second = client.get(url, {"page": 2}).context["report_rows"]
    assert len(second) == total - HISTORY_PER_PAGE
    assert second[0][0].history_id != oldest_record.history_id
    assert second[-1][1] == []  # the very first version has nothing before it


def test_signoff_queue_and_signoff(client, world):
    world.plan.requires_head_signoff = True
    world.plan.save()
    report = submitted(world)
    client.force_login(world.head)
    html = client.get(reverse("reports:signoff_queue")).content.decode()
    assert "待负责人签批" in html
    response = client.post(reverse("reports:report_signoff", args=[report.pk]))
    assert response.status_code == 302
    assert fresh(report).state == ReportState.SUBMITTED
    assert fresh(report).signed_off_by == world.head


def test_period_close_and_reopen_pages(client, world, frozen):
    client.force_login(world.neutral_supervisor)
    close = reverse("reports:period_close", args=[world.plan.pk, "2023-05-01"])
    response = client.post(close, follow=True)
    assert "已关闭2023年5月填报期" in response.content.decode()
    report_url = create_url(world, "2023-05-01")
    client.force_login(world.reporter)
    response = client.post(report_url, {"version": 0, "work_done": "x"})
    assert "已关闭" in response.content.decode() and not Report.objects.exists()
    client.force_login(world.neutral_supervisor)
    reopen = reverse("reports:period_reopen", args=[world.plan.pk, "2023-05-01"])
    html = client.post(reopen, follow=True).content.decode()
    assert "已重开2023年5月填报期" in html and "关闭与重开记录" in html


@pytest.mark.parametrize("name", ["report_submit", "report_accept", "evidence_upload"])
def test_workflow_urls_refuse_get(client, world, name):
    report = draft(world)
    client.force_login(world.reporter)
    assert client.get(reverse(f"reports:{name}", args=[report.pk])).status_code == 405


def test_dates_are_shown_in_chinese(client, world, frozen):
    report = submitted(world, period=MAY)
    client.force_login(world.reporter)
    html = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "报送截止 2023年6月5日" in html
    assert "已报送待审核" in html


def test_form_for_a_closed_period_warns_before_typing(client, world):
    services.period_close(user=world.neutral_supervisor, plan=world.plan, period_start=MAY)
    client.force_login(world.reporter)
    html = client.get(create_url(world, "2023-05-01")).content.decode()
    assert "该填报期已关闭" in html


def test_a_new_report_created_by_a_colleague_meanwhile_is_not_overwritten(client, world):
    """Two reporters open the create page; the second save must not overwrite the first."""
    import datetime

    from reports import services

    url = reverse("reports:report_create", args=[world.task1.pk, "2023-05-01"])
    client.force_login(world.head)
    colleague_page = client.get(url)
    assert colleague_page.status_code == 200

    report = services.report_start(
        user=world.reporter, task=world.task1, period_start=datetime.date(2023, 5, 1)
    )
    services.report_save(
        user=world.reporter,
        report=report,
        expected_version=0,
        fields={"work_done": "同事先保存的内容"},
    )

    response = client.post(url, {"version": 0, "work_done": "后保存的内容"})
    assert response.status_code == 302  # to the colleague's report, with a warning
    report.refresh_from_db()
    assert report.work_done == "同事先保存的内容"
    page = client.get(response["Location"], follow=True).content.decode()
    assert "您刚才填写的内容未保存" in page


def test_a_supporting_unit_sees_only_its_own_reporting_record_on_the_task_page(client, world):
    client.force_login(world.hr_reporter)  # supports task 1, led by 教育局
    coverage = client.get(reverse("reports:task_detail", args=[world.task1.pk])).context["coverage"]
    assert [row.assignment.department for row in coverage] == [world.hr]

    client.force_login(world.reporter)  # the lead unit sees every unit's record
    coverage = client.get(reverse("reports:task_detail", args=[world.task1.pk])).context["coverage"]
    assert sorted(row.assignment.department.name for row in coverage) == sorted(
        [world.edu.name, world.hr.name]
    )


def test_a_yes_no_targets_value_reads_yes_or_no_on_the_pages(client, world):
    done = milestone(world, "通过办学评估")
    undone = milestone(world, "建成智慧校园")
    values = {done: "1", undone: "0", world.target1: "60"}
    report = submitted(world, target_values=values)
    services.report_accept(user=world.neutral_supervisor, report=report)
    client.force_login(world.supervisor)
    for url in (
        reverse("reports:report_detail", args=[report.pk]),
        reverse("reports:task_detail", args=[world.task1.pk]),
        reverse("reports:task_print", args=[world.task1.pk]),
    ):
        html = client.get(url).content.decode()
        for name, shown in (("通过办学评估", "是"), ("建成智慧校园", "否")):
            after = html[html.rfind(name) :][:300]
            assert re.search(f"[>：]{shown}[<；]", after), (url, after)
        assert "60%" in html, url


def test_compare_shows_a_yes_no_targets_snapshot_values_as_yes_or_no(world):
    from reports.views.review import compare_snapshots

    target = milestone(world, "达到国家办学标准")
    label = services.snapshot_label(target)
    rows = compare_snapshots(
        {"target_values": {label: "0.00"}}, {"target_values": {label: "1.00"}}, [target]
    )
    assert rows[-1][:4] == (f"实际值：{label}", "否", "是", True)
