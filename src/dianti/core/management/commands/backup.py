from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dianti.core.backup import BackupError, backup


class Command(BaseCommand):
    help = ("备份数据库（一致性快照）和全部上传文件到一个加密文件。密钥：DIANTI_BACKUP_KEY，未设置时由 DIANTI_DATA_KEY "
            "派生。用 `dianti restore 文件` 恢复。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="备份文件路径（不能已存在）")
        parser.add_argument("--media-root", type=Path, default=None, help="上传文件目录（默认 MEDIA_ROOT）")

    def handle(self, *args: Any, out: Path, media_root: Path | None, **options: Any) -> None:
        try:
            s = backup(out, media_root=media_root)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"已备份到 {out}：{s.engine} 数据库 {s.tables} 张表 {s.rows} 行，上传文件 {s.files} 个，"
            f"加密后 {s.bytes / 1024 / 1024:.1f} MB"))
