"""Create today's due-soon / due-today / overdue reminders and the daily digests (cron, daily).

    0 8 * * *  cd /srv/huancui_vet && .venv/bin/python manage.py send_reminders

Idempotent: each notice is keyed by event + recipient + day, so a second run the same day
creates nothing. Delivery is left to `send_notifications`.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from notifications.reminders import run_reminders


class Command(BaseCommand):
    help = "生成今日的填报到期、逾期提醒和每日汇总（同一天重复运行不会重复提醒）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期生成 YYYY-MM-DD（默认今天）")
        parser.add_argument("--batch-size", type=int, default=100, help="每批处理的单位数")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = parse_date(options["date"])
            except ValueError:
                today = None
            if today is None:
                raise CommandError("日期格式应为 YYYY-MM-DD，例如 2023-07-05。")
        stats = run_reminders(today=today, batch_size=options["batch_size"])
        self.stdout.write(
            f"新建提醒 {stats.notices} 条（{stats.batches} 批），汇总邮件 {stats.digests} 封。"
        )
