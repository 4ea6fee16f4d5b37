"""Email the leadership workbook to settings.REPORT_RECIPIENTS (run from cron).

Recommended crontab (daily; sends once a week, retries a failed mailing the next day):
    30 7 * * *  cd /app && python manage.py send_report --weekly
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from supervision.management.commands.export_report import find_plan, parse_date
from supervision.workbook.delivery import WEEKLY, report_delivery_send, weekly_as_of
from tasks.models import Plan
from tasks.periods import default_as_of


class Command(BaseCommand):
    help = "按周将方案推进情况工作簿发送给 REPORT_RECIPIENTS；失败的下次运行时重发。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--weekly", action="store_true", help="周报：统计截至上周日，每周只发送一次"
        )
        parser.add_argument("--plan", help="只发送该方案（编号或名称），默认所有有任务的方案")
        parser.add_argument(
            "--as-of", help="统计截至日期 YYYY-MM-DD（默认上周日，限定在方案填报期内）"
        )

    def handle(self, *args, **options):
        if not options["weekly"]:
            raise CommandError("请指定发送周期：--weekly。")
        recipients = [r for r in settings.REPORT_RECIPIENTS if r]
        if not recipients:
            raise CommandError("未配置收件人：请设置环境变量 REPORT_RECIPIENTS（逗号分隔）。")
        as_of = parse_date(options["as_of"]) if options["as_of"] else None
        last_sunday = weekly_as_of(timezone.localdate())
        if options["plan"]:
            plans = [find_plan(options["plan"])]
        else:
            plans = list(Plan.objects.filter(tasks__isnull=False).distinct().order_by("pk"))

        failed = 0
        for plan in plans:
            plan_as_of = as_of or default_as_of(plan, today=last_sunday)
            delivery, outcome = report_delivery_send(
                plan=plan, as_of=plan_as_of, recipients=recipients, schedule=WEEKLY
            )
            when = f"统计截至 {plan_as_of:%Y-%m-%d}"
            if outcome == "skipped":
                self.stdout.write(f"《{plan.title}》{when} 已于此前发送，跳过。")
            elif outcome == "sent":
                self.stdout.write(
                    self.style.SUCCESS(
                        f"《{plan.title}》{when} 已发送给 {len(recipients)} 位收件人。"
                    )
                )
            else:
                failed += 1
                attempt = f"第 {delivery.attempts} 次"
                self.stderr.write(
                    f"《{plan.title}》{when} 发送失败（{attempt}）：{delivery.last_error}"
                )
        if failed:
            raise CommandError(f"{failed} 份报表发送失败，已记录错误，下次运行时将重发。")
