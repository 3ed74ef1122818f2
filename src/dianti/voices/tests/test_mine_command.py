"""``dianti mine`` end to end on small spreadsheets written here (UTF-8, GBK, xlsx in and out, bad input)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

HEADER = ["编号", "用户", "标题", "内容", "时间", "点赞", "反对"]
ROWS = [
    ["1", "张三", "雪水港村路灯坏了没人修", "雪水港村的路灯坏了一个多月，晚上一片漆黑", "2025/3/1 9:00", "3", "0"],
    ["2", "李四", "雪水港村路灯不亮", "雪水港村路灯晚上不亮，孩子放学回家不安全", "2025/3/2 10:00", "1", "0"],
    ["3", "王五", "反映雪水港村路灯长期不亮", "雪水港村路灯不亮好久了，希望尽快修好路灯", "2025-03-03 08:30:00", "", ""],
    ["4", "赵六", "丰义村垃圾清运不及时", "丰义村垃圾好几天没人收，气味难闻", "2025/3/4", "0", "1"],
    ["5", "钱七", "丰义村垃圾堆积发臭", "丰义村村口垃圾堆积，清运不及时，苍蝇很多", "2025/3/5 12:00", "2", "0"],
    ["6", "孙八", "希望多组织文化活动", "文化礼堂平时不开门，老人没地方活动", "2025/3/6 12:00", "0", "0"],
]
ARGS = ["--id-col", "编号", "--user-col", "用户", "--title-col", "标题", "--text-col", "内容", "--time-col", "时间",
        "--likes-col", "点赞", "--dislikes-col", "反对", "--workers", "1"]


def _csv(path: Path, rows: list[list[str]], encoding: str, header: list[str] = HEADER) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _labelled(path: Path) -> Path:
    rows = [["a", "u", "路灯坏了", "晚上路灯不亮", "", "", "", "城乡建设"],
            ["b", "u", "路灯不亮", "村里路灯坏了很久", "", "", "", "城乡建设"],
            ["c", "u", "道路破损", "路面坑洼不平", "", "", "", "城乡建设"],
            ["d", "u", "垃圾没人收", "垃圾堆积发臭", "", "", "", "环境保护"],
            ["e", "u", "河道发臭", "河里漂着垃圾", "", "", "", "环境保护"],
            ["f", "u", "工厂排污", "化工厂偷排废水", "", "", "", "环境保护"]]
    return _csv(path, rows, "utf-8", [*HEADER, "类别"])


def test_mines_a_utf8_csv_to_json_with_classification(tmp_path: Path) -> None:
    source = _csv(tmp_path / "意见.csv", ROWS, "utf-8-sig")
    out = tmp_path / "结果.json"
    call_command("mine", str(source), "--out", str(out), *ARGS, "--train", str(_labelled(tmp_path / "l.csv")),
                 "--label-col", "类别", stdout=io.StringIO())
    data = json.loads(out.read_text(encoding="utf-8"))
    top = data["topics"][0]
    assert top["rank"] == 1 and top["people"] == 3 and sorted(top["members"]) == ["1", "2", "3"]
    assert top["time_range"][0].startswith("2025-03-01")
    assert {t["size"] for t in data["topics"]} == {3, 2}
    predictions = {p["id"]: p for p in data["predictions"]}
    assert predictions["1"]["category"] == "城乡建设"
    assert 0 <= predictions["4"]["confidence"] <= 1


def test_reads_gbk_csv(tmp_path: Path) -> None:
    source = _csv(tmp_path / "gbk.csv", ROWS, "gbk")
    out = tmp_path / "out.json"
    call_command("mine", str(source), "--out", str(out), *ARGS, stdout=io.StringIO())
    assert json.loads(out.read_text(encoding="utf-8"))["topics"][0]["people"] == 3


def test_xlsx_in_and_printable_xlsx_out(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append(HEADER)
    for row in ROWS:
        wb.active.append(row)
    source = tmp_path / "意见.xlsx"
    wb.save(source)
    out = tmp_path / "热点.xlsx"
    call_command("mine", str(source), "--out", str(out), "--format", "xlsx", *ARGS, "--keyword-rules",
                 stdout=io.StringIO())
    book = load_workbook(out)
    assert book.sheetnames == ["热点问题表", "明细表"]
    hot = list(book["热点问题表"].iter_rows(values_only=True))
    assert hot[0][:3] == ("排名", "问题编号", "热点问题")
    assert hot[1][5] == 3  # 反映人数 of the loudest topic
    detail = list(book["明细表"].iter_rows(values_only=True))
    assert len(detail) == 1 + 5 and detail[1][2] in ("1", "2", "3")


def test_missing_column_is_named_in_chinese(tmp_path: Path) -> None:
    source = _csv(tmp_path / "a.csv", ROWS, "utf-8")
    with pytest.raises(CommandError, match="缺少列：“留言内容”"):
        call_command("mine", str(source), "--out", str(tmp_path / "o.json"), "--text-col", "留言内容",
                     stdout=io.StringIO())


def test_bad_encoding_and_bad_values_are_refused(tmp_path: Path) -> None:
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes("编号,内容\n1,路灯不亮\n".encode("utf-16"))
    with pytest.raises(CommandError, match="编码"):
        call_command("mine", str(utf16), "--out", str(tmp_path / "o.json"), "--text-col", "内容",
                     stdout=io.StringIO())
    bad = [*ROWS[:2], ["3", "王五", "标题", "内容", "昨天下午", "1", "0"]]
    with pytest.raises(CommandError, match="第 4 行，列“时间”"):
        call_command("mine", str(_csv(tmp_path / "b.csv", bad, "utf-8")), "--out", str(tmp_path / "o.json"),
                     *ARGS, stdout=io.StringIO())
    with pytest.raises(CommandError, match="--label-col"):
        call_command("mine", str(_csv(tmp_path / "c.csv", ROWS, "utf-8")), "--out", str(tmp_path / "o.json"),
                     *ARGS, "--train", "x.csv", stdout=io.StringIO())
