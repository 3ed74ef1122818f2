"""Find the places an opinion names — an estate, a village group, a village, a road, a bridge, a building.

Explainable by design: every :class:`Place` says which rule found it (``rule``), and the rules are few.

* **Known names first.** The caller passes the names it already knows (the organization tree's own names and the
  contact points' names): each is found literally, longest first, rule ``known``.
* **Village groups** (村民小组): a number and 组 / 小组 / 村民小组 — 一组, 第三组, 5组, 十二组; the number is written
  in Chinese numerals whatever it was, so 5组 and 五组 are one place.
* **Suffix rules**: a name of one to four characters before a suffix of :data:`SUFFIXES` (幸福小区, 桥湾社区, 东港桥,
  北横路, 老街, 沈家村). The name runs back from the suffix until a character of :data:`BREAKERS` (我们 · 的 · 在 …,
  which never sit inside a place's name), loses a leading administrative word or verb (区劳动东路 → 劳动东路, 导致小区 → 小区: :data:`LEAD_WORDS`) and must not be a
  generic word (道路, 居民小区, 人行天桥 …: :data:`GENERIC_HEADS`, :data:`GENERIC_ENDS`; one character only for 老/东/西/南/北/中); a suffix followed by what makes it another word (街道, 路灯, 村民 …: :data:`NOT_AFTER`) is
  not one.
* **Buildings and doors**: a number and 幢 / 栋 / 号楼 / 单元 / 号, kept only right after an estate or road the rules
  found (幸福小区3幢, 北横路12号): a bare "3号" says nothing of where.

Overlaps: a known name wins over a rule's match over the same characters; a building includes its estate, which is
reported too (an estate's complaints count its buildings'). :func:`find_places` returns each place once per text,
in order of appearance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Suffix → kind of place. Longer suffixes are tried first (村民小组 before 组, 小区 before 区).
SUFFIXES: dict[str, str] = {
    "小区": "estate", "社区": "estate", "新村": "estate", "花园": "estate", "公寓": "estate", "家园": "estate",
    "苑": "estate", "村": "village", "路": "road", "街": "road", "巷": "road", "弄": "road", "桥": "bridge",
    "大楼": "building", "大厦": "building",
}
#: Every kind a :class:`Place` may have.
KINDS = ("known", "group", "estate", "village", "road", "bridge", "building", "door")
#: Characters that never sit inside a place's name: a name runs back from its suffix until one of these.
BREAKERS = frozenset("的地得在到了是我你他她它们这那哪个里去来和与及或从往向对把被给让叫将为于以就也都还又再只很太最"
                     "有没无不要想说讲问请能会可应该过着边上下前后内外旁近附处每些几多少好坏修整条座个块片带靠门口"
                     "而此本该其且并但等跟同因所现即"
                     "，。、！？；：,.!?;: （）()“”\"'《》\n\t")
#: Words a name may start with that are not part of it: administrative (区劳动东路, 街道茶场村: they say where only
#: vaguely) and the verbs and adverbs that run into a name without a breaker (导致小区, 建议月塘路). Stripped.
LEAD_WORDS = ("街道", "社区", "省", "市", "县", "区", "镇", "乡", "导致", "造成", "影响", "严重", "进入", "进出", "自由",
              "改善", "维持", "维护", "保证", "开展", "腐蚀", "建议", "设置", "撤销", "评估", "切实", "距", "询", "分")
#: Heads that make the whole a kind of place, not a place (居民小区, 安置小区, 城中村).
_GENERIC_HEADS = ("住宅 居民 老旧 整个 周边 部分 城市 配套 征收 周围 安置 城中 全 整 农 乡 邻 外 各 隔壁 一 大 "
                  "小 高 新 土 水泥 柏油 走 出 跑 套 平 过 危 石 夜 山 电 网 铁 快速 断头 必经之 公 马 主干 背 "
                  "后 村 街道 社区")
GENERIC_HEADS = frozenset(_GENERIC_HEADS.split())
#: Endings of whole matches that are kinds of road or bridge (公交线路, 城市道路, 高速公路, 人行天桥, 立交桥).
GENERIC_ENDS = ("线路", "道路", "铁路", "公路", "高速路", "天桥", "架桥", "交桥", "马路", "走路", "跑路", "套路", "之路",
                "夜路", "老路")
#: One-character names that still name a place (老街, 东街): direction and age.
SINGLE_OK = frozenset("老东西南北中")
#: Characters that, right after a suffix, make it part of another word: 街道, 路灯, 路面, 村民, 村里, 楼道, 桥梁 ….
NOT_AFTER: dict[str, frozenset[str]] = {
    "村": frozenset("民里委干庄级务部口头子容貌道集"), "路": frozenset("灯面况线费边上由过程人牌口子"),
    "街": frozenset("道坊头上边"), "桥": frozenset("梁面洞下上头墩"), "楼": frozenset("道梯房顶上下层主盘"),
    "巷": frozenset("子道"), "弄": frozenset("堂脏坏好得"), "苑": frozenset(""), "大楼": frozenset("里"),
}
MAX_NAME = 4
_NUM = "一二三四五六七八九十两〇零"
_GROUP = re.compile(rf"第?([0-9０-９]{{1,2}}|[{_NUM}]{{1,3}})(村民小组|小组|组)")
_UNIT = re.compile(rf"([0-9０-９]{{1,4}}|[{_NUM}]{{1,3}})(幢|栋|号楼|单元|号)")
_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Place:
    """A place named in a text: its ``name`` (as a place list shows it), its ``kind`` (:data:`KINDS`), where
    it is in the text, and the ``rule`` that found it (``known``, ``group``, ``suffix:路``, ``unit:幢`` …)."""

    name: str
    kind: str
    start: int
    end: int
    rule: str


def chinese_number(digits: str) -> str:
    """Return 1–99 written in Chinese numerals (5 → 五, 12 → 十二, 20 → 二十); other text unchanged."""
    ascii_digits = digits.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not ascii_digits.isdigit() or not 0 < int(ascii_digits) < 100:
        return digits
    tens, ones = divmod(int(ascii_digits), 10)
    head = "" if tens == 0 else "十" if tens == 1 else f"{_DIGITS[tens]}十"
    return head + (_DIGITS[ones] if ones else "")


def _known(text: str, known: Iterable[str]) -> list[Place]:
    found: list[Place] = []
    taken: set[int] = set()
    for name in sorted({k.strip() for k in known if len(k.strip()) >= 2}, key=len, reverse=True):
        start = text.find(name)
        while start >= 0:
            span = set(range(start, start + len(name)))
            if not span & taken:
                found.append(Place(name, "known", start, start + len(name), "known"))
                taken |= span
            start = text.find(name, start + len(name))
    return found


def _groups(text: str) -> list[Place]:
    out = []
    for m in _GROUP.finditer(text):
        if m.group(2) == "组" and text[m.end():m.end() + 1] in ("织", "长", "成", "建", "合", "数"):
            continue  # 一组数据, 三组长: not a village group
        out.append(Place(f"{chinese_number(m.group(1))}组", "group", m.start(), m.end(), "group"))
    return out


def _name_before(text: str, end: int) -> int:
    """Return where the name ending at ``end`` starts: back until a breaker, at most :data:`MAX_NAME` characters."""
    start = end
    while start > 0 and end - start < MAX_NAME and text[start - 1] not in BREAKERS and "\u4e00" <= text[start - 1] <= "\u9fff":
        start -= 1
    return start


def _strip_lead(text: str, start: int, end: int) -> int:
    """Return ``start`` moved past :data:`LEAD_WORDS` (区, 街道, 导致 …) while a name of one character stays."""
    moved = True
    while moved:
        moved = False
        for word in LEAD_WORDS:
            if text.startswith(word, start) and end - start - len(word) >= 1:
                start += len(word)
                moved = True
    return start


def _names_a_place(head: str, name: str) -> bool:
    """Whether ``head`` (``name`` without its suffix) names one place: not empty, not a generic word or ending, one
    character only for a direction or an age."""
    if not head or head in GENERIC_HEADS or head in LEAD_WORDS or name.endswith(GENERIC_ENDS):
        return False
    return len(head) >= 2 or head in SINGLE_OK


def _suffixed(text: str) -> list[Place]:
    out: list[Place] = []
    suffixes = sorted(SUFFIXES, key=len, reverse=True)
    i = floor = 0
    while i < len(text):
        suffix = next((s for s in suffixes if text.startswith(s, i)), None)
        if suffix is None:
            i += 1
            continue
        end = i + len(suffix)
        start = _name_before(text, i)
        start = _strip_lead(text, max(start, floor), i)
        if _names_a_place(text[start:i], text[start:end]) and text[end:end + 1] not in NOT_AFTER.get(suffix, frozenset()):
            out.append(Place(text[start:end], SUFFIXES[suffix], start, end, f"suffix:{suffix}"))
            floor = end
        i = end
    return out


def _units(text: str, anchors: list[Place]) -> list[Place]:
    """Return the buildings and doors written right after an estate, a road or a known place."""
    ends = {p.end: p for p in anchors if p.kind in ("estate", "road", "known", "building")}
    out = []
    for m in _UNIT.finditer(text):
        anchor = ends.get(m.start())
        if anchor is None:
            continue
        kind = "door" if m.group(2) == "号" else "building"
        out.append(Place(f"{anchor.name}{m.group(1)}{m.group(2)}", kind, anchor.start, m.end(), f"unit:{m.group(2)}"))
    return out


def find_places(text: str, known: Iterable[str] = ()) -> list[Place]:
    """Return the places ``text`` names, each name once, in order of appearance (see the module's rules)."""
    found = _known(text, known)
    covered = {i for p in found for i in range(p.start, p.end)}
    for p in _groups(text) + _suffixed(text):
        if not covered & set(range(p.start, p.end)):
            found.append(p)
    found += _units(text, found)
    seen: set[str] = set()
    out = []
    for p in sorted(found, key=lambda p: (p.start, p.end)):
        if p.name not in seen:
            seen.add(p.name)
            out.append(p)
    return out
