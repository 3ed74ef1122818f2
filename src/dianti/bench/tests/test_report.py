"""`make bench` leaves one table: every ratio any benchmark reports, beside its numbers and the machine's load."""

from __future__ import annotations

import json

from dianti.bench import report


def test_rows_find_every_ratio_wherever_a_benchmark_puts_it():
    result = {"ratio": 0.71, "sheet_ms": 3.1, "bare_ms": 2.2, "hall": {"p99_ms": 80, "ratio_p99": 1.4},
              "sizes": [{"n": 10, "speedup_ratio": 9.5}], "label": "x", "ok": True,
              "engine": {"speedup": 38.6, "x_healthz": 12.0, "demo_over_baseline": 21.2, "xml_rows": 3}}
    found = report.rows("ballots", result)
    assert [(r["figure"], r["ratio"]) for r in found] == [
        ("ratio", 0.71), ("hall.ratio_p99", 1.4), ("sizes[0].speedup_ratio", 9.5), ("engine.speedup", 38.6),
        ("engine.x_healthz", 12.0), ("engine.demo_over_baseline", 21.2)]
    assert found[0]["beside"] == {"sheet_ms": 3.1, "bare_ms": 2.2}  # numbers only, not flags or labels
    assert found[1]["beside"] == {"p99_ms": 80}


def test_write_leaves_json_and_markdown_with_the_load(tmp_path):
    before = report.machine()
    json_path, md_path = report.write({"mine": {"ratio": 1.2, "mine_s": 6.0, "baseline_s": 5.0}, "tree": {}},
                                      before, tmp_path)
    data = json.loads(json_path.read_text())
    assert data["results"]["mine"]["ratio"] == 1.2 and "loadavg" in data["machine"]["start"]
    table = md_path.read_text()
    assert "| mine | ratio | 1.2 | mine_s 6.0, baseline_s 5.0 |" in table
    assert "| tree | (no ratio; see JSON) | | |" in table
    assert (tmp_path / "latest.md").read_text() == table
