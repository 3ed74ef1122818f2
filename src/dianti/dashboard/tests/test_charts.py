"""Server-side charts: a drawing lays bars in proportion, and both backends write it (SVG keeps the words as text)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from dianti.dashboard import charts

SVG = "{http://www.w3.org/2000/svg}"


def _rects(d: charts.Drawing) -> list[charts.Rect]:
    return [s for s in d.shapes if isinstance(s, charts.Rect)]


def test_bars_are_in_proportion_and_labelled() -> None:
    d = charts.bars([("好", 4), ("较好", 6), ("差", 3)], unit="张", title="测评票等次")
    widths = [r.w for r in _rects(d)]
    assert widths[1] > widths[0] > widths[2] > 0
    assert widths[0] / widths[1] == pytest.approx(4 / 6)
    words = [s.text for s in d.shapes if isinstance(s, charts.Text)]
    assert words[0] == "测评票等次" and {"好", "较好", "差", "6张"} <= set(words)


def test_a_funnel_draws_each_stage_over_the_one_before() -> None:
    d = charts.funnel([("通元镇", [14, 14, 9]), ("澉浦镇", [10, 0, 0])], ["点名书记", "已点题", "已述职"])
    bars = [r for r in _rects(d) if r.y > 20]
    assert [round(r.w) for r in bars[:3]] == sorted((round(r.w) for r in bars[:3]), reverse=True)
    assert len(bars) == 4  # the zero stages draw nothing
    assert "14/9" in [s.text for s in d.shapes if isinstance(s, charts.Text)]


def test_long_labels_are_cut_to_fit() -> None:
    d = charts.bars([("中共海盐县某某镇某某村股份经济合作社党支部", 1)], label_room=60)
    label = next(s for s in d.shapes if isinstance(s, charts.Text))
    assert label.text.endswith("…") and len(label.text) < 10


def test_svg_is_well_formed_and_keeps_the_words() -> None:
    d = charts.columns([("2019", 22), ("2020", 47)], title="覆盖基层党组织 & 其他 <>")
    root = ET.fromstring(charts.svg(d))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "2020" in texts and "47" in texts and "覆盖基层党组织 & 其他 <>" in texts
    assert len(list(root.iter(f"{SVG}rect"))) == 2


def test_png_draws_the_same_drawing() -> None:
    if charts.cjk_font() is None:
        pytest.skip("no CJK font installed (fonts-noto-cjk)")
    from PIL import Image

    content = charts.png(charts.bars([("好", 4)]), scale=2)
    assert content is not None
    image = Image.open(__import__("io").BytesIO(content))
    assert image.size == (880, round(charts.bars([("好", 4)]).height * 2))
