"""Open data: the published results and the rectification states, as JSON and CSV anyone may download.

Each data set is declared once (:data:`DATASETS`): its stable field names, what each means (the docs page
``/p/data/`` and ``docs/open-data.md`` are written from, and tested against, the same declaration) and its rows. Rows
are read in keyset chunks of :data:`CHUNK` (``id > last`` ordered by id), and the files are streamed as they are read,
so a province's export holds one chunk in memory, never the whole file.

No personal data: organizations, campaigns, figures, states and dates only. A secretary is not named here (the
published list on the site names them; a bulk machine-readable file need not — PIPL's minimum necessary), nor any
villager, evaluator, code, phone, owner of a measure or author of a report.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dianti.appraisal.models import SubjectResult
from dianti.appraisal.public_reads import public_result_of
from dianti.core.excel import csv_lines
from dianti.orgs.models import Organization
from dianti.rectification import selectors as rectification_selectors

from .selectors import within

#: Rows read (and held) at a time.
CHUNK = 1000
#: The format's version: raised only when a field is renamed or removed (adding one keeps it).
VERSION = 1


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # integer, number, string, date, datetime, boolean, object
    help: Any


@dataclass(frozen=True)
class Filters:
    """What a download is narrowed to: an organization's subtree (its code) and a campaign year."""

    org: Organization | None = None
    year: int | None = None


@dataclass(frozen=True)
class Dataset:
    name: str
    title: Any
    help: Any
    fields: tuple[Field, ...]
    rows: Callable[[Filters, str], Iterator[dict[str, Any]]]


def _chunks(rows: QuerySet[Any], size: int | None = None) -> Iterator[list[Any]]:
    """Yield ``rows`` in lists of at most ``size`` (:data:`CHUNK`), ordered by id, one query each (keyset)."""
    size = size or CHUNK
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last).order_by("pk")[:size])
        if chunk:
            yield chunk
        if len(chunk) < size:
            return
        last = chunk[-1].pk


def _date(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _org(prefix: str, org: Organization | None) -> dict[str, Any]:
    return {f"{prefix}_code": org.code if org else None, prefix: org.display_name if org else None}


# ---------------------------------------------------------------------------------------------------------------
# Published results

RESULT_FIELDS = (
    Field("result_id", "integer", _("结果编号（稳定，不随重新公示改变）")),
    Field("year", "integer", _("述职活动年度")),
    Field("campaign_id", "integer", _("述职活动编号")),
    Field("campaign", "string", _("述职活动名称")),
    Field("convener_code", "string", _("召集组织编码")),
    Field("convener", "string", _("召集组织（镇、街道或县党委）")),
    Field("organization_code", "string", _("述职组织编码")),
    Field("organization", "string", _("述职组织（村、社区等）")),
    Field("parent_code", "string", _("上级组织编码")),
    Field("parent", "string", _("上级组织")),
    Field("category", "string", _("点名类别：development 发展任务重、群众期盼高；model 创先争优典型或服务功能重要；"
                                  "project 书记项目、创新或攻坚项目")),
    Field("topic", "string", _("述职题目")),
    Field("score", "number", _("评议得分")),
    Field("satisfaction_pct", "number", _("满意率（%），即（好 + 较好）÷ 有效票")),
    Field("valid_ballots", "integer", _("有效票数")),
    Field("distribution", "object", _("各等次票数；CSV 中写作“好=10;较好=5;一般=1;差=0”")),
    Field("published_at", "datetime", _("公示时间（北京时间，ISO 8601）")),
)


#: The parts of a result's stored ``detail`` that :func:`~dianti.appraisal.public_reads.public_result_of` reads.
PUBLIC_DETAIL = ("distribution", "grades", "satisfaction")


def result_rows(filters: Filters, using: str = "default") -> Iterator[dict[str, Any]]:
    """Yield one row per published result in the filters, by result id."""
    # Of the stored explanation (``detail``, a few kB of JSON a row) only the parts the public figures read are
    # fetched: parsing the whole of it made a chunk of rows weigh tens of megabytes.
    rows = (SubjectResult.objects.using(using).filter(status=SubjectResult.Status.PUBLISHED)
            .filter(within(filters.org, "subject__org_path"))
            .select_related("subject__organization__parent", "subject__campaign__convener")
            .annotate(**{f"public_{key}": KeyTransform(key, "detail") for key in PUBLIC_DETAIL})
            .only("id", "score", "ballots", "satisfaction", "satisfaction_low", "satisfaction_high",
                  "published_at", "subject__id", "subject__category", "subject__topic", "subject__org_path",
                  *_org_fields("subject__organization"), *_org_fields("subject__organization__parent"),
                  "subject__campaign__id", "subject__campaign__title", "subject__campaign__year",
                  *_org_fields("subject__campaign__convener")))
    if filters.year:
        rows = rows.filter(subject__campaign__year=filters.year)
    for chunk in _chunks(rows):
        for r in chunk:
            r.detail = {key: getattr(r, f"public_{key}") for key in PUBLIC_DETAIL}
            s, figures = r.subject, public_result_of(r)
            yield {"result_id": r.pk, "year": s.campaign.year, "campaign_id": s.campaign.pk,
                   "campaign": s.campaign.title, **_org("convener", s.campaign.convener),
                   **_org("organization", s.organization), **_org("parent", s.organization.parent),
                   "category": s.category, "topic": s.topic, "score": figures.score,
                   "satisfaction_pct": figures.satisfaction, "valid_ballots": figures.ballots,
                   "distribution": dict(figures.distribution), "published_at": _date(figures.published_at)}


def _org_fields(prefix: str) -> list[str]:
    return [f"{prefix}__{f}" for f in ("id", "code", "name", "short_name")]


# ---------------------------------------------------------------------------------------------------------------
# Rectification states

RECTIFICATION_FIELDS = (
    Field("case_id", "integer", _("整改编号")),
    Field("year", "integer", _("述职活动年度")),
    Field("campaign_id", "integer", _("述职活动编号")),
    Field("campaign", "string", _("述职活动名称")),
    Field("issuer_code", "string", _("发文单位编码")),
    Field("issuer", "string", _("发文单位（下发整改通知单的党委）")),
    Field("organization_code", "string", _("整改组织编码")),
    Field("organization", "string", _("整改组织")),
    Field("parent_code", "string", _("上级组织编码")),
    Field("parent", "string", _("上级组织")),
    Field("state", "string", _("状态：issued 已下发；committed 已承诺；in_progress 整改中；awaiting 待验收；overdue 已逾期；"
                               "closed 已销号；carried_over 转下年度；withdrawn 已撤销")),
    Field("issued_on", "date", _("通知单成文日期")),
    Field("deadline", "date", _("整改期限")),
    Field("overdue", "boolean", _("是否已过期限仍未完成")),
    Field("closed_on", "date", _("销号日期")),
    Field("carried_to_year", "integer", _("转入的年度")),
    Field("progress_pct", "integer", _("整改措施的平均进度（%），承诺前为 0")),
    Field("measures", "integer", _("整改措施数")),
    Field("measures_done", "integer", _("已完成的整改措施数")),
)


def rectification_rows(filters: Filters, using: str = "default") -> Iterator[dict[str, Any]]:
    """Yield one row per issued rectification in the filters, by case id (drafts are not rectifications yet)."""
    rows = rectification_selectors.public_cases().using(using).filter(within(filters.org))
    if filters.year:
        rows = rows.filter(campaign__year=filters.year)
    for chunk in _chunks(rows):
        progress = rectification_selectors.progress_percents([c.pk for c in chunk], using)
        for c in chunk:
            p = progress.get(c.pk)
            org = c.subject.organization
            yield {"case_id": c.pk, "year": c.campaign.year, "campaign_id": c.campaign.pk,
                   "campaign": c.campaign.title, **_org("issuer", c.issuer), **_org("organization", org),
                   **_org("parent", org.parent), "state": c.state, "issued_on": _date(c.issued_on),
                   "deadline": _date(c.deadline), "overdue": c.is_overdue,
                   "closed_on": _date(timezone.localtime(c.closed_at).date() if c.closed_at else None),
                   "carried_to_year": c.carried_to_year, "progress_pct": p.percent if p else 0,
                   "measures": p.measures if p else 0, "measures_done": p.done if p else 0}


DATASETS: dict[str, Dataset] = {
    "results": Dataset("results", _("评议结果"), _("已公示的述职评议结果：每位述职书记所在组织一行。撤回后尚未重新公示的不在其中。"),
                       RESULT_FIELDS, result_rows),
    "rectification": Dataset("rectification", _("整改进展"),
                             _("已下发整改通知单的整改：状态、日期和进度。整改问题、措施内容、责任人、佐证材料不公开。"),
                             RECTIFICATION_FIELDS, rectification_rows),
}


# ---------------------------------------------------------------------------------------------------------------
# Writers: each yields the file piece by piece


def json_stream(dataset: Dataset, filters: Filters, using: str = "default") -> Iterator[str]:
    """Yield a JSON document ``{"dataset", "version", "fields", "filters", "items": [...], "count"}`` in pieces,
    one item at a time."""
    head = {"dataset": dataset.name, "version": VERSION, "fields": [f.name for f in dataset.fields],
            "filters": {"org": filters.org.code if filters.org else None, "year": filters.year}}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "items": ['
    n = 0
    for row in dataset.rows(filters, using):
        yield ("," if n else "") + "\n" + json.dumps(row, ensure_ascii=False)
        n += 1
    yield f'\n], "count": {n}}}\n'


def _csv_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    return value


def csv_stream(dataset: Dataset, filters: Filters, using: str = "default") -> Iterator[str]:
    """Yield a UTF-8 CSV (with a byte-order mark, so spreadsheet programs read the Chinese right) line by line: a
    header of the field names, then one line per row; text that could start a formula behind an apostrophe."""
    names = [f.name for f in dataset.fields]
    yield from csv_lines(names, ([_csv_cell(row[name]) for name in names] for row in dataset.rows(filters, using)))
