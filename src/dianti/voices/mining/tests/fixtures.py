"""Small opinion sets written for the tests (never the shared data)."""

from __future__ import annotations

from datetime import datetime, timedelta

from dianti.voices.mining.pipeline import Opinion

T0 = datetime(2025, 3, 1, 9, 0)


def op(i: int, title: str, text: str = "", user: str | None = None, **kw: object) -> Opinion:
    return Opinion(id=f"o{i}", title=title, text=text, user=user if user is not None else f"u{i}",
                   time=T0 + timedelta(hours=i), **kw)  # type: ignore[arg-type]


def village_opinions() -> list[Opinion]:
    """Three concerns in 通元镇: 雪水港村's broken street lights (4 people), 雪水港村's rubbish (2 people),
    丰义村's broken street lights (2 people), and some one-off opinions."""
    return [
        op(1, "雪水港村5组路灯坏了没人修", "雪水港村5组的路灯坏了一个多月，晚上出门一片漆黑，老人走夜路很危险。"),
        op(2, "雪水港村路灯不亮", "我住在雪水港村，村里路灯晚上不亮，孩子放学回家很不安全，请尽快修理路灯。"),
        op(3, "反映雪水港村路灯长期不亮的问题", "雪水港村路灯不亮好久了，晚上一片漆黑，希望村里尽快修好路灯。"),
        op(4, "雪水港村的路灯什么时候修", "雪水港村路灯坏了，晚上走路摔了一跤，路灯到底什么时候修？"),
        op(5, "雪水港村垃圾清运不及时", "雪水港村的垃圾好几天没人来收，垃圾桶满了，夏天气味难闻苍蝇很多。"),
        op(6, "雪水港村垃圾堆积发臭", "雪水港村村口垃圾堆积，清运不及时，臭气熏天，苍蝇很多。"),
        op(7, "丰义村路灯不亮", "丰义村路灯不亮，晚上出行不便，请尽快修理路灯。"),
        op(8, "丰义村路灯坏了没人修", "丰义村的路灯坏了很久，晚上路上一片漆黑，希望尽快修好。"),
        op(9, "建议增加文化礼堂活动", "希望文化礼堂多组织一些老年人喜欢的活动，比如戏曲表演。"),
        op(10, "网格员服务很好", "感谢网格员上门帮忙办理医保，服务很热心。"),
        op(11, "希望开通到县城的公交", "村里到县城没有直达公交，老人看病很不方便。"),
    ]
