from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "启动网站：默认用 gunicorn（多进程），--dev 用 Django 开发服务器（代码修改自动重载）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("DIANTI_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("DIANTI_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("DIANTI_THREADS", "4")))
        parser.add_argument("--dev", action="store_true")

    def handle(self, *args: Any, bind: str, workers: int, threads: int, dev: bool, **options: Any) -> None:
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"点题述职 已启动：http://{bind}/  （Ctrl+C 停止）"))
        sys.stdout.flush()
        if dev:
            call_command("runserver", bind)
            return
        argv = [sys.executable, "-m", "gunicorn", "dianti.wsgi:application", "--bind", bind,
                "--workers", str(workers), "--threads", str(threads), "--access-logfile", "-",
                "--logger-class", "dianti.core.access_log.AccessLogger", "--timeout", "120"]
        os.execv(sys.executable, argv)
