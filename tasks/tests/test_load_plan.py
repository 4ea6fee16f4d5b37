"""The Huancui plan as loaded by `load_plan`, checked against our own reading of the seed."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from departments.models import Department
from tasks.models import DepartmentAlias, KeyArea, Plan, Target, Task, TaskAssignment

TITLE = "环翠区职业教育创新发展高地建设实施方案"
EDU, HR, NDRC, MIIT = "区教育体育局", "区人力资源社会保障局", "区发改局", "区工业和信息化局"
FIN, TAX, SASAC, COM = "区财政局", "区税务局", "区国有资产服务中心", "区商务局"
ORG = "区委组织部"

# (lead units in order, supporting units in order, lead note, support note), read from the
# attachment 环翠区建设职业教育创新发展高地任务清单.
EXPECTED_UNITS = {
    1: ([EDU], [NDRC, MIIT, HR], "", ""),
    2: ([EDU, HR], ["区农业农村局", "区退役军人局"], "", ""),
    3: ([NDRC, EDU], [FIN, "区自然资源局", "区地方金融监管局", TAX], "", "等"),
    4: ([EDU, HR], [NDRC, MIIT, FIN, SASAC], "", ""),
    5: ([EDU, HR], [], "", ""),
    6: ([EDU, HR], [MIIT, FIN, COM, SASAC], "", "等"),
    7: ([TAX], [], "", ""),
    8: ([EDU, HR], [NDRC, MIIT, FIN, COM], "", "等"),
    9: ([NDRC, EDU], [FIN, MIIT, HR], "", ""),
    10: ([EDU, HR], [MIIT], "", ""),
    11: ([EDU], [FIN], "", ""),
    12: ([EDU], [NDRC, MIIT, HR], "", ""),
    13: ([FIN, TAX], [], "", ""),
    14: ([ORG, HR], [], "", ""),
    15: ([ORG], ["区委统战部", "区人大", "区政协", "区总工会", "团区委", "区妇联"], "", ""),
    16: ([ORG, EDU], [HR], "", "及有关行业主管部门"),
}


@pytest.fixture
def plan(db):
    call_command("load_plan", stdout=StringIO())
    return Plan.objects.get(title=TITLE)


def test_plan_header_matches_the_notice(plan):
    assert plan.issuer == "威海市环翠区人民政府"
    assert plan.document_date == datetime.date(2020, 6, 15)
    assert (plan.start_year, plan.end_year) == (2020, 2023)
    assert plan.is_public
    assert plan.reporting_cycle == Plan.ReportingCycle.MONTHLY
    assert plan.first_period_start == datetime.date(2020, 7, 1)
    assert plan.due_days_after_period == 5
    assert "（此件公开发布）" in plan.source_text
    assert "区人力资源社会保障\n局" in plan.source_text


def test_sixteen_tasks_with_units_in_the_attachments_order(plan):
    tasks = list(plan.tasks.with_units().order_by("number"))
    assert [t.number for t in tasks] == list(range(1, 17))
    for task in tasks:
        lead, support, lead_note, support_note = EXPECTED_UNITS[task.number]
        assert [d.name for d in task.lead_departments] == lead, task.number
        assert [d.name for d in task.supporting_departments] == support, task.number
        assert (task.lead_note, task.support_note) == (lead_note, support_note), task.number


def test_task_text_is_the_attachments_verbatim(plan):
    contents = dict(plan.tasks.values_list("number", "content"))
    assert (
        contents[1] == "加强实训设施建设、专业规划、“双师型”教师队伍提升，2022年达到国家办学标准。"
    )
    # The table's wording, not the body's: "投资额的 30%比例" with its space.
    assert "可按投资额的 30%比例" in contents[3]
    assert contents[8] == "规模以上企业按职工总数的 2%设置职业院校学生实习岗位。"
    assert "公共实训基地,1所" in contents[9]
    for content in contents.values():
        assert content in plan.source_text


def test_nineteen_departments_with_kinds_and_the_tax_alias(plan):
    assert Department.objects.count() == 19
    kinds = dict(Department.objects.values_list("name", "kind"))
    assert kinds["区委组织部"] == kinds["区委统战部"] == Department.Kind.PARTY
    for name in ("团区委", "区总工会", "区妇联"):
        assert kinds[name] == Department.Kind.PEOPLES_ORG
    assert kinds["区人大"] == kinds["区政协"] == Department.Kind.OTHER
    assert kinds[EDU] == Department.Kind.GOVERNMENT
    assert Department.objects.get(name=EDU).short_name == "教体局"
    assert not Department.objects.filter(
        name__in=["税务局", "有关行业主管部门", "区人力资源社会保障"]
    )
    alias = DepartmentAlias.objects.get(alias="税务局")
    assert alias.department.name == TAX
    # Task 3 keeps the attachment's spelling for the export.
    a = TaskAssignment.objects.get(task__number=3, department__name=TAX)
    assert (a.written_as, a.unit_text) == ("税务局", "税务局")


def test_key_areas_are_the_bodys_sections(plan):
    areas = list(plan.key_areas.order_by("section", "number"))
    key_tasks = [a for a in areas if a.section == KeyArea.Section.KEY_TASK]
    safeguards = [a for a in areas if a.section == KeyArea.Section.SAFEGUARD]
    assert len(key_tasks) == 9
    assert len(safeguards) == 3  # the published text has （一）（二）（三） under 工作保障
    assert key_tasks[0].label == "（1）"  # printed that way in the notice
    assert key_tasks[4].title == "着眼长远发展，建设专业化“双师型”队伍"
    assert key_tasks[4].text.endswith("到2022年，专业教师“双师型”达到50%。")
    assert safeguards[2].title == "明确部门职责"
    task9 = plan.tasks.get(number=9)
    assert [a.label for a in task9.key_areas.all()] == ["（四）"]


def _targets(plan, number):
    return list(Target.objects.filter(task__plan=plan, task__number=number))


def test_dated_and_numeric_targets(plan):
    t1 = {t.indicator: t for t in _targets(plan, 1)}
    assert t1["达到国家办学标准"].year == 2022
    assert t1["达到国家办学标准"].kind == Target.Kind.MILESTONE
    dual = t1["专业教师“双师型”比例"]
    assert (dual.year, dual.target_value, dual.unit, dual.kind) == (
        2022,
        Decimal("50"),
        "%",
        Target.Kind.PERCENTAGE,
    )

    (credit,) = _targets(plan, 3)
    assert (credit.target_value, credit.unit, credit.kind) == (Decimal("30"), "%", "policy")
    assert "自2019年1月1日起" in credit.source_sentence

    yearly = _targets(plan, 5)
    assert [t.year for t in yearly] == [2020, 2021, 2022, 2023]
    assert {t.kind for t in yearly} == {Target.Kind.RECURRING}

    apprenticeship = [t for t in _targets(plan, 6) if t.kind == Target.Kind.COUNT]
    assert [(t.year, t.target_value, t.unit) for t in apprenticeship] == [(2023, 1, "个")]
    assert "市级示范性企业学徒基地" in apprenticeship[0].indicator

    (vat,) = _targets(plan, 7)
    assert vat.kind == Target.Kind.POLICY and "免征增值税" in vat.indicator

    (posts,) = _targets(plan, 8)
    assert (posts.target_value, posts.unit) == (Decimal("2"), "%")

    bases = _targets(plan, 9)
    assert [(t.year, t.target_value, t.unit) for t in bases] == [(2023, 1, "所"), (2023, 1, "所")]
    assert "公共实训基地" in bases[0].indicator and "产教融合实训基地" in bases[1].indicator

    (centres,) = _targets(plan, 12)
    assert (centres.year, centres.target_value, centres.unit) == (2023, 2, "个")

    assert {t.kind for t in _targets(plan, 13)} == {Target.Kind.POLICY}
    for target in Target.objects.all():
        assert target.source_sentence in plan.source_text
        assert 2020 <= target.year <= 2023


def test_deadlines_where_the_plan_states_them(plan):
    deadlines = dict(plan.tasks.exclude(deadline=None).values_list("number", "deadline"))
    assert deadlines == {
        1: datetime.date(2022, 12, 31),
        6: datetime.date(2023, 12, 31),
        9: datetime.date(2023, 12, 31),
        12: datetime.date(2023, 12, 31),
    }


def test_load_plan_twice_changes_nothing(plan):
    counts = [m.objects.count() for m in (Department, Task, TaskAssignment, Target, KeyArea)]
    history = Task.history.count() + Target.history.count()
    ids = sorted(TaskAssignment.objects.values_list("pk", flat=True))
    out = StringIO()
    call_command("load_plan", stdout=out)
    assert [
        m.objects.count() for m in (Department, Task, TaskAssignment, Target, KeyArea)
    ] == counts
    assert Task.history.count() + Target.history.count() == history
    assert sorted(TaskAssignment.objects.values_list("pk", flat=True)) == ids
    assert out.getvalue().strip() == (
        f"已载入《{TITLE}》：19 个单位、12 个重点领域、16 项任务、16 个目标（无变化）。"
    )


def test_load_plan_repairs_an_edited_task(plan):
    task = plan.tasks.get(number=3)
    task.content = "改过的内容"
    task.save()
    task.assignments.filter(department__name=TAX).delete()
    call_command("load_plan", stdout=StringIO())
    task = Task.objects.with_units().get(pk=task.pk)
    assert task.content.startswith("落实《威海市产教融合型企业认定办法》")
    assert task.supporting_units_text == "区财政局、区自然资源局、区地方金融监管局、区税务局等"
