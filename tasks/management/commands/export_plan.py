from django.core.management.base import BaseCommand, CommandError

from tasks.models import Plan
from tasks.plan_export import plan_export


class Command(BaseCommand):
    help = "把方案的任务清单导出为附件格式：.xlsx（工作表“任务清单”）或 .docx（Word 表格）。"

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="方案编号或方案名称")
        parser.add_argument("--output", required=True, help="输出文件路径（.xlsx 或 .docx）")

    def handle(self, *args, plan, output, **options):
        lookup = {"pk": int(plan)} if plan.isdigit() else {"title": plan}
        found = Plan.objects.filter(**lookup).first()
        if found is None:
            raise CommandError(f"找不到方案：{plan}")
        fmt = output.lower().rsplit(".", 1)[-1]
        if fmt not in ("xlsx", "docx"):
            raise CommandError("输出文件须以 .xlsx 或 .docx 结尾。")
        plan_export(plan=found, output=output, fmt=fmt, channel="命令行 export_plan")
        self.stdout.write(
            f"已导出《{found.title}》任务清单（{found.tasks.count()} 项）到 {output}。"
        )
