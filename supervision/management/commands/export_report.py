"""Write the leadership workbook to a file (the same file the dashboard's 导出Excel gives)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from departments.models import Department
from supervision.workbook import collect_workbook_data, workbook_export, workbook_filename
from tasks.models import Plan
from tasks.periods import default_as_of


def find_plan(value):
    """A plan by id, full title or short title; CommandError (in Chinese) otherwise."""
    if value is None:
        plans = list(Plan.objects.all()[:2])
        if len(plans) == 1:
            return plans[0]
        raise CommandError("请用 --plan 指定方案（编号或名称）。")
    query = Plan.objects.filter(pk=int(value)) if value.isdigit() else Plan.objects.none()
    plan = query.first() or Plan.objects.filter(title=value).first()
    plan = plan or Plan.objects.filter(short_title=value).first()
    if plan is None:
        raise CommandError(f"找不到方案“{value}”。")
    return plan


def parse_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期“{value}”格式应为 YYYY-MM-DD。") from None


class Command(BaseCommand):
    help = "导出方案推进情况 Excel 工作簿（与督查看板“导出Excel”相同）。"

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="方案编号或名称（只有一个方案时可省略）")
        parser.add_argument(
            "--as-of", help="统计截至日期 YYYY-MM-DD，默认同看板（今天，限定在方案填报期内）"
        )
        parser.add_argument("--year", type=int, help="统计年度，默认为截至日期所在年度")
        parser.add_argument("--department", help="只导出该单位（单位全称）")
        parser.add_argument(
            "--period",
            choices=["month", "quarter", "year", "plan"],
            default="plan",
            help="部门评分周期（同评分页），默认 plan（方案全周期）",
        )
        parser.add_argument("--period-start", help="评分期间内任一天 YYYY-MM-DD，默认截至日期")
        parser.add_argument("--details", action="store_true", help="附“填报明细”工作表")
        parser.add_argument("--output", help="输出文件，默认为中文文件名写到当前目录")

    def handle(self, *args, **options):
        plan = find_plan(options["plan"])
        as_of = parse_date(options["as_of"]) if options["as_of"] else default_as_of(plan)
        year = options["year"] or as_of.year
        department = None
        if options["department"]:
            department = Department.objects.filter(name=options["department"]).first()
            if department is None:
                raise CommandError(f"找不到单位“{options['department']}”。")
        output = options["output"] or workbook_filename(plan, as_of, department)
        data = collect_workbook_data(
            plan=plan,
            year=year,
            as_of=as_of,
            user=None,
            department=department,
            score_period=options["period"],
            score_period_start=parse_date(options["period_start"])
            if options["period_start"]
            else None,
        )
        rows = workbook_export(
            data, output, include_details=options["details"], channel="命令行 export_report"
        )
        detail = f"，填报明细 {rows} 条" if options["details"] else ""
        self.stdout.write(f"已导出 {output}（统计截至 {as_of:%Y-%m-%d}{detail}）。")
