from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dianti.rectification.deadlines import deadline_sweep


class Command(BaseCommand):
    help = "整改期限：临近提醒、逾期标记、逐级上报（镇→县）。每条提醒和上报只发一次。每天由每日例行处理自动运行（见 dianti daily）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="按指定日期运行（YYYY-MM-DD），用于补跑")

    def handle(self, *args: Any, **options: Any) -> None:
        today = dt.date.fromisoformat(options["today"]) if options.get("today") else None
        n = deadline_sweep(today)
        self.stdout.write(f"整改：提醒 {n['reminded']} 条，新逾期 {n['overdue']} 项，上报 {n['escalated']} 次")
