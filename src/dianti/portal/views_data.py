"""Open data downloads (/p/data/<name>.json|.csv): published results and rectification states, streamed.

Anyone may download them (no login, no cookie needed, no personal data); ``?org=<code>`` narrows to a subtree and
``?year=2025`` to one year's campaigns. The rows are read in chunks as the file is sent (:mod:`.opendata`), on the
read replica when it is fresh enough: the alias is taken while the view runs, since the body is read after it.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.views.decorators.http import require_safe

from dianti.core import dbrouter, ratelimit
from dianti.core.dbrouter import replica_reads
from dianti.core.devices import address_hash
from dianti.core.http import content_disposition

from . import opendata, selectors

#: Seconds a browser or a proxy may keep a download (the data is public and the same for everyone).
MAX_AGE = 300
#: Downloads one address may start in an hour: plenty for people and scripts, not a loop re-reading a province.
PER_HOUR = 60
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8"}


def _alias() -> str:
    reads = dbrouter.current()
    return reads.alias if reads is not None and not reads.wrote else DEFAULT_DB_ALIAS


@require_safe
@replica_reads
def download(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    dataset = opendata.DATASETS.get(name)
    if dataset is None or fmt not in CONTENT_TYPES:
        raise Http404("没有这个数据集")
    if not ratelimit.allow("opendata", address_hash(request), PER_HOUR, 3600):
        return HttpResponse("下载太频繁了，请一小时后再试（文件每 5 分钟更新一次，可以缓存）", status=429,
                            content_type="text/plain; charset=utf-8", headers={"Retry-After": "3600"})
    year = request.GET.get("year", "")
    if year and not (year.isdigit() and len(year) == 4):
        return HttpResponseBadRequest("year 应为四位年份，如 2025", content_type="text/plain; charset=utf-8")
    code = request.GET.get("org", "").strip()
    filters = opendata.Filters(org=selectors.org_get(code) if code else None, year=int(year) if year else None)
    write = opendata.json_stream if fmt == "json" else opendata.csv_stream
    response = StreamingHttpResponse(write(dataset, filters, _alias()), content_type=CONTENT_TYPES[fmt])
    parts = ["dianti", dataset.name, *([filters.org.code] if filters.org else []), *([year] if year else [])]
    response["Content-Disposition"] = content_disposition(f"{'-'.join(parts)}.{fmt}", inline=fmt == "json")
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site's script may read it (no cookie is sent)
    return response
