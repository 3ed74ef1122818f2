from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dianti.core.demo import load_all


class Command(BaseCommand):
    help = "载入海盐县演示数据（可重复执行，已载入的部分不会重复）。--counties N 生成 N 个县用于规模测试。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--counties", type=int, default=1, help="县的数量（第一个为海盐县）")
        parser.add_argument("--everyone", action="store_true",
                            help="规模县的每个基层组织都参加述职（全省重算基准用），默认每镇 8–12 个村（社区）")
        parser.add_argument("--evaluators", type=int, default=0, help="规模县每场述职会的评议人数（默认 60）")
        parser.add_argument("--quiet-logins", action="store_true", help="不打印演示账号")

    def handle(self, *args: Any, counties: int, quiet_logins: bool, everyone: bool, evaluators: int,
               **options: Any) -> None:
        started = time.perf_counter()
        loaded = load_all(counties=max(1, counties), everyone=everyone, evaluators=max(0, evaluators))
        seconds = time.perf_counter() - started
        if loaded["created"]:
            self.stdout.write(self.style.SUCCESS(f"已载入 {len(loaded['created'])} 个县的演示数据，用时 {seconds:.1f} 秒"))
        else:
            self.stdout.write("演示数据已存在，未重复载入")
        for step, step_seconds in loaded.get("bulk_seconds", {}).items():
            self.stdout.write(f"  批量载入 {step}：{step_seconds} 秒")
        if not quiet_logins:
            self.stdout.write(f"\n演示账号（密码均为 {loaded['password']}）：")
            for username, role, org in loaded["users"]:
                self.stdout.write(f"  {username:<14} {role:<8} {org}")
