"""The classification benchmark: the same folds for every model, figures per fold, and a clean skip without data."""

from __future__ import annotations

from pathlib import Path

from dianti.bench import classify

LAMPS = ["路灯坏了", "路灯不亮", "晚上路灯黑", "路灯损坏", "灯不亮了", "路灯年久失修"]
SCHOOLS = ["学校招生", "小学入学", "学生作业多", "老师补课", "学位紧张", "幼儿园收费"]


def test_without_the_data_it_says_so_instead_of_failing(tmp_path: Path) -> None:
    assert "skipped" in classify.bench_classify({"data": str(tmp_path)})


def test_cross_validation_reports_each_model_on_the_same_folds() -> None:
    items = [(t, t) for t in LAMPS + SCHOOLS]
    labels = ["城乡建设"] * len(LAMPS) + ["教育文体"] * len(SCHOOLS)
    report = classify.cross_validate(items, labels, {"baseline": classify.baseline,
                                                     "rules": classify.keyword_rules}, folds=3)
    assert set(report) == {"baseline", "rules"}
    for figures in report.values():
        assert len(figures["fold_macro_f1"]) == 3 and 0 <= figures["macro_f1_mean"] <= 1
        assert figures["macro_f1_sd"] >= 0 and figures["cpu_seconds"] >= 0
