from django.core.management.base import BaseCommand

from tasks.plan_fixture import DEFAULT_FIXTURE, plan_load_fixture


class Command(BaseCommand):
    help = "载入方案数据（默认 fixtures/huancui_plan.json）。可重复执行，不会产生重复数据。"

    def add_arguments(self, parser):
        parser.add_argument(
            "fixture", nargs="?", default=str(DEFAULT_FIXTURE), help="方案 JSON 文件"
        )

    def handle(self, *args, fixture, **options):
        s = plan_load_fixture(path=fixture)
        change = f"新建 {s.created} 条、更新 {s.updated} 条" if s.created or s.updated else "无变化"
        self.stdout.write(
            f"已载入《{s.plan.title}》：{s.departments} 个单位、{s.key_areas} 个重点领域、"
            f"{s.tasks} 项任务、{s.targets} 个目标（{change}）。"
        )
