"""Shared test personas and a small plan, used by every app's tests.

`build_world()` creates, in a handful of queries:
- a monthly plan (2023–2024) with two tasks;
- 教育局 (leads task 1, supports task 2), 人社局 (supports task 1, leads task 2),
  财政局 (on no task);
- the awkward case every persona meets: a second public plan (same years, issued earlier so
  the first plan stays the default) whose task 3 has two lead units (教育局 first, the
  principal lead; 人社局 second) and a supporting-only unit, 文旅局 (supports task 3 and
  nothing else). It lives in its own plan so the first plan's hand-computed figures stay
  small enough to check by hand;
- one user per role: reporter and head of 教育局, reporter of 人社局, reporter of 财政局,
  reporter of 文旅局, a supervisor (education bureau), a supervisor of no department, a
  leader, an administrator.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group

from departments.models import Department, Role, User
from tasks.models import Plan, Target, Task, TaskAssignment

PASSWORD = "Huancui-test-2023"  # noqa: S105 - test-only credential
# A working day in the middle of the test plan: January–June 2023 have ended, June is due
# on 2023年7月5日, so a June report is already late (the `frozen` fixture's moment).
FROZEN_AT = datetime.datetime(2023, 7, 10, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Shanghai


def make_user(username, role, department=None, **extra):
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        full_name=extra.pop("full_name", username),
        department=department,
        is_staff=role == Role.ADMINISTRATOR,
        **extra,
    )
    if role is not None:
        user.groups.add(Group.objects.get(name=role.label))
    return user


def assign(task, department, role, position=0):
    return TaskAssignment.objects.create(
        task=task, department=department, role=role, position=position
    )


@dataclass
class World:
    plan: Plan
    edu: Department
    hr: Department
    finance: Department
    task1: Task
    task2: Task
    task3: Task  # plan2: two lead units (edu principal, hr second) and culture supporting
    culture: Department  # supporting-only unit
    target1: Target
    reporter: User  # 教育局 reporter (lead on task 1)
    head: User  # 教育局 head
    hr_reporter: User  # 人社局 reporter (support on task 1, lead on task 2)
    other_reporter: User  # 财政局 reporter (no tasks)
    culture_reporter: User  # 文旅局 reporter (supports task 3 only)
    supervisor: User  # supervisor who belongs to 教育局
    neutral_supervisor: User  # supervisor with no department
    leader: User
    admin: User


def build_world(*, requires_head_signoff=False):
    plan = Plan.objects.create(
        title="测试实施方案",
        issuer="测试区人民政府",
        document_date=datetime.date(2023, 1, 10),
        start_year=2023,
        end_year=2024,
        is_public=True,
        requires_head_signoff=requires_head_signoff,
    )
    edu = Department.objects.create(name="区教育体育局", short_name="教体局", sort_order=1)
    hr = Department.objects.create(name="区人力资源社会保障局", short_name="人社局", sort_order=2)
    finance = Department.objects.create(name="区财政局", short_name="财政局", sort_order=3)
    task1 = Task.objects.create(
        plan=plan, number=1, content="加强实训设施建设，2024年达到国家办学标准。"
    )
    task2 = Task.objects.create(plan=plan, number=2, content="建立职业学校面向社会培训的体制机制。")
    assign(task1, edu, TaskAssignment.Role.LEAD)
    assign(task1, hr, TaskAssignment.Role.SUPPORT)
    assign(task2, hr, TaskAssignment.Role.LEAD)
    assign(task2, edu, TaskAssignment.Role.SUPPORT)
    culture = Department.objects.create(name="区文化和旅游局", short_name="文旅局", sort_order=4)
    plan2 = Plan.objects.create(
        title="测试产教融合方案",
        document_date=datetime.date(2022, 12, 20),
        start_year=2023,
        end_year=2024,
        is_public=True,
        requires_head_signoff=requires_head_signoff,
    )
    task3 = Task.objects.create(plan=plan2, number=3, content="深化产教融合，共建公共实训基地。")
    assign(task3, edu, TaskAssignment.Role.LEAD, position=0)
    assign(task3, hr, TaskAssignment.Role.LEAD, position=1)
    assign(task3, culture, TaskAssignment.Role.SUPPORT)
    target1 = Target.objects.create(
        task=task1,
        year=2024,
        indicator="专业教师“双师型”比例",
        target_value=Decimal("50"),
        unit="%",
        kind=Target.Kind.PERCENTAGE,
        source_sentence="到2024年，专业教师“双师型”达到50%。",
    )
    return World(
        plan=plan,
        edu=edu,
        hr=hr,
        finance=finance,
        task1=task1,
        task2=task2,
        task3=task3,
        culture=culture,
        target1=target1,
        reporter=make_user("edu_reporter", Role.REPORTER, edu, full_name="张填报"),
        head=make_user("edu_head", Role.HEAD, edu, full_name="李主任"),
        hr_reporter=make_user("hr_reporter", Role.REPORTER, hr, full_name="王填报"),
        other_reporter=make_user("fin_reporter", Role.REPORTER, finance, full_name="赵填报"),
        culture_reporter=make_user("culture_reporter", Role.REPORTER, culture, full_name="孙填报"),
        supervisor=make_user("edu_supervisor", Role.SUPERVISOR, edu, full_name="陈督查"),
        neutral_supervisor=make_user("supervisor", Role.SUPERVISOR, None, full_name="周督查"),
        leader=make_user("leader", Role.LEADER, None, full_name="刘区长"),
        admin=make_user("admin", Role.ADMINISTRATOR, None, full_name="管理员"),
    )
