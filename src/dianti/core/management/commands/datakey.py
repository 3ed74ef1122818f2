from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dianti.core import crypto


class Command(BaseCommand):
    help = "生成一个新的随机密钥，用作 DIANTI_DATA_KEY（个人信息加密）或 DIANTI_BACKUP_KEY（备份加密）。"
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(crypto.generate_key())
