from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dianti.core import jobs


class Command(BaseCommand):
    help = "运行一个后台任务（导入、挖掘等）：由网站在单独的进程中启动，不占用处理网页请求的进程。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job_id", type=int)

    def handle(self, *args: Any, job_id: int, **options: Any) -> None:
        job = jobs.run(job_id)
        self.stdout.write(f"{job.pk} {job.status} {job.message}")
