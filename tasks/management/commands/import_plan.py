import datetime

from django.core.management.base import BaseCommand, CommandError

from tasks.services import PlanImportError, plan_import_xlsx


class Command(BaseCommand):
    help = "从方案附件（任务清单 .xlsx）导入一个新方案。任何一行有误则不写入任何数据。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="任务清单 .xlsx 文件")
        parser.add_argument("--title", required=True, help="方案名称")
        parser.add_argument(
            "--create-departments",
            action="store_true",
            help="自动创建单位名录中没有的单位（默认列出这些单位并中止导入）",
        )
        parser.add_argument("--issuer", default="", help="发文机关")
        parser.add_argument(
            "--document-date", type=datetime.date.fromisoformat, help="印发日期 YYYY-MM-DD"
        )
        parser.add_argument("--start-year", type=int, help="起始年度")
        parser.add_argument("--end-year", type=int, help="截止年度")

    def handle(self, *args, **options):
        try:
            result = plan_import_xlsx(
                file=options["file"],
                title=options["title"],
                create_departments=options["create_departments"],
                issuer=options["issuer"],
                document_date=options["document_date"],
                start_year=options["start_year"],
                end_year=options["end_year"],
            )
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{options['file']}") from exc
        except PlanImportError as exc:
            raise CommandError("导入失败，未写入任何数据：\n" + "\n".join(exc.errors)) from exc
        names = result.created_departments
        created = f"，新建单位 {len(names)} 个（{'、'.join(names)}）" if names else ""
        self.stdout.write(
            f"已导入《{result.plan.title}》（编号 {result.plan.pk}）：{result.task_count} 项任务、"
            f"{result.assignment_count} 条单位分工{created}。"
        )
