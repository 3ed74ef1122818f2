"""The annual report (年度工作情况报告) of a county or a town, written from its dashboard's figures: what it sends
upward. One :class:`Report` — words, tables and charts — is laid out as a PDF and as a .docx by
:mod:`.documents`; neither counts anything (every number is the dashboard's, so the report and the page agree).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from dianti.orgs.models import Organization
from dianti.rectification.workflow import cn_date

from . import charts
from .selectors import Dashboard, Distribution, Headline

#: What a body calls the level below it in a report's headings ("各镇（街道）").
CHILD_LEVEL = {Organization.Level.PROVINCE: _l("市、县（市、区）"), Organization.Level.CITY: _l("县（市、区）"),
               Organization.Level.COUNTY: _l("镇（街道）"), Organization.Level.TOWN: _l("基层党组织")}


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    table: Table | None = None
    charts: list[charts.Drawing] = field(default_factory=list)


@dataclass
class Report:
    issuer: str  # 发文机关标志
    number: str  # 发文字号: the office fills in the serial number
    title: str
    addressee: str
    opening: str
    sections: list[Section]
    signature: str
    date: str
    year: int


def place(org: Organization) -> str:
    """Return the place an organization is named after: 中共海盐县委员会 → 海盐县, 中共武原街道工作委员会 → 武原街道."""
    name = org.name.removeprefix("中共")
    for suffix in ("工作委员会", "委员会", "党工委", "党委"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return org.short_name or name


def _abbreviation(org: Organization) -> str:
    """The 机关代字 stem: 海盐县 → 海盐, 武原街道 → 武原."""
    name = place(org)
    for suffix in ("街道", "县", "市", "区", "镇", "乡", "省"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name.removesuffix(suffix)
    return name


def _issuer(org: Organization) -> str:
    """A county (or above) reports through its organization department; a town committee in its own name."""
    return org.name if org.level in (Organization.Level.TOWN, Organization.Level.GRASSROOTS) else f"{org.name}组织部"


def _n(value: int) -> str:
    return f"{value:,}"


def _pct(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def _overall(d: Dashboard, where: str) -> Section:
    h = {x.key: x for x in d.headlines}

    def v(key: str) -> int:
        return h[key].value if key in h else 0

    covered = h.get("organizations_covered")
    whole = (covered.of or 0) if covered else 0
    paragraphs = [_(
        "%(year)d年，%(where)s共有%(reported)s名基层党组织书记在述职会上进行点题述职，覆盖基层党组织%(covered)s个"
        "（占%(organizations)s个基层党组织的%(share)s），召开述职会%(meetings)s场，走访座谈和参会群众%(people)s人次，"
        "征集意见建议%(opinions)s条、分类梳理%(sorted)s条，%(points)s个民情直报点和组织工作观察点转来群众意见。") % {
        "year": d.year, "where": where, "reported": _n(d.total.value("reported")),
        "covered": _n(v("organizations_covered")), "organizations": _n(whole),
        "share": _pct(v("organizations_covered"), whole), "meetings": _n(v("meetings")),
        "people": _n(v("participants")), "opinions": _n(v("opinions")), "sorted": _n(v("opinions_sorted")),
        "points": _n(v("points_active"))}]
    compared = [x for x in d.headlines if x.previous is not None]
    if compared:
        paragraphs.append(_("与%(prev)d年相比：") % {"prev": d.year - 1} + "；".join(
            _("%(label)s%(now)s%(unit)s（上年%(before)s%(unit)s）") % {
                "label": x.label, "now": _n(x.value), "before": _n(x.previous or 0), "unit": x.unit} for x in compared)
            + "。")
    return Section(_("一、总体情况"), paragraphs, _headline_table(d.headlines, d.year))


def _headline_table(headlines: list[Headline], year: int) -> Table:
    rows = [[x.label, f"{_n(x.value)}{x.unit}", "—" if x.previous is None else f"{_n(x.previous)}{x.unit}"]
            for x in headlines]
    return Table([_("项目"), _("%(year)d年") % {"year": year}, _("上年")], rows)


def _progress(d: Dashboard, child_level: str) -> Section:
    stage_labels = [label for _k, label in d.stages]
    headers = [_("单位"), *stage_labels, _("整改中"), _("其中逾期"), _("已销号")]
    keys = [k for k, _l in d.stages] + ["rectifications_open", "rectifications_overdue", "rectifications_closed"]
    rows = [[r.name, *(_n(r.value(k)) for k in keys)] for r in [*d.rows, d.total]]
    t = d.total
    paragraphs = [_("全年共点名书记%(subjects)s名，已点题%(topics)s名，已述职%(reported)s名，评议结果已公布%(appraised)s名。") % {
        "subjects": _n(t.value("subjects")), "topics": _n(t.value("topics_assigned")),
        "reported": _n(t.value("reported")), "appraised": _n(t.value("appraised"))}]
    if d.records:  # a town: its organizations one by one
        return Section(_("二、各%(level)s推进情况") % {"level": child_level}, paragraphs, _records_table(d))
    children = [r for r in d.rows if not r.own]
    waiting = [r.name for r in children if r.value("subjects") and not r.value("reported")]
    none = [r.name for r in children if not r.value("subjects")]
    if waiting:
        paragraphs.append(_("已点名、尚未召开述职会的有：%(names)s。") % {"names": "、".join(waiting)})
    if none and d.org.level != Organization.Level.TOWN:
        paragraphs.append(_("尚未点名的有：%(names)s。") % {"names": "、".join(none)})
    drawing = charts.funnel([(r.name, [r.value(k) for k, _l in d.stages]) for r in children],
                            stage_labels, title=_("各%(level)s点题述职进度") % {"level": child_level})
    return Section(_("二、各%(level)s推进情况") % {"level": child_level}, paragraphs, Table(headers, rows),
                   [drawing] if children else [])


def _records_table(d: Dashboard) -> Table:
    def pct(x: float | None) -> str:
        return "—" if x is None else f"{x * 100:.1f}%"

    rows = [[r.org, r.secretary or "—", r.topic or "—", r.status, "—" if r.score is None else f"{r.score:.2f}",
             pct(r.satisfaction), "、".join(label for label, _s, _u in r.cases) or "—"] for r in d.records]
    return Table([_("组织"), _("书记"), _("述职题目"), _("状态"), _("得分"), _("满意率"), _("整改")], rows)


def _distribution_text(dist: Distribution) -> str:
    return "，".join(_("“%(label)s”%(n)s%(unit)s（%(share)s%%）") % {
        "label": b.label, "n": _n(b.n), "unit": dist.unit, "share": b.share} for b in dist.rows)


def _results(d: Dashboard) -> Section:
    by_key = {x.key: x for x in d.distributions}
    paragraphs = [_("评议结果已公布%(n)s名书记。") % {"n": _n(d.total.value("appraised"))}]
    drawings = []
    for key, sentence in (("grades", _("有效测评票共%(total)s张，其中%(parts)s。")),
                          ("satisfaction", _("满意率分布：%(parts)s。")),
                          ("bands", _("年度综合考核评定等次的%(total)s个基层党组织中，%(parts)s。")),
                          ("stars", _("星级评定：%(parts)s。"))):
        dist = by_key.get(key)
        if dist is None or not dist.total:
            continue
        paragraphs.append(sentence % {"total": _n(dist.total), "parts": _distribution_text(dist)})
        drawings.append(charts.bars([(b.label, b.n) for b in dist.rows], title=dist.label, unit=dist.unit))
    return Section(_("三、评议考核结果"), paragraphs, None, drawings)


def _hot(d: Dashboard) -> Section:
    hot = d.hot
    if hot is None or not hot.total:
        return Section(_("四、群众关注的热点"), [_("本年度尚无分类梳理的群众意见。")])
    top = hot.rows[:3]
    text = _("分类梳理的%(total)s条意见中，群众反映最集中的是%(parts)s。") % {
        "total": _n(hot.total), "parts": "、".join(_("%(label)s（%(n)s条，占%(share)s%%）") % {
            "label": b.label, "n": _n(b.n), "share": b.share} for b in top)}
    return Section(_("四、群众关注的热点"), [text], None,
                   [charts.bars([(b.label, b.n) for b in hot.rows], title=hot.label, unit=hot.unit)])


def _rectification(d: Dashboard) -> Section:
    t = d.total
    text = _("针对评议中发现的问题，下发整改通知、督促整改。目前整改中%(open)s件（其中逾期%(overdue)s件），已销号%(closed)s件。") % {
        "open": _n(t.value("rectifications_open")), "overdue": _n(t.value("rectifications_overdue")),
        "closed": _n(t.value("rectifications_closed"))}
    return Section(_("五、整改落实"), [text])


def _trend(d: Dashboard) -> Section | None:
    years = sorted(d.years)
    if len(years) < 2:
        return None
    headers = [_("项目"), *(_("%(year)d年") % {"year": y} for y in years)]
    rows = [[label, *(f"{_n(n)}{unit}" for _y, n in points)] for _k, label, unit, points in d.trend]
    wanted = ("meetings", "participants", "opinions", "organizations_covered")
    drawings = [charts.columns([(str(y), n) for y, n in points], title=label, unit="")
                for key, label, _unit, points in d.trend if key in wanted]
    return Section(_("六、历年对比"), [_("%(first)d年以来主要数据如下。") % {"first": years[0]}], Table(headers, rows), drawings)


def build(d: Dashboard, *, today: dt.date | None = None) -> Report:
    """Return the report of dashboard ``d``: its year, its organization, sent to the level above."""
    today = today or timezone.localdate()
    org, where = d.org, place(d.org)
    child_level = str(CHILD_LEVEL.get(org.level, _("下级组织")))
    parent = org.parent if org.parent_id else None
    sections = [_overall(d, where), _progress(d, child_level), _results(d), _hot(d), _rectification(d)]
    if (trend := _trend(d)) is not None:
        sections.append(trend)
    return Report(
        issuer=_issuer(org), number=_("%(stem)s组〔%(year)d〕　号") % {"stem": _abbreviation(org), "year": today.year},
        title=_("关于%(where)s%(year)d年度基层党组织书记点题述职工作情况的报告") % {"where": where, "year": d.year},
        addressee=f"{_issuer(parent)}：" if parent is not None else "",
        opening=_("现将%(where)s%(year)d年度基层党组织书记点题述职工作情况报告如下。") % {"where": where, "year": d.year},
        sections=sections, signature=_issuer(org), date=cn_date(today), year=d.year)


def plain_text(report: Report) -> list[str]:
    """Return the report's words, paragraph by paragraph (what both documents print)."""
    lines = [report.issuer, report.number, report.title, report.addressee, report.opening]
    for s in report.sections:
        lines += [s.heading, *s.paragraphs]
    return [*lines, report.signature, report.date]
