"""``dianti mine INPUT.csv|xlsx --out OUT.json``: mine a spreadsheet of opinions into ranked topics offline."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dianti.voices.files import Columns, SheetError, read_labelled, read_opinions, result_json, result_xlsx
from dianti.voices.mining.classify import Classifier, KeywordClassifier, LearnedClassifier
from dianti.voices.mining.pipeline import MiningConfig, mine


class Command(BaseCommand):
    help = ("把一个意见表格（.csv 或 .xlsx）挖掘成按热度排序的热点问题。例：dianti mine 意见.csv --out 结果.json "
            "--title-col 留言主题 --text-col 留言详情 --user-col 留言用户；--train 已分类.csv --label-col 一级标签 可同时分类")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", help="意见表格：.csv（UTF-8/GBK/GB18030）或 .xlsx")
        parser.add_argument("--out", required=True, help="结果文件：.json，或配合 --format xlsx 输出 .xlsx")
        parser.add_argument("--format", choices=("json", "xlsx"), help="输出格式（默认按 --out 的扩展名）")
        parser.add_argument("--text-col", default="留言详情", help="意见内容所在列（默认：留言详情）")
        parser.add_argument("--title-col", help="标题列")
        parser.add_argument("--id-col", help="编号列（默认用行号）")
        parser.add_argument("--user-col", help="提出人列：同一人多次反映只算一人")
        parser.add_argument("--time-col", help="时间列")
        parser.add_argument("--likes-col", help="点赞数列")
        parser.add_argument("--dislikes-col", help="反对数列")
        parser.add_argument("--train", help="已分类的意见表格，用于训练分类器")
        parser.add_argument("--label-col", help="训练表格中的类别列（与 --train 一起用）")
        parser.add_argument("--keyword-rules", action="store_true", help="不训练，用内置关键词规则分类")
        parser.add_argument("--min-people", type=int, default=2, help="热点问题至少由几人提出（默认 2）")
        parser.add_argument("--workers", type=int, default=2, help="分词进程数（默认 2）")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        columns = Columns(text=options["text_col"], title=options["title_col"], id=options["id_col"],
                          user=options["user_col"], time=options["time_col"], likes=options["likes_col"],
                          dislikes=options["dislikes_col"])
        out = Path(options["out"])
        fmt = options["format"] or ("xlsx" if out.suffix.lower() == ".xlsx" else "json")
        if options["train"] and not options["label_col"]:
            raise CommandError("使用 --train 时必须用 --label-col 指明类别所在的列")
        try:
            opinions = read_opinions(Path(options["input"]), columns)
            classifier: Classifier | None = None
            train: tuple[list[tuple[str, str]], list[str]] | None = None
            if options["train"]:
                # fitted by mine, which segments the labelled rows in one pass with the opinions
                train = read_labelled(Path(options["train"]), text=columns.text, title=columns.title,
                                      label=options["label_col"])
                classifier = LearnedClassifier()
            elif options["keyword_rules"]:
                classifier = KeywordClassifier()
        except SheetError as exc:
            raise CommandError(str(exc)) from exc
        result = mine(opinions, config=MiningConfig(min_people=options["min_people"]), classifier=classifier,
                      train=train, workers=options["workers"])
        try:
            if fmt == "xlsx":
                out.write_bytes(result_xlsx(result, opinions))
            else:
                out.write_text(result_json(result), encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"无法写入结果文件 {out}：{exc.strerror}") from exc
        self.stdout.write(f"已挖掘 {len(opinions)} 条意见，得到 {len(result.topics)} 个热点问题，"
                          f"用时 {time.perf_counter() - started:.1f} 秒；结果已写入 {out}")
