from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dianti import bench
from dianti.bench import report


class Command(BaseCommand):
    help = "运行性能基准：dianti bench NAME [选项]；dianti bench list 列出全部。最后一行输出一个 JSON 对象。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--option", "-o", action="append", default=[], metavar="KEY=VALUE",
                            help="传给基准的参数，可重复，如 -o counties=100")
        parser.add_argument("--counties", type=int)
        parser.add_argument("--database")
        parser.add_argument("--data")
        parser.add_argument("--out", default="bench-results", help="dianti bench all 写结果表（JSON + Markdown）的目录")

    def handle(self, *args: Any, name: str, option: list[str], **options: Any) -> None:
        registry = bench.load_all()
        if name == "list":
            for key, (_fn, help_text) in sorted(registry.items()):
                self.stdout.write(f"{key:<12} {help_text}")
            return
        params: dict[str, Any] = {k: v for k, v in options.items() if k in ("counties", "database", "data") and v}
        for item in option:
            key, _, value = item.partition("=")
            params[key] = value
        names = sorted(registry) if name == "all" else [name]
        before = report.machine()
        results = {}
        for n in names:
            if n not in registry:
                raise CommandError(f"没有名为“{n}”的基准；可选：{', '.join(sorted(registry))}")
            self.stdout.write(f"== bench {n} ==")
            results[n] = registry[n][0](params)
            self.stdout.write(json.dumps(results[n], ensure_ascii=False))
        if len(names) > 1:
            json_path, md_path = report.write(results, before, Path(options["out"]))
            self.stdout.write(f"结果表：{md_path}（JSON：{json_path}）")
            self.stdout.write(json.dumps(results, ensure_ascii=False))
