from __future__ import annotations

from dianti.bench import load_all


def test_bench_is_registered() -> None:
    assert "recompute" in load_all()
