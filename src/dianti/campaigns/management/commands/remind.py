from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dianti.campaigns.reminders import deadline_reminders
from dianti.core import retention


class Command(BaseCommand):
    help = "发送临近截止日期的提醒（每个阶段的截止日期只提醒一次）。每天由每日例行处理自动运行（见 dianti daily）。"

    def handle(self, *args: Any, **options: Any) -> None:
        n = deadline_reminders()
        self.stdout.write(f"已提醒 {n} 个述职活动")
        # Older cron setups run only this command daily; the retention rule rides along (`dianti daily` runs all).
        erased = retention.sweep()
        self.stdout.write(f"到期个人信息清理：{sum(erased.values())} 项")
