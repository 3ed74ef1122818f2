"""Synthetic opinions for benchmarks and demos, made by recombining templates (no real messages are copied).

:func:`synthetic_opinions` returns opinions with a known true topic each: a topic is one concrete place (a village,
estate, road or school whose name is built from syllables) and one problem (路灯不亮, 垃圾清运不及时 …). Topic sizes
follow a Zipf-like law, so a few issues are loud and most are quiet; about a fifth of the opinions are one-off
complaints; some people write more than once. Titles and bodies vary through synonyms, sentence frames and filler,
so near-duplicates are rare, as in real life.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from .pipeline import Opinion

_FIRST = "金丰雪长明新永华兴和安德福宏盛泰阳光春秋东西南北青翠云海望秦澉沈百通于武塘桥湾溪林山河"
_SECOND = "义水港墙山元塘湖岭桥湾林花园城庄浜泾埭圩荡坊里村苑亭港口堰坝"
_KINDS = ("村", "社区", "小区", "花园", "新村", "路", "中学", "小学", "幼儿园", "苑")
_TOWNS = ("武原街道", "西塘桥街道", "望海街道", "秦山街道", "沈荡镇", "百步镇", "于城镇", "澉浦镇", "通元镇")

# problem: (title phrases, detail sentences)
_PROBLEMS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("路灯不亮", "路灯坏了没人修", "晚上路灯全黑"), ("晚上出门一片漆黑", "老人孩子走夜路很危险", "路灯坏了一个多月")),
    (("垃圾清运不及时", "垃圾堆积发臭", "垃圾桶满了没人清"), ("垃圾好几天没人来收", "夏天气味难闻苍蝇很多", "垃圾堆在路边")),
    (("停车难", "车辆乱停乱放", "停车位严重不足"), ("晚上回来找不到车位", "消防通道被车堵住", "车子停到绿化带上")),
    (("广场舞噪音扰民", "晚上噪音太大", "音响声音太吵"), ("每天晚上音响开到很晚", "影响老人和学生休息", "跟他们说了也没用")),
    (("道路坑洼不平", "路面破损严重", "路面坑坑洼洼"), ("下雨天全是积水", "电动车经过容易摔倒", "修了几次又坏了")),
    (("自来水水压低", "经常停水", "自来水发黄"), ("高层用水困难", "停水也不提前通知", "水龙头放出来是黄的")),
    (("河道发黑发臭", "河道漂浮垃圾", "河水污染"), ("河里有死鱼", "岸边有人倒垃圾", "夏天臭味很重")),
    (("养殖场臭气扰民", "养猪场气味难闻", "鸡棚臭味大"), ("风一吹整个村都是臭味", "窗户都不敢开", "苍蝇蚊子特别多")),
    (("工厂夜间施工噪音", "工地晚上施工", "施工噪音扰民"), ("半夜还在打桩", "工地没有围挡扬尘大", "施工车辆进出很吵")),
    (("电动车充电难", "楼道电动车充电", "缺少充电桩"), ("很多人从楼上拉电线充电", "楼道里充电有火灾隐患", "希望多装几个充电桩")),
    (("老年食堂饭菜贵", "老年食堂开饭时间短", "助餐点太少"), ("老人吃饭要走很远", "菜价比外面还贵", "中午去了已经没菜了")),
    (("公交班次太少", "公交站点太远", "公交车不准点"), ("等一趟车要一个小时", "老人去医院不方便", "末班车太早")),
    (("孩子入学难", "学位不够", "学区划分不合理"), ("家门口的学校进不去", "每天接送要跑很远", "招生政策不清楚")),
    (("村务不公开", "村账目不透明", "集体资金去向不明"), ("村里的账从来不公布", "土地租金去哪了没人说", "希望公开财务")),
    (("宅基地审批慢", "建房审批难", "农房改造手续复杂"), ("申请了一年还没批下来", "跑了好几个部门", "不知道要准备什么材料")),
    (("违章搭建", "违建占用公共绿地", "私搭乱建"), ("有人在楼顶加盖", "绿地被围起来种菜", "举报了没人管")),
    (("电梯经常坏", "电梯困人", "老旧小区加装电梯"), ("电梯一个月坏好几次", "老人被困在电梯里", "爬楼太辛苦")),
    (("物业服务差", "物业乱收费", "物业不作为"), ("保洁一周才来一次", "收费标准不公开", "报修没人理")),
    (("医保报销难", "社区卫生院缺药", "看病排队久"), ("报销材料来回跑", "常用药经常没有", "早上六点去排队")),
    (("低保评定不公", "困难补助发放不透明", "救助申请没人管"), ("真正困难的没评上", "评议过程没人知道", "申请材料交了没回音")),
    (("文化礼堂利用率低", "文化礼堂长期锁门", "缺少活动场所"), ("礼堂平时不开门", "老人没地方活动", "孩子放假没地方去")),
    (("网格员联系不上", "网格员不上门", "网格服务不到位"), ("电话打了没人接", "有事找不到人", "一年没见过网格员")),
    (("桥梁年久失修", "危桥没有修", "桥栏杆破损"), ("桥上裂缝很大", "栏杆断了很危险", "重车还在过桥")),
    (("农田灌溉渠堵塞", "水渠年久失修", "灌溉用水困难"), ("水渠里都是淤泥", "地里浇不上水", "庄稼受影响")),
    (("油烟扰民", "饭店油烟直排", "烧烤摊油烟大"), ("楼下饭店油烟直接排到窗口", "衣服都不敢晒", "晚上烧烤到凌晨")),
)
_TITLE_FRAMES = ("{place}{problem}", "反映{place}{problem}的问题", "{town}{place}{problem}", "{place}{problem}，请尽快解决",
                 "关于{place}{problem}的建议", "{place}附近{problem}", "{problem}：{place}", "请关注{town}{place}{problem}")
_OPENINGS = ("您好！", "尊敬的领导：", "", "各位领导好，", "我是本地居民，", "")
_ASKS = ("希望有关部门尽快处理。", "请尽快解决，谢谢！", "盼回复。", "希望能重视这个问题。", "请领导关心一下。", "")


@dataclass(frozen=True)
class SyntheticSet:
    """Synthetic opinions and, for each, the key of its true topic (None for a one-off complaint)."""

    opinions: list[Opinion]
    truth: list[str | None]


def _place(rng: random.Random) -> tuple[str, str]:
    return rng.choice(_FIRST) + rng.choice(_SECOND) + rng.choice(_KINDS), rng.choice(_TOWNS)


def _opinion(rng: random.Random, index: int, place: str, town: str, problem: int, user: str,
             start: datetime) -> Opinion:
    titles, details = _PROBLEMS[problem]
    phrase = rng.choice(titles)
    title = rng.choice(_TITLE_FRAMES).format(place=place, town=town, problem=phrase)
    sentences = rng.sample(details, k=rng.randint(1, len(details)))
    body = (rng.choice(_OPENINGS) + f"我住在{town}{place}，" + "，".join(sentences) + "。" + rng.choice(_ASKS))
    return Opinion(id=f"s{index}", text=body, title=title, user=user,
                   time=start + timedelta(minutes=rng.randint(0, 365 * 24 * 60)),
                   likes=int(rng.paretovariate(1.5)) - 1, dislikes=0)


def synthetic_opinions(n: int, *, seed: int = 7, topic_share: float = 0.8) -> SyntheticSet:
    """Return ``n`` synthetic opinions; about ``topic_share`` of them belong to multi-opinion topics."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1)
    users = [f"u{i}" for i in range(max(10, n // 2))]
    opinions: list[Opinion] = []
    truth: list[str | None] = []
    in_topics = int(n * topic_share)
    # Zipf-like sizes: topic k gets about C / k opinions, at least 2.
    sizes: list[int] = []
    scale = max(2.0, in_topics / 60)  # the loudest issue holds about 1 % of all opinions, as in real message boards
    k = 1
    while sum(sizes) < in_topics:
        sizes.append(max(2, int(scale / k ** 0.8)))
        k += 1
    sizes[-1] -= sum(sizes) - in_topics
    used: set[tuple[str, int]] = set()
    for size in sizes:
        if size < 1:
            continue
        while True:
            (place, town), problem = _place(rng), rng.randrange(len(_PROBLEMS))
            if (place, problem) not in used:
                used.add((place, problem))
                break
        for _ in range(size):
            opinions.append(_opinion(rng, len(opinions), place, town, problem, rng.choice(users), start))
            truth.append(f"{place}|{problem}")
    while len(opinions) < n:
        (place, town), problem = _place(rng), rng.randrange(len(_PROBLEMS))
        opinions.append(_opinion(rng, len(opinions), place, town, problem, rng.choice(users), start))
        truth.append(None)
    order = list(range(n))
    rng.shuffle(order)
    return SyntheticSet([opinions[i] for i in order], [truth[i] for i in order])
