import datetime

from django.core.management.base import BaseCommand, CommandError

from tasks.amendments import plan_amend
from tasks.attachments import ACCEPTED_TEXT
from tasks.models import Plan
from tasks.plan_import import (
    PlanImportError,
    create_unlike_units,
    plan_import_apply,
    plan_import_preview,
)
from tasks.units import UnitDirectory, compact


def _unit_map(pairs):
    """{written name: Department or None} from --map 简称=单位 and --create-departments."""
    directory = UnitDirectory.load()
    unit_map = {}
    for pair in pairs:
        name, sep, target = pair.partition("=")
        dept = directory.get(target)
        if not sep or dept is None:
            raise CommandError(f"--map {pair}：应写成“附件中的写法=现有单位名称”，且单位须已存在。")
        unit_map[compact(name)] = dept
    return unit_map


class Command(BaseCommand):
    help = (
        f"从方案附件导入一个新方案，或用 --amend 把修订后的附件作为方案调整应用到现有方案。"
        f"可导入：{ACCEPTED_TEXT}。任何一行有误则不写入任何数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="方案附件（任务清单）文件")
        parser.add_argument("--title", help="方案名称（默认取附件标题）")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="写法=单位",
            help="把附件中的单位写法对应到现有单位（记为别称），可重复",
        )
        parser.add_argument(
            "--new",
            action="append",
            default=[],
            metavar="写法",
            help="把附件中的该写法作为新单位创建，可重复",
        )
        parser.add_argument(
            "--create-departments",
            action="store_true",
            help="创建其余与现有单位都不相近的新单位"
            "（相近的须用 --map 或 --new 指明；默认列出并中止）",
        )
        parser.add_argument("--issuer", default="", help="发文机关")
        parser.add_argument(
            "--document-date", type=datetime.date.fromisoformat, help="印发日期 YYYY-MM-DD"
        )
        parser.add_argument("--start-year", type=int, help="起始年度（附件标题中没有年度时必填）")
        parser.add_argument("--end-year", type=int, help="截止年度（附件标题中没有年度时必填）")
        parser.add_argument("--amend", metavar="方案编号或名称", help="作为方案调整应用到该方案")
        parser.add_argument("--document-number", default="", help="调整文号（--amend 时必填）")
        parser.add_argument(
            "--effective-date", type=datetime.date.fromisoformat, help="生效日期（--amend 时必填）"
        )

    def handle(self, *args, **options):
        try:
            preview = plan_import_preview(file=options["file"])
            unit_map = _unit_map(options["map"])
            unit_map.update({compact(name): None for name in options["new"]})
            if options["create_departments"]:
                create_unlike_units(preview, unit_map)
            if options["amend"]:
                self._amend(preview, unit_map, options)
            else:
                self._import(preview, unit_map, options)
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{options['file']}") from exc
        except PlanImportError as exc:
            raise CommandError("导入失败，未写入任何数据：\n" + "\n".join(exc.errors)) from exc

    def _import(self, preview, unit_map, options):
        result = plan_import_apply(
            preview=preview,
            title=options["title"],
            unit_map=unit_map,
            issuer=options["issuer"],
            document_date=options["document_date"],
            start_year=options["start_year"],
            end_year=options["end_year"],
            channel="命令行 import_plan",
        )
        names = result.created_departments
        created = f"，新建单位 {len(names)} 个（{'、'.join(names)}）" if names else ""
        self.stdout.write(
            f"已导入《{result.plan.title}》（编号 {result.plan.pk}，{result.plan.start_year}—"
            f"{result.plan.end_year}年）：{result.task_count} 项任务、"
            f"{result.key_area_count} 个分组、{result.assignment_count} 条单位分工{created}。"
        )

    def _amend(self, preview, unit_map, options):
        key = options["amend"]
        plan = Plan.objects.filter(
            **({"pk": int(key)} if key.isdigit() else {"title": key})
        ).first()
        if plan is None:
            raise CommandError(f"找不到方案：{key}")
        amendment = plan_amend(
            plan=plan,
            preview=preview,
            unit_map=unit_map,
            document_number=options["document_number"],
            effective_date=options["effective_date"],
            channel="命令行 import_plan",
        )
        self.stdout.write(f"已调整《{plan.title}》（{amendment.document_number}）：")
        for line in amendment.changes:
            self.stdout.write(f"  {line}")
