from django.core.management.base import BaseCommand, CommandError

from huancui_vet.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "从 backup 生成的 .tar.gz 恢复数据库和上传的佐证材料。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="backup 生成的备份文件")
        parser.add_argument(
            "--replace", action="store_true", help="数据库已有数据时仍然覆盖（谨慎使用）"
        )

    def handle(self, *args, archive, replace=False, **options):
        try:
            manifest = backup_restore(archive_path=archive, replace=replace)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        files = len(manifest["media"])
        self.stdout.write(
            f"已恢复：{archive}（{manifest['created_at']} 的备份，上传文件 {files} 个）"
        )
