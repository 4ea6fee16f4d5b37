"""Deterministic demo progress reports for a loaded plan, so the dashboard has something to show.

Idempotent: a (task, department, period) that already has a report is left alone, and the
random choices come from a fixed seed, so every run gives the same data. Reports are written
through the models (Report, TargetValue, ReportEvent) and `sync_report_summary`, in one
transaction.

Which periods: every period that has ended (a finished 2020–2023 plan gets data through
December 2023, so its default 统计截至 date — the day after the last due date — shows a
finished plan as it would look, not a wall of missing reports). Older periods are mostly
accepted on time; the last three mix accepted, submitted, returned, late and missing reports.
A dozen supervision orders in every stage (and two on-site checks) come with them
(`supervision.orders.demo`).
"""

import datetime
import random
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from departments.models import Role, User
from reports.models import ProgressStatus, Report, ReportEvent, ReportState, TargetValue
from reports.summary import sync_report_summary
from supervision.forms import default_plan
from supervision.orders.demo import demo_orders_create
from tasks.models import Plan, Target, Task, TaskAssignment
from tasks.periods import plan_periods

SEED = 20230630
SYSTEM_USERNAME = "demo_data"
RECENT_PERIODS = 3


def _at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _last_demo_period(periods, today):
    ended = [p for p in periods if p.end < today]
    return ended[-1] if ended else None


class Command(BaseCommand):
    help = "为已导入的实施方案生成确定的演示进展报告（可重复运行，不会重复生成）。"

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, help="方案ID（默认：第一个公开方案或唯一方案）")

    def handle(self, *args, plan=None, **options):
        plan = Plan.objects.filter(pk=plan).first() if plan else default_plan()
        if plan is None:
            raise CommandError("尚未导入实施方案，请先运行 python manage.py load_plan。")
        periods = plan_periods(plan)
        last = _last_demo_period(periods, timezone.localdate())
        if last is None:
            self.stdout.write(f"《{plan.display_title}》尚无已结束的填报期，未生成演示报告。")
            return
        periods = [p for p in periods if p.start <= last.start]
        with transaction.atomic():
            created = self._generate(plan, periods)
            _staff, reviewer, _system = self._users()
            # A fortnight past the last demo period, so the newest orders are still in time.
            last_day = periods[-1].end + datetime.timedelta(days=15)
            orders = demo_orders_create(plan=plan, actor=reviewer, last_day=last_day)
        total = Report.objects.filter(task__plan=plan).count()
        self.stdout.write(
            f"《{plan.display_title}》演示报告：新增{created}份，现有{total}份"
            f"（{periods[0].label}至{periods[-1].label}）；演示督办单新增{orders}件。"
        )

    def _users(self):
        system = User.objects.filter(username=SYSTEM_USERNAME).first()
        if system is None:
            system = User(username=SYSTEM_USERNAME, full_name="演示数据", is_active=False)
            system.set_unusable_password()
            system.save()
        staff: dict[int, User] = {}
        reviewer = None
        for user in User.objects.filter(is_active=True).prefetch_related("groups").order_by("pk"):
            if user.role in (Role.REPORTER, Role.HEAD) and user.department_id:
                staff.setdefault(user.department_id, user)
            elif user.role == Role.SUPERVISOR and reviewer is None:
                reviewer = user
        return staff, reviewer or system, system

    def _generate(self, plan, periods):
        pace_rng = random.Random(SEED)
        staff, reviewer, system = self._users()
        tasks = list(Task.objects.filter(plan=plan).with_units().order_by("number"))
        targets: dict[int, list[Target]] = {}
        for target in Target.objects.filter(task__plan=plan):
            targets.setdefault(target.task_id, []).append(target)
        existing = set(
            Report.objects.filter(task__plan=plan).values_list(
                "task_id", "department_id", "period_start"
            )
        )
        pace = {t.pk: pace_rng.choice([0.7, 0.85, 1.0, 1.0, 1.1, 1.2]) for t in tasks}
        all_periods = plan_periods(plan)
        created = 0
        for index, period in enumerate(periods):
            recent = index >= len(periods) - RECENT_PERIODS
            share = (all_periods.index(period) + 1) / len(all_periods)
            for task in tasks:
                for a in task.assignments.all():
                    if (task.pk, a.department_id, period.start) in existing:
                        continue
                    # One generator per cell: the same cell always gets the same report,
                    # whatever was created before (string seeds are stable across runs).
                    rng = random.Random(f"{SEED}/{task.number}/{a.department.name}/{period.start}")
                    roll = rng.random()
                    delay = rng.randint(-4, 3)
                    outcome = self._outcome(roll, recent)
                    if outcome == "missing":
                        continue
                    percent = min(100, round(100 * share * pace[task.pk]))
                    report = self._create(
                        task,
                        a,
                        period,
                        outcome,
                        delay,
                        percent,
                        pace[task.pk],
                        rng,
                        author=staff.get(a.department_id, system),
                        reviewer=reviewer,
                    )
                    if a.role == TaskAssignment.Role.LEAD and report.state == ReportState.ACCEPTED:
                        self._target_values(report, targets.get(task.pk, []), period, percent, rng)
                    sync_report_summary(report)
                    created += 1
        return created

    @staticmethod
    def _outcome(roll, recent):
        if not recent:
            return "accepted" if roll < 0.9 else "late" if roll < 0.985 else "missing"
        for limit, outcome in (
            (0.5, "accepted"),
            (0.65, "submitted"),
            (0.75, "returned"),
            (0.9, "late"),
            (0.95, "draft"),
        ):
            if roll < limit:
                return outcome
        return "missing"

    def _create(self, task, a, period, outcome, delay, percent, pace, rng, *, author, reviewer):
        lead = a.role == TaskAssignment.Role.LEAD
        if percent >= 100:
            status = ProgressStatus.DONE
        elif pace < 0.8:
            status = ProgressStatus.BEHIND
        elif pace < 0.9 and rng.random() < 0.3:
            status = ProgressStatus.BLOCKED
        else:
            status = ProgressStatus.ON_TRACK
        submitted = None
        if outcome != "draft":
            days = rng.randint(3, 20) if outcome == "late" else min(delay, 0)
            submitted = period.due + datetime.timedelta(days=days)
        state = {
            "accepted": ReportState.ACCEPTED,
            "late": ReportState.ACCEPTED,
            "submitted": ReportState.SUBMITTED,
            "returned": ReportState.RETURNED,
            "draft": ReportState.DRAFT,
        }[outcome]
        reviewed = submitted + datetime.timedelta(days=rng.randint(1, 4)) if submitted else None
        report = Report(
            task=task,
            department=a.department,
            period_start=period.start,
            role=a.role,
            state=state,
            progress_status=status if lead else "",
            percent=percent if lead else None,
            work_done=f"{period.label}：按计划推进“{task.content[:20]}”相关工作。",
            problems="" if status == ProgressStatus.ON_TRACK else "资金和场地协调仍需加快。",
            next_steps="继续推进，按期报送下期进展。",
            created_by=author,
            first_submitted_at=_at(submitted, 9) if submitted else None,
            submitted_at=_at(submitted, 9) if submitted else None,
            submitted_by=author if submitted else None,
            reviewed_by=reviewer if state in (ReportState.ACCEPTED, ReportState.RETURNED) else None,
            reviewed_at=_at(reviewed, 15)
            if state in (ReportState.ACCEPTED, ReportState.RETURNED)
            else None,
            review_comment="请补充量化数据和佐证材料。" if state == ReportState.RETURNED else "",
            times_returned=1 if state == ReportState.RETURNED else 0,
            version=1,
        )
        report.full_clean()
        report.save()
        start = _at(period.end, 9)
        events = [
            ReportEvent(report=report, action=ReportEvent.Action.CREATED, actor=author, at=start)
        ]
        if submitted:
            events.append(
                ReportEvent(
                    report=report,
                    action=ReportEvent.Action.SUBMITTED,
                    actor=author,
                    at=report.submitted_at or start,
                    snapshot={"work_done": report.work_done, "percent": report.percent},
                )
            )
        if state == ReportState.ACCEPTED:
            events.append(
                ReportEvent(
                    report=report,
                    action=ReportEvent.Action.ACCEPTED,
                    actor=reviewer,
                    at=report.reviewed_at or start,
                )
            )
        elif state == ReportState.RETURNED:
            events.append(
                ReportEvent(
                    report=report,
                    action=ReportEvent.Action.RETURNED,
                    actor=reviewer,
                    at=report.reviewed_at or start,
                    comment=report.review_comment,
                )
            )
        ReportEvent.objects.bulk_create(events)
        return report

    @staticmethod
    def _target_values(report, targets, period, percent, rng):
        for target in targets:
            if target.year != period.end.year or period.end.month not in (6, 12):
                continue
            if target.is_yes_no:
                value = Decimal(1 if percent >= 40 or rng.random() < 0.7 else 0)
            else:
                factor = Decimal(rng.choice(["0.9", "1.0", "1.05", "1.1", "1.2"]))
                # Counts are whole numbers (schools, bases); rates may have decimals.
                step = Decimal("1") if target.kind == Target.Kind.COUNT else Decimal("0.01")
                value = (target.target_value * factor).quantize(step)
            TargetValue.objects.create(report=report, target=target, actual_value=value)
