"""Demo opinions worded as villagers word them: a small phrase grammar, not a list of sentences.

Each :class:`Concern` is a village worry said many ways: where it is (``{w}``: a spot of the village, worded
several ways), what is wrong (``problems``, the synonyms a good lexicon groups: 路灯不亮/灯坏了/晚上黑漆漆的), what
follows from it (``effects``) and what people ask for (``wishes``). :func:`wordings` joins them in a short, a
middling or a long shape, with an opener, a closing word and a dialect particle (嘞/咯/的呀) drawn from shared
lists, and never returns a text it has returned before for the same ``seen`` set — so one village's page never
repeats a sentence. Pure and seeded: the same ``random.Random`` gives the same opinions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Concern:
    """One worry of a village and its ways of being said; ``{w}`` in a problem is where, ``{v}`` the village."""

    title: str
    problems: tuple[str, ...]
    effects: tuple[str, ...]
    wishes: tuple[str, ...]
    placed: bool = True


def _t(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


CONCERNS: tuple[Concern, ...] = (
    Concern("路灯", _t("{w}路灯坏了好几盏|{w}的路灯晚上不亮|{w}晚上黑漆漆的，一盏灯都没有|{w}有几盏灯老早就坏了|"
                     "{w}路灯时亮时不亮|{w}路灯损坏了没人来修|{w}的灯不亮了"),
            _t("老人走夜路容易跌跤|小孩晚上放学回来怕得要命|电瓶车骑过去路都看不清|晚上出门要打手电筒|"
               "前几天有人在那里摔了一跤"),
            _t("希望尽快修一修|麻烦村里派人来看看|能不能早点修好|盼着早点亮起来|换几盏新的灯")),
    Concern("垃圾清运", _t("{w}的垃圾桶天天满出来|{w}垃圾好几天没人来清|{w}垃圾堆在路边没人管|"
                       "{w}垃圾清运车很少来|{w}分类桶边上臭得要命|{w}垃圾没人拉走"),
            _t("夏天苍蝇蚊子多|味道大得窗都不敢开|狗一扒弄得满地都是|路过都要捂鼻子"),
            _t("希望多来清运几趟|垃圾车能不能天天来|麻烦村里管一管|希望把这块弄弄干净")),
    Concern("老年食堂", _t("{v}老年食堂只管中饭|老年食堂的菜太硬，老人嚼不动|老年食堂饭菜价钿有点贵|"
                       "{w}离老年食堂太远了|老年食堂晚饭不开|老年食堂菜式老是那几样"),
            _t("好多老人舍不得去吃|腿脚不便的老人跑不过去|老人晚上只好吃剩饭|去吃的人越来越少"),
            _t("希望再办得用心点|多听听老人的意见|麻烦村里去看看|希望改进改进"),
            placed=False),
    Concern("道路破损", _t("{w}路面坑坑洼洼的|{w}的村道破得不成样子|{w}一下雨就积水|{w}路烂了老早也没修|"
                       "{w}路太窄，两辆车都让不开|{w}的路被大货车压坏了"),
            _t("电瓶车经常摔|雨天鞋子全湿掉|晚上骑车蛮危险的|老人走路要绕着走"),
            _t("希望尽快修一修|麻烦村里来看看|盼着早点把路弄好|能不能整修一下")),
    Concern("河道水质", _t("{w}的河水发黑发臭|{w}河里漂满垃圾|{w}河面全是水葫芦|{w}有人偷偷往河里排污水|"
                       "{w}河道好久没人打捞了|{w}的河浜臭烘烘的"),
            _t("夏天蚊子特别多|以前还能洗衣服现在不行了|鱼都死了好几回|边上住的人窗都不敢开"),
            _t("希望好好治一治|麻烦派人来看看|保洁员能不能常来|希望早点把河弄干净")),
    Concern("集体经济", _t("{v}集体经济收入太低|村里的闲置厂房一直空着|村里没什么像样的产业|"
                       "年轻人都出去打工了，村里没项目|{v}集体收入年年差不多"),
            _t("中年人在家门口找不到活|村里办事都没钱|老百姓增收没门路"),
            _t("希望引进点项目|多想想增收的门路|发展点特色产业|村里要想想办法"), placed=False),
    Concern("闲置农房", _t("{w}闲置农房蛮多的|{w}好多老房子空着没人住|{w}空置的房子一年比一年破|"
                       "{w}老屋没人住，墙都开裂了|{w}的空房子放着浪费"),
            _t("下大雨怕要塌|杂草长得比人高|晚上黑乎乎的有点吓人"),
            _t("希望村里想办法盘活|能不能改成民宿|统一租出去搞点收入|该修的修该拆的拆")),
    Concern("村务公开", _t("村务公开栏写得太专业，看不懂|{v}的公开栏好久没更新了|村里账目大家不晓得|"
                       "村务公开的东西字太小|在外打工的人看不到村里的账"),
            _t("老百姓想知道集体的钱用在哪|问了几次也没人讲清楚|大家心里没底"),
            _t("希望公开得清楚点|账目能不能发到微信群里|开个会讲讲清楚|让大家都看得明白"), placed=False),
    Concern("文化礼堂", _t("{v}文化礼堂平时大门紧锁|文化礼堂一年到头不开门|礼堂建好了没怎么用过|"
                       "文化礼堂活动太少了|礼堂门口挂着锁，进不去|文化礼堂只有检查的时候才开"),
            _t("老人没地方坐坐聊天|小孩放假没地方去|跳舞的阿姨只好在路边跳"),
            _t("希望常态化开放|多组织点老年人的活动|办些培训和文艺演出|白天能不能一直开着"), placed=False),
    Concern("公交出行", _t("到镇上的公交车班次太少|{w}公交站台没有雨棚|去县城要转好几趟车|"
                       "{w}等公交要等一个钟头|末班车老早就没了"),
            _t("老人去看病很不方便|下雨天等车淋得透湿|小孩上学接送难"),
            _t("希望想想办法|多开几班车|公交能不能方便点|麻烦跟公交公司说说")),
    Concern("出租房安全", _t("{w}出租房里电瓶车在楼道充电|{w}出租房私拉电线蛮严重|{w}出租房住得太挤|"
                        "{w}租房子的人晚上吵得很|{w}出租屋消防通道堵牢了"),
            _t("万一着火不得了|邻居都睡不好觉|老早就有人反映过"),
            _t("希望加强检查|房东要管管|规范一下出租房管理|装个集中充电的地方")),
)

_WHERE = ("{p}", "{v}{p}", "{p}那边", "{p}一带", "我们{p}", "{p}附近", "{p}这块")
_OPENERS = ("", "", "", "说个事，", "反映个情况，", "老早就想说了，", "村里领导好，", "我是{v}的，", "提个意见，")
_PARTICLES = ("", "", "", "嘞", "咯", "的呀", "啊")
_CLOSERS = ("", "", "", "谢谢！", "辛苦了。", "晓得大家忙，这个事情蛮要紧的。", "拜托了。", "大家都盼着嘞。")
_SHAPES = ("short", "middle", "middle", "long")


def _where(concern: Concern, village: str, spots: list[str], rng: random.Random) -> str:
    if not concern.placed:
        return ""
    return rng.choice(_WHERE).format(p=rng.choice(spots), v=village)


def _one(concern: Concern, village: str, spots: list[str], rng: random.Random) -> str:
    problem = rng.choice(concern.problems).format(w=_where(concern, village, spots, rng), v=village)
    shape = rng.choice(_SHAPES)
    if shape == "short":
        return f"{problem}{rng.choice(_PARTICLES)}"
    wish = rng.choice(concern.wishes)
    opener = rng.choice(_OPENERS).format(v=village)
    if shape == "middle":
        return f"{opener}{problem}，{wish}{rng.choice(_PARTICLES)}。"
    effect = rng.choice(concern.effects)
    return f"{opener}{problem}，{effect}，{wish}{rng.choice(_PARTICLES)}。{rng.choice(_CLOSERS)}".strip()


def wording(concern: Concern, village: str, spots: list[str], rng: random.Random, seen: set[str]) -> str:
    """Return a wording of ``concern`` in ``village`` that is not in ``seen``, and add it there.

    Drawn afresh up to 50 times; the grammar has thousands of sentences per concern, so a clash that long means a
    tiny grammar, and the last draw is then told apart by a spot in brackets.
    """
    text = _one(concern, village, spots, rng)
    for _ in range(50):
        if text not in seen:
            break
        text = _one(concern, village, spots, rng)
    while text in seen:
        text = f"{text}（{rng.choice(spots)}）"
    seen.add(text)
    return text
