from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dianti.appraisal.recompute import results_recompute
from dianti.orgs.models import Organization


class Command(BaseCommand):
    help = ("按库中选票重新计算某组织（省、市、县、镇）以下全部已结束投票述职会的评议结果（已公布的不变），"
            "与逐场计算结果相同，按表整批读写。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="组织代码，如 330000（全省）或 330424（海盐县）")
        parser.add_argument("--workers", type=int, default=None,
                            help="计分进程数（仅 PostgreSQL；默认 2 万个对象以上每核一个，1 为不另开进程）")

    def handle(self, *args: Any, org: str, workers: int | None, **options: Any) -> None:
        scope = Organization.objects.filter(code=org).first()
        if scope is None:
            raise CommandError(f"找不到组织代码 {org}")
        started = time.perf_counter()
        report = results_recompute(actor=None, scope=scope, workers=workers)
        self.stdout.write(f"{scope.name}：{report.meetings} 场述职会，{report.ballots} 张选票，"
                          f"重算 {report.computed} 个对象（已公布未动 {report.skipped_published} 个），"
                          f"处置建议 {report.proposals} 条，用时 {time.perf_counter() - started:.1f} 秒")
