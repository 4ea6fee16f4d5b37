"""Remove background jobs' result files older than N days (cron, daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jobs.files import purge_job_files


class Command(BaseCommand):
    help = "删除完成超过 N 天的后台任务结果文件（默认 JOBS_KEEP_DAYS），任务标记为已过期。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"保留天数（默认 JOBS_KEEP_DAYS={settings.JOBS_KEEP_DAYS}）",
        )

    def handle(self, *args, days=None, **options):
        if days is not None and days < 0:
            raise CommandError("保留天数不能为负数。")
        purged = purge_job_files(days=days)
        self.stdout.write(f"已删除 {purged} 个过期的后台任务结果文件。")
