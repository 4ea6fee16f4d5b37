"""Year-end evaluation (年度考评): figures, lifecycle, limits, freezing, rights, outputs.

The world: 教体局 leads task 1 and supports task 2, 人社局 the reverse, 妇联 supports task 1
only; February 2023's reports as in factories.february_sent. Evaluated year 2023 on
10 January 2024 (as-of 6 January: December's reports were due on 5 January).

Hand-computed 2023 scores (weights 40/30/20/10, lead factor 2, late credit 50%):
- 教体局: 12 months × (lead 2 + support 1) = 36 expected weight; February earned 2 + 0.5 →
  40 × 2.5/36 = 2.78; review: 33 weight missing (0), February not yet reviewed → 0;
  no task/target due in 2023 → 30; no orders → 10. Total 42.78 → 42.8.
- 人社局: February task 2 on time (2) → 40 × 2/36 = 2.22; review 0; + 40 → 42.2.
- 妇联: 12 expected, all missing: 0 + 0 + 30 + 10 = 40.0.
"""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from departments.models import Department
from reports.tests.factories import pdf
from supervision.evaluation import services
from supervision.evaluation.models import Evaluation, EvaluationAdjustment, EvaluationLine
from supervision.evaluation.selectors import evaluation_result
from supervision.models import ScoringSettings
from supervision.orders import services as order_services
from supervision.tests.factories import count_queries, february_sent, make_report
from tasks.models import Task, TaskAssignment

D = Decimal
NOW = datetime.datetime(2024, 1, 10, 10, 0)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def women(world):
    dept = Department.objects.create(name="区妇联", short_name="妇联", sort_order=5)
    TaskAssignment.objects.create(task=world.task1, department=dept, role="support", position=2)
    return dept


@pytest.fixture
def evaluation(world, women, clock):
    february_sent(world)
    return services.evaluation_open(user=world.neutral_supervisor, plan=world.plan, year=2023)


def bonus(world, evaluation, department, amount, kind="bonus", **extra):
    return services.adjustment_add(
        user=world.neutral_supervisor,
        evaluation=evaluation,
        department=department,
        kind=kind,
        amount=D(amount),
        reason=extra.pop("reason", "领导批示表扬"),
        uploaded_file=pdf("依据.pdf"),
        **extra,
    )


def lines_of(evaluation, user):
    return {line.department_name: line for line in evaluation_result(evaluation, user=user).lines}


def test_draft_starts_from_the_computed_year_scores(world, evaluation):
    assert evaluation.as_of == datetime.date(2024, 1, 6)
    lines = lines_of(evaluation, world.neutral_supervisor)
    assert {name: line.computed_score for name, line in lines.items()} == {
        "教体局": D("42.8"),
        "人社局": D("42.2"),
        "妇联": D("40.0"),
    }
    assert (lines["教体局"].group, lines["教体局"].rank) == ("lead", 1)
    assert (lines["人社局"].group, lines["人社局"].rank) == ("lead", 2)
    assert (lines["妇联"].group, lines["妇联"].rank, lines["妇联"].expected_reports) == (
        "support",
        1,
        12,
    )


def test_lifecycle_with_a_returned_draft_limits_and_frozen_result(world, women, evaluation):
    sup, leader = world.neutral_supervisor, world.leader
    bonus(world, evaluation, world.hr, "3")  # 人社局 42.2 + 3 = 45.2, now first of its group
    # Out of limits: deductions are capped at 10 per unit and year (default settings).
    before = EvaluationAdjustment.objects.count()
    with pytest.raises(services.EvaluationError) as refused:
        bonus(world, evaluation, world.edu, "10.5", kind="deduction", reason="通报批评")
    assert refused.value.message == (
        "扣分超出上限：该单位本年度扣分上限为10.0分，已录入0分，本次最多还可扣分10.0分。"
    )
    assert EvaluationAdjustment.objects.count() == before
    # A 不属实 verification finding can be linked to a deduction of the verified unit.
    finding = order_services.verification_record(
        user=sup,
        task=world.task1,
        department=world.edu,
        checked_on=datetime.date(2024, 1, 8),
        method="site",
        scope="实训基地",
        finding="untrue",
    )
    bonus(
        world,
        evaluation,
        world.edu,
        "2",
        kind="deduction",
        reason="核实不属实",
        verification=finding,
    )
    services.evaluation_submit(user=sup, evaluation=evaluation)
    with pytest.raises(services.EvaluationError):  # no adjustments once submitted
        bonus(world, evaluation, world.hr, "1")
    with pytest.raises(services.EvaluationError):  # supervisors do not approve
        services.evaluation_approve(user=sup, evaluation=evaluation)
    services.evaluation_return(user=leader, evaluation=evaluation, comment="扣分依据不足")
    evaluation.refresh_from_db()
    assert evaluation.status == "draft"
    bonus(world, evaluation, world.edu, "1", reason="领导批示表扬")
    services.evaluation_submit(user=sup, evaluation=evaluation)
    services.evaluation_approve(user=leader, evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == "published" and evaluation.approved_by == leader
    assert evaluation.settings_used["max_deduction"] == "10.0"
    assert evaluation.settings_used["as_of"] == "2024-01-06"
    assert [e.action for e in evaluation.events.all()] == [
        "opened",
        "adjusted",
        "adjusted",
        "submitted",
        "returned",
        "adjusted",
        "submitted",
        "published",
    ]
    frozen = {
        row.department_name: (row.final_score, row.rank, row.bonus, row.deduction)
        for row in EvaluationLine.objects.filter(evaluation=evaluation)
    }
    # 教体局 42.8 − 2 + 1 = 41.8; 人社局 42.2 + 3 = 45.2 ranks first of the lead group.
    assert frozen == {
        "人社局": (D("45.2"), 1, D("3.0"), D("0.0")),
        "教体局": (D("41.8"), 2, D("1.0"), D("2.0")),
        "妇联": (D("40.0"), 1, D("0.0"), D("0.0")),
    }
    # Later edits: a December report for 教体局 and new weights change the live scorecard,
    # never the published result.
    make_report(
        world.task1,
        world.edu,
        datetime.date(2023, 12, 1),
        author=world.reporter,
        submitted_on=datetime.date(2024, 1, 3),
        accepted_on=datetime.date(2024, 1, 4),
    )
    ScoringSettings.objects.create(weight_timeliness=70, weight_completion=10, weight_review=10)
    with pytest.raises(services.EvaluationError):
        services.evaluation_return(user=leader, evaluation=evaluation, comment="再改")
    result = lines_of(Evaluation.objects.get(pk=evaluation.pk), leader)
    assert {n: (line.final_score, line.rank) for n, line in result.items()} == {
        n: (f[0], f[1]) for n, f in frozen.items()
    }
    live = services.compute_lines(
        evaluation, user=leader, settings=ScoringSettings.for_plan(world.plan)
    )
    assert {line.department_name: line.final_score for line in live}["教体局"] != D("41.8")


def test_adjustment_checks(world, women, evaluation):
    with pytest.raises(services.EvaluationError, match="不能为本单位录入加减分"):
        services.adjustment_add(
            user=world.supervisor,  # belongs to 教体局
            evaluation=evaluation,
            department=world.edu,
            kind="bonus",
            amount=D(1),
            reason="表扬",
            uploaded_file=pdf(),
        )
    with pytest.raises(services.EvaluationError, match="不在考评范围内"):
        bonus(world, evaluation, world.finance, "1")
    bonus(world, evaluation, world.hr, "4")
    with pytest.raises(services.EvaluationError, match="已录入4.0分，本次最多还可加分1.0分"):
        bonus(world, evaluation, world.hr, "1.5")
    assert EvaluationAdjustment.objects.count() == 1


def test_out_of_limit_adjustment_is_refused_on_the_page(client, world, women, evaluation):
    client.force_login(world.neutral_supervisor)
    url = reverse("supervision:evaluation_adjust", args=[evaluation.pk])
    data = {"department": world.hr.pk, "kind": "bonus", "amount": "6", "reason": "表扬"}
    response = client.post(url, {**data, "file": pdf()})
    assert response.status_code == 400
    assert "加分超出上限：该单位本年度加分上限为5.0分" in response.content.decode()
    response = client.post(url, {**data, "amount": "-1", "file": pdf()})
    assert "分值必须大于0。" in response.content.decode()
    response = client.post(url, {**data, "amount": "2"})
    assert "请上传加减分依据。" in response.content.decode()
    assert not EvaluationAdjustment.objects.exists()
    assert client.post(url, {**data, "amount": "2", "file": pdf()}).status_code == 302
    assert EvaluationAdjustment.objects.get().created_by == world.neutral_supervisor


def publish(world, evaluation):
    bonus(world, evaluation, world.hr, "3", reason="市级表彰")
    services.evaluation_submit(user=world.neutral_supervisor, evaluation=evaluation)
    services.evaluation_approve(user=world.leader, evaluation=evaluation)


def test_a_unit_sees_nothing_before_and_only_its_line_after_publication(
    client, world, women, evaluation
):
    detail = reverse("supervision:evaluation_detail", args=[evaluation.pk])
    own = reverse("supervision:evaluation_unit", args=[evaluation.pk, world.hr.pk])
    other = reverse("supervision:evaluation_unit", args=[evaluation.pk, world.edu.pk])
    client.force_login(world.hr_reporter)
    assert client.get(detail).status_code == 404
    assert client.get(own).status_code == 404
    assert (
        "暂无已发布的年度考评"
        in client.get(reverse("supervision:evaluation_list")).content.decode()
    )
    publish(world, evaluation)
    page = client.get(detail).content.decode()
    assert "人社局" in page and "45.2" in page and "市级表彰" in page
    assert "教体局" not in page and "妇联" not in page
    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 404
    file_url = reverse("supervision:evaluation_file", args=[EvaluationAdjustment.objects.get().pk])
    assert client.get(file_url).status_code == 200
    assert (
        client.get(reverse("supervision:evaluation_print", args=[evaluation.pk])).status_code == 403
    )
    client.force_login(world.reporter)  # 教体局 sees its line, not 人社局's adjustment file
    assert "41.8" not in client.get(detail).content.decode()
    assert "42.8" in client.get(detail).content.decode()
    assert client.get(file_url).status_code == 404
    client.force_login(world.other_reporter)  # 财政局 has no line
    assert client.get(detail).status_code == 404
    client.force_login(world.leader)
    page = client.get(detail).content.decode()
    assert all(name in page for name in ("人社局", "教体局", "妇联"))


def test_query_counts_stay_constant_as_units_grow(client, world, women, evaluation):
    client.force_login(world.neutral_supervisor)
    detail = reverse("supervision:evaluation_detail", args=[evaluation.pk])
    before = count_queries(client, detail)
    for i in range(10):
        dept = Department.objects.create(name=f"扩展单位{i}", sort_order=10 + i)
        task = Task.objects.create(plan=world.plan, number=10 + i, content=f"扩展任务{i}")
        TaskAssignment.objects.create(task=task, department=dept, role="lead")
        bonus(world, evaluation, dept, "1")
    assert count_queries(client, detail) == before
    publish(world, evaluation)
    client.force_login(world.leader)
    urls = [
        detail,
        reverse("supervision:evaluation_print", args=[evaluation.pk]),
        reverse("supervision:evaluation_list"),
    ]
    counts = [count_queries(client, url) for url in urls]
    for i in range(10, 20):
        dept = Department.objects.create(name=f"扩展单位{i}", sort_order=10 + i)
        EvaluationLine.objects.create(
            evaluation=evaluation,
            department=dept,
            department_name=dept.name,
            position=100 + i,
            group="lead",
            lead_tasks=1,
            support_tasks=0,
            expected_reports=12,
            computed_score=D(50),
            components=[],
            bonus=0,
            deduction=0,
            final_score=D(50),
            insufficient=False,
            rank=5,
            grade="较差",
        )
    assert [count_queries(client, url) for url in urls] == counts


def test_print_view_and_workbook_carry_the_same_figures(client, world, women, evaluation):
    publish(world, evaluation)
    client.force_login(world.leader)
    page = client.get(reverse("supervision:evaluation_print", args=[evaluation.pk]))
    html = page.content.decode()
    assert "2023年度考评结果" in html and "领导签字" in html and "45.2" in html
    response = client.get(reverse("supervision:evaluation_xlsx", args=[evaluation.pk]))
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    # Audited like every other workbook download.
    from departments.models import SecurityEvent

    export = SecurityEvent.objects.get(kind=SecurityEvent.Kind.EXPORT)
    assert export.user == world.leader and f"考评{evaluation.pk}" in export.detail
    ws = wb["考评结果"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4) if r[2].value]
    by_unit = {r[2]: r for r in rows if r[2] in ("教体局", "人社局", "妇联")}
    assert by_unit["人社局"][:4] == ["牵头单位组", 1, "人社局", 42.2]
    assert by_unit["人社局"][-4:] == [3.0, 0.0, 45.2, "较差"]
    assert by_unit["妇联"][0] == "仅配合单位组"
    notes = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert any("领导签字" in v for v in notes)
    adjustments = [[c.value for c in r] for r in wb["加减分明细"].iter_rows(min_row=4)]
    assert adjustments[0][:4] == ["人社局", "加分", 3.0, "市级表彰"]


def test_formula_like_reason_stays_text_in_the_workbook(client, world, women, evaluation):
    bonus(world, evaluation, world.hr, "1", reason='=HYPERLINK("x")')
    services.evaluation_submit(user=world.neutral_supervisor, evaluation=evaluation)
    services.evaluation_approve(user=world.leader, evaluation=evaluation)
    client.force_login(world.leader)
    response = client.get(reverse("supervision:evaluation_xlsx", args=[evaluation.pk]))
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cell = wb["加减分明细"]["D4"]
    assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"


@pytest.mark.render
def test_published_workbook_renders_on_a4_pages(world, women, evaluation, soffice, tmp_path):
    import subprocess

    from supervision.evaluation.workbook import evaluation_workbook
    from supervision.tests.test_excel_render import convert_to_pdf

    publish(world, evaluation)
    source = tmp_path / "evaluation.xlsx"
    result = evaluation_result(Evaluation.objects.get(pk=evaluation.pk), user=world.leader)
    evaluation_workbook(result, source)
    pdf_file = convert_to_pdf(soffice, source, tmp_path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_file), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "2023年度考评结果" in text and "领导签字" in text and "45.2" in text
    info = subprocess.run(["pdfinfo", str(pdf_file)], check=True, capture_output=True, text=True)
    assert "841.89 x 595.304 pts (A4)" in info.stdout  # A4 landscape
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf_file), "/tmp/huancui_evaluation_xlsx"],
        check=True,
        timeout=120,
    )


def test_each_step_sends_its_signal_inside_the_transaction(world, women, evaluation):
    from supervision import signals

    seen = []

    def receiver(signal, **kwargs):
        seen.append((signal, kwargs["evaluation"].status, kwargs["actor"].username))

    hooks = [signals.evaluation_submitted, signals.evaluation_returned]
    hooks.append(signals.evaluation_published)
    for hook in hooks:
        hook.connect(receiver, weak=False)
    try:
        sup, leader = world.neutral_supervisor, world.leader
        services.evaluation_submit(user=sup, evaluation=evaluation)
        services.evaluation_return(user=leader, evaluation=evaluation, comment="补充")
        services.evaluation_submit(user=sup, evaluation=evaluation)
        services.evaluation_approve(user=leader, evaluation=evaluation)
    finally:
        for hook in hooks:
            hook.disconnect(receiver)
    assert [(status, who) for _signal, status, who in seen] == [
        ("submitted", "supervisor"),
        ("draft", "leader"),
        ("submitted", "supervisor"),
        ("published", "leader"),
    ]


def test_admin_lists_evaluations_read_only(client, world, women, evaluation):
    client.force_login(world.admin)
    assert client.get(reverse("admin:supervision_evaluation_changelist")).status_code == 200
    url = reverse("admin:supervision_evaluation_change", args=[evaluation.pk])
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:supervision_evaluation_add")).status_code == 403


def test_default_as_of_for_a_finished_plan_and_a_year_in_progress(world):
    from supervision.evaluation.selectors import evaluation_as_of

    today = datetime.date(2026, 11, 30)
    # A finished year: the day after December's reports were due (5 January).
    assert evaluation_as_of(world.plan, 2023, today) == datetime.date(2024, 1, 6)
    # The year still running (a new plan viewed today): today.
    world.plan.start_year, world.plan.end_year = 2026, 2027
    world.plan.reporting_starts_on = datetime.date(2026, 1, 1)
    world.plan.save()
    assert evaluation_as_of(world.plan, 2026, today) == today


def test_a_returned_draft_can_withdraw_an_adjustment_which_stays_on_record(
    client, world, women, evaluation
):
    sup, leader = world.neutral_supervisor, world.leader
    wrong = bonus(world, evaluation, world.edu, "2", kind="deduction", reason="通报批评")
    bonus(world, evaluation, world.hr, "3")
    services.evaluation_submit(user=sup, evaluation=evaluation)
    with pytest.raises(services.EvaluationError, match="只有草稿状态"):
        services.adjustment_withdraw(user=sup, adjustment=wrong, reason="依据不足")
    services.evaluation_return(user=leader, evaluation=evaluation, comment="扣分依据不足")

    url = reverse("supervision:evaluation_adjustment_withdraw", args=[wrong.pk])
    for who in ("reporter", "head", "leader"):  # no right to manage evaluations
        client.force_login(getattr(world, who))
        assert client.post(url, {"reason": "依据不足"}).status_code == 403
    client.force_login(sup)
    page = client.get(reverse("supervision:evaluation_detail", args=[evaluation.pk]))
    assert url in page.content.decode()
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400 and "请填写撤销理由" in refused.content.decode()
    assert client.post(url, {"reason": "依据不足"}).status_code == 302
    wrong.refresh_from_db()
    assert wrong.withdrawn_by == sup and wrong.withdrawn_reason == "依据不足"
    assert client.post(url, {"reason": "再次"}).status_code == 400  # already withdrawn

    # 教体局 is back to its computed 42.8; the deduction's limit is free again.
    assert lines_of(evaluation, sup)["教体局"].final_score == D("42.8")
    bonus(world, evaluation, world.edu, "10", kind="deduction", reason="通报批评")
    event = evaluation.events.get(action="withdrawn")
    assert event.actor == sup and event.text == "教体局 扣分2.0分（通报批评）：依据不足"
    services.evaluation_submit(user=sup, evaluation=evaluation)
    services.evaluation_approve(user=leader, evaluation=evaluation)
    line = EvaluationLine.objects.get(evaluation=evaluation, department=world.edu)
    assert line.deduction == D("10.0") and line.final_score == D("32.8")
    # The withdrawn row and its file are kept: supervisors can still open the attachment.
    file_url = reverse("supervision:evaluation_file", args=[wrong.pk])
    assert client.get(file_url).status_code == 200
