from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from huancui_vet.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库和上传的佐证材料到一个 .tar.gz 文件（SQLite 在线备份或 pg_dump）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="备份文件路径（默认 backups/huancui-YYYYMMDD-HHMMSS.tar.gz）",
        )

    def handle(self, *args, output=None, **options):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        path = Path(output or f"backups/huancui-{stamp}.tar.gz")
        try:
            manifest = backup_create(output=path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"已备份：{path}（数据库 {manifest['engine']}，上传文件 {len(manifest['media'])} 个）"
        )
