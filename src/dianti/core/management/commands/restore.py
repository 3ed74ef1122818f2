from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dianti.core.backup import BackupError, restore
from dianti.core.backup import check as backup_check


class Command(BaseCommand):
    help = ("从 `dianti backup` 做的加密备份恢复数据库和上传文件。先完整解密校验，密钥不对或文件被改动时什么都不动；"
            "目标数据库须为空，覆盖已有数据须加 --replace；恢复后逐表核对行数和校验和。")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--database-url", default=None, help="恢复到另一个数据库（默认当前配置的数据库）")
        parser.add_argument("--media-root", type=Path, default=None, help="上传文件目录（默认 MEDIA_ROOT）")
        parser.add_argument("--replace", action="store_true", help="目标数据库已有数据时，用备份覆盖")
        parser.add_argument("--check", action="store_true", help="只解密并校验备份文件，不恢复")

    def handle(self, *args: Any, file: Path, database_url: str | None, media_root: Path | None, replace: bool,
               check: bool, **options: Any) -> None:
        if check:
            try:
                s = backup_check(file)
            except BackupError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(self.style.SUCCESS(
                f"备份完好：{s.engine} 数据库 {s.tables} 张表 {s.rows} 行，上传文件 {s.files} 个。" + "；".join(s.notes)))
            return
        try:
            s = restore(file, database_url=database_url, media_root=media_root, replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"已恢复：{s.engine} 数据库 {s.tables} 张表 {s.rows} 行（逐表核对一致），上传文件 {s.files} 个。"
            + "；".join(s.notes)))
