"""The dashboard's figures for scripts: the same arrangement the page shows, scoped like it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router

from dianti.core.api import staff_auth

from . import selectors

router = Router(tags=["dashboard"], auth=staff_auth)


@router.get("/{code}", summary="某组织某年度的点题述职数据：上报数字、各下级进度、分布、热点与历年趋势（仅计数）",
            description="与数据看板页面相同的数字，范围同页面：只能查看本级及下级组织；不含个人信息。")
def dashboard_figures(request: HttpRequest, code: str = Path(..., description="组织编码，如 330424（海盐县）"),
                      year: int | None = Query(None, description="年度，如 2020；不填为最近有数据的年度",
                                               ge=2000, le=2100)) -> dict[str, Any]:
    d = selectors.dashboard(request.user, selectors.root_for(request.user, code), year)
    return {
        "org": d.org.code, "name": d.org.name, "year": d.year, "years": d.years,
        "counted_at": d.counted_at.isoformat(),
        "headlines": [{"key": h.key, "label": h.label, "unit": h.unit, "value": h.value, "previous": h.previous,
                       "of": h.of} for h in d.headlines],
        "rows": [{"org": r.code, "name": r.name, "own": r.own, **{k: c.value for k, c in r.cells.items()}}
                 for r in [*d.rows, d.total]],
        "distributions": {x.key: [{"class": b.label, "n": b.n} for b in x.rows]
                          for x in [*d.distributions, *([d.hot] if d.hot else [])]},
        "trend": {k: [{"year": y, "n": n} for y, n in points] for k, _l, _u, points in d.trend},
    }
