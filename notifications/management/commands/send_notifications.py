"""Deliver pending mails and group-bot posts from the outbox (cron, every few minutes).

    */5 * * * *  cd /srv/huancui_vet && .venv/bin/python manage.py send_notifications

Safe on several hosts at once; a failed delivery is retried with backoff and marked failed
after NOTIFY_MAX_ATTEMPTS tries (后台管理 → 消息发送记录).
"""

from django.core.management.base import BaseCommand

from notifications.outbox import send_pending


class Command(BaseCommand):
    help = "发送待发的邮件和群机器人消息；失败的按退避间隔重试。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=50, help="每批领取的条数")

    def handle(self, *args, **options):
        sent, failed = send_pending(batch_size=options["batch_size"])
        self.stdout.write(f"已发送 {sent} 条，失败 {failed} 条（失败的将按间隔重试）。")
