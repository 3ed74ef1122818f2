from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dianti.core import daily


class Command(BaseCommand):
    help = ("运行每日例行处理（述职截止提醒、整改期限提醒/逾期/上报、个人信息到期清理）：今天已运行过则不再运行。"
            "网站进程（无 Celery 时）和 Celery beat 每天会自动运行；--force 立即再运行一次（各项处理本身不会重复提醒）。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="今天已运行过也再运行一次")

    def handle(self, *args: Any, force: bool, **options: Any) -> None:
        if force:
            results = daily.run_all()
        else:
            run = daily.run_due()
            if run is None:
                self.stdout.write("今天的例行处理已运行过（或正在运行），未重复运行；需要时加 --force")
                return
            results = run.results
        for name, result in results.items():
            self.stdout.write(f"{name}: {result}")
