"""The table ``make bench`` leaves behind: every benchmark's figures beside their same-run baselines, and the
machine's load, as JSON and as Markdown under ``bench-results/`` (not committed).

Benchmarks report free-form JSON; the table picks out every figure that is a ratio against a baseline (a key named
``ratio…``, ``…_ratio``, ``speedup``, ``x_<baseline>`` or ``<a>_over_<baseline>``, anywhere in a result) with the
numbers beside it, so a new benchmark shows up without registering anything here.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _is_ratio(key: str) -> bool:
    """A figure against a same-run baseline: ``ratio…``/``…_ratio``, ``speedup``, ``x_<baseline>`` (times it),
    ``<a>_over_<baseline>``."""
    return (key.startswith(("ratio", "x_")) or key.endswith("_ratio") or key == "speedup" or "_over_" in key)


def rows(name: str, result: Any, path: str = "") -> list[dict[str, Any]]:
    """Return one row per ratio found in ``result``: where it is, its value, and the plain numbers beside it."""
    found: list[dict[str, Any]] = []
    if isinstance(result, dict):
        beside = {k: v for k, v in result.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
                  and not _is_ratio(k)}
        for key, value in result.items():
            where = f"{path}.{key}" if path else key
            if _is_ratio(key) and isinstance(value, (int, float)):
                found.append({"bench": name, "figure": where, "ratio": value, "beside": beside})
            elif isinstance(value, (dict, list)):
                found.extend(rows(name, value, where))
    elif isinstance(result, list):
        for index, item in enumerate(result):
            found.extend(rows(name, item, f"{path}[{index}]"))
    return found


def git_commit() -> str:
    """The checkout's short commit, or "" outside a git checkout."""
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parent).stdout.strip()


def machine() -> dict[str, Any]:
    load = os.getloadavg()
    return {"cpus": os.cpu_count(), "loadavg": [round(x, 2) for x in load], "commit": git_commit(),
            "time": datetime.now(UTC).isoformat(timespec="seconds")}


def markdown(results: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> str:
    lines = [f"# Benchmarks at {after['commit']} ({after['time']})", "",
             f"{after['cpus']} CPUs; load average {before['loadavg']} at the start, {after['loadavg']} at the end. "
             "Each figure is a ratio against a baseline measured in the same run (see each benchmark's docstring).",
             "", "| benchmark | figure | ratio | beside it |", "|---|---|---|---|"]
    for name, result in results.items():
        found = rows(name, result)
        if not found:
            lines.append(f"| {name} | (no ratio; see JSON) | | |")
        for row in found:
            beside = ", ".join(f"{k} {v}" for k, v in list(row["beside"].items())[:6])
            lines.append(f"| {name} | {row['figure']} | {row['ratio']} | {beside} |")
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any], before: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write ``<time>-<commit>.json`` and ``.md`` (and ``latest.md``) under ``out_dir``; return the two paths."""
    after = machine()
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{time.strftime('%Y%m%d-%H%M%S')}-{after['commit'] or 'nogit'}"
    data = {"machine": {"start": before, "end": after}, "results": results}
    json_path = out_dir / f"{stem}.json"
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    md = markdown(results, before, after)
    md_path = out_dir / f"{stem}.md"
    md_path.write_text(md, encoding="utf-8")
    (out_dir / "latest.md").write_text(md, encoding="utf-8")
    return json_path, md_path
