"""``dianti bench pages [--database postgres://…] [-o counties=100] [-o repeat=10] [-o dbname=NAME] [-o sql=1]
[-o only=dashboard,dashboard_town]``:
every list page at province scale, as the county admin, a town admin, a superuser and the public.

Build or reuse the cached scale database of ``dianti bench tree`` (``dianti demo --counties N``: Haiyan's whole
cycle plus N-1 synthetic counties' trees; ``-o dbname=`` names another PostgreSQL database), then time each
list page — staff pages, their HTMX partials, the public site and the API lists — in-process through Django's
test client and the whole middleware stack, as production settings serve it. Per page: median and p95 wall ms,
CPU ms, the number of SQL queries, the rows on the page and the rows in the list, and the ratio to ``/healthz``
timed in the same run (the fixed cost of a request behind the same middleware). The target is every page under
300 ms at the server at 100 counties (``target_ms``), a county's and a town's dashboard under 150 ms
(``targets``); ``over_target`` names the pages above theirs. A province's figures are counted ahead, every minute,
by a background task (core/warm.py), so the timed requests read what it kept: ``figures_uncached`` times counting
them afresh (the county's, a town's and the province's: what that task and the annual report pay).

The measuring side runs as ``python -m dianti.bench.pages``.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any
from urllib.parse import quote

from . import register
from .targets import answer, cached_target, loadavg, run_dianti, run_helper
from .tree import BENCH_SUPERUSER, HAIYAN, PROVINCE, TOWN, _ensure_built, _percentiles, _signed_in, _users

HELPER = "dianti.bench.pages"
TARGET_MS = 300
#: Pages with a tighter target than TARGET_MS: the dashboards of a county and a town (issue 14).
TARGETS = {"dashboard": 150, "dashboard_town": 150, "dashboard_api": 150}
VILLAGE = "330424105201"

Page = tuple[str, str, str | None, dict[str, str]]  # name, path (URL-encoded), who (None: the public), headers
HX = {"HX-Request": "true"}


@register("pages", "每个列表页（职员、HTMX 片段、公开页、API）在省级规模下的服务端耗时、查询数与行数"
                   "（-o counties=N；--database postgres://…；-o dbname=NAME）")
def bench_pages(params: dict[str, Any]) -> dict[str, Any]:
    counties = int(params.get("counties") or 100)
    repeat = int(params.get("repeat") or 10)
    target = cached_target(counties, params.get("database"), str(params.get("rebuild", "0")) == "1",
                           name=params.get("dbname"))
    print(f"数据库：{target.label}", flush=True)
    build = _ensure_built(target, counties)
    run_dianti(target, "collectstatic", "--no-input", "-v", "0", production=True)
    load_before = loadavg()
    measured = run_helper(target, HELPER, {"action": "measure", "repeat": repeat, "sql": params.get("sql") == "1",
                                           "only": params.get("only") or ""})
    result = {"bench": "pages", "database": target.vendor, "counties": counties, "build": build, **measured,
              "loadavg": [load_before, loadavg()]}
    _print_table(result)
    return result


def _print_table(result: dict[str, Any]) -> None:
    print(f"{result['counties']} 个县，{result.get('organizations')} 个组织（{result['database']}）；"
          f"负载 {result['loadavg']}；目标 < {result['target_ms']} ms", flush=True)
    print(f"{'page':<24}{'as':<14}{'queries':>8}{'ms':>9}{'p95':>9}{'cpu ms':>9}{'×healthz':>9}{'rows':>7}"
          f"{'of':>9}", flush=True)
    for name, row in result["pages"].items():
        print(f"{name:<24}{row['as']:<14}{row['queries']:>8}{row['median_ms']:>9}{row['p95_ms']:>9}"
              f"{row['cpu_ms']:>9}{row['x_healthz']:>9}{_blank(row['rows']):>7}{_blank(row['total']):>9}",
              flush=True)
    print(f"over target: {result['over_target'] or 'none'}", flush=True)
    for name, row in result.get("figures_uncached", {}).items():
        print(f"figures uncached {name:<10}{row['queries']:>8}{row['median_ms']:>9}{row['p95_ms']:>9}"
              f"{row['cpu_ms']:>9}", flush=True)


def _blank(value: object) -> str:
    return "" if value is None else str(value)


# --------------------------------------------------------------------------------------------------------------
# The measuring side: ``python -m dianti.bench.pages '{"action": "measure", …}'`` with the target's environment


def pages() -> list[Page]:
    """Return every list page to time, its ids looked up in the database being measured."""
    from dianti.campaigns.models import Campaign
    from dianti.meetings.models import Meeting

    county = Campaign.objects.filter(convener__code=HAIYAN).order_by("-year", "-pk").first()
    town = Campaign.objects.filter(convener__code=TOWN).order_by("-year", "-pk").first()
    published = Campaign.objects.filter(list_status=Campaign.ListStatus.PUBLISHED).order_by("-year", "-pk").first()
    meeting = Meeting.objects.filter(org_path__startswith=town.org_path if town else "~").first()
    closed = Meeting.objects.filter(status=Meeting.Status.CLOSED).order_by("pk").first()
    if county is None or town is None or published is None or meeting is None:
        raise RuntimeError("the database lacks the Haiyan demo's campaigns and meetings: run dianti demo first")
    subject = town.subjects.order_by("order", "pk").first()
    year = county.year
    search = "/orgs/search/?q=" + quote("村")
    rare = quote("通元")  # one town's name: a handful of matches among every organization
    staff: list[Page] = [
        ("healthz", "/healthz", None, {}),
        ("home", "/", "county_admin", {}),
        ("tree", "/orgs/", "county_admin", {}),
        ("town_children", f"/orgs/{TOWN}/children/", "county_admin", HX),
        ("town_children_p2", f"/orgs/{TOWN}/children/?page=2", "county_admin", HX),
        ("org_detail", f"/orgs/{HAIYAN}/", "county_admin", {}),
        ("search", search, "county_admin", {}),
        ("search_partial", search, "county_admin", HX),
        ("people", "/orgs/people/", "county_admin", {}),
        ("campaigns", "/campaigns/", "county_admin", {}),
        ("campaign_county", f"/campaigns/{county.pk}/", "county_admin", {}),
        ("responsibilities", f"/campaigns/responsibilities/{VILLAGE}/", "county_admin", {}),
        ("opinions", "/voices/", "county_admin", {}),
        ("meetings", "/meetings/", "county_admin", {}),
        ("appraisal", "/appraisal/", "county_admin", {}),
        ("appraisal_campaign", f"/appraisal/campaigns/{county.pk}/", "county_admin", {}),
        ("proposals", "/appraisal/proposals/?status=", "county_admin", {}),
        ("schemes", "/appraisal/schemes/", "county_admin", {}),
        ("assessment", f"/appraisal/assessment/?year={year}", "county_admin", {}),
        ("rectification", "/rectification/", "county_admin", {}),
        ("audit", "/audit/", "county_admin", {}),
        ("notifications", "/notifications/", "county_admin", {}),
        ("event_failures", "/events/failures/", "county_admin", {}),
        ("dashboard", f"/dashboard/{HAIYAN}/", "county_admin", {}),
        ("dashboard_town", f"/dashboard/{TOWN}/", "town_admin", {}),
        ("dashboard_org", f"/dashboard/{VILLAGE}/", "county_admin", {}),
        ("town_tree", "/orgs/", "town_admin", {}),
        ("town_children_t", f"/orgs/{TOWN}/children/", "town_admin", HX),
        ("town_campaign", f"/campaigns/{town.pk}/", "town_admin", {}),
        ("town_opinions", "/voices/", "town_admin", {}),
        ("town_workbench", f"/voices/subjects/{subject.pk}/", "town_admin", {}) if subject else None,
        ("town_meeting", f"/meetings/{meeting.pk}/", "town_admin", {}),
        ("town_rect_campaign", f"/rectification/campaign/{town.pk}/", "town_admin", {}),
        ("province_home", "/", BENCH_SUPERUSER, {}),
        ("province_tree", "/orgs/", BENCH_SUPERUSER, {}),
        ("province_search", search, BENCH_SUPERUSER, {}),
        ("province_search_rare", f"/orgs/search/?q={rare}", BENCH_SUPERUSER, {}),
        ("province_people", "/orgs/people/", BENCH_SUPERUSER, {}),
        ("province_audit", "/audit/", BENCH_SUPERUSER, {}),
        ("province_dashboard", f"/dashboard/{PROVINCE}/", BENCH_SUPERUSER, {}),
        ("public_index", "/p/", None, {}),
        ("public_campaigns", "/p/campaigns/", None, {}),
        ("public_campaign", f"/p/campaigns/{published.pk}/", None, {}),
        ("public_county", f"/p/o/{HAIYAN}/", None, {}),
        ("public_town", f"/p/o/{TOWN}/", None, {}),
        ("public_village_page", f"/p/o/{VILLAGE}/", None, {}),
        ("public_search", "/p/search/?q=" + quote("雪水"), None, {}),
        ("public_search_common", "/p/search/?q=" + quote("村"), None, {}),
        ("public_meetings", "/p/meetings/", None, {}),
        ("public_meetings_held", "/p/meetings/?held=1", None, {}),
        ("public_rectification", "/p/rectification/", None, {}),
        ("public_village", f"/v/{VILLAGE}/", None, {}),
        ("public_meeting", f"/m/{meeting.public_key}/", None, {}),
    ]
    api: list[Page] = [
        ("api_campaigns", "/api/v1/campaigns", "county_admin", {}),
        ("api_meetings", "/api/v1/meetings", "county_admin", {}),
        ("api_opinions", "/api/v1/voices/opinions", "county_admin", {}),
        ("api_cases", "/api/v1/rectification/cases", "county_admin", {}),
        ("api_proposals", "/api/v1/appraisal/proposals", "county_admin", {}),
        ("api_assessment", f"/api/v1/appraisal/assessment?year={year}", "county_admin", {}),
        ("api_search", "/api/v1/orgs/search?q=" + quote("村"), "county_admin", {}),
        ("api_tree", f"/api/v1/orgs/tree?root={TOWN}", "county_admin", {}),
        ("api_search_province", "/api/v1/orgs/search?q=" + quote("村"), BENCH_SUPERUSER, {}),
        ("api_search_province_rare", f"/api/v1/orgs/search?q={rare}", BENCH_SUPERUSER, {}),
        ("api_campaign_results", f"/api/v1/appraisal/campaigns/{county.pk}/results", "county_admin", {}),
        ("api_meeting_results", f"/api/v1/meetings/{closed.pk}/results", "county_admin", {}) if closed else None,
        ("dashboard_api", f"/api/v1/dashboard/{HAIYAN}", "county_admin", {}),
    ]
    return [p for p in [*staff, *api] if p is not None]


def rows_of(response: Any) -> tuple[int | None, int | None]:
    """Return (rows shown, rows in the whole list) of a list page or API list, (None, None) for another page."""
    from django.core.paginator import Page as DjangoPage

    if response.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        if isinstance(body, dict) and "items" in body:
            return len(body["items"]), body.get("count")
        return (len(body), None) if isinstance(body, list) else (None, None)
    contexts = getattr(response, "context", None) or []
    found = [v for c in (contexts if isinstance(contexts, list) else [contexts]) for v in c.flatten().values()
             if isinstance(v, DjangoPage)]
    if not found:
        return None, None
    biggest = max(found, key=lambda p: p.paginator.count)
    return len(biggest.object_list), biggest.paginator.count


def _census(client: Any, path: str, headers: dict[str, str]) -> tuple[Any, list[dict[str, Any]]]:
    """Request ``path`` once with template rendering instrumented (the response carries its context) and the
    queries captured; the timed requests run without either."""
    from django.db import connection
    from django.template import Template
    from django.test.utils import CaptureQueriesContext, instrumented_test_render

    plain = Template._render
    Template._render = instrumented_test_render  # type: ignore[method-assign]
    try:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, headers=headers)
    finally:
        Template._render = plain  # type: ignore[method-assign]
    return response, list(ctx.captured_queries)


def _time(client: Any, path: str, headers: dict[str, str], repeat: int) -> dict[str, Any]:
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        client.get(path, headers=headers)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return {**_percentiles(wall), "cpu_ms": round(statistics.median(cpu), 2)}


def _measure(repeat: int, show_sql: bool, only: str = "") -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from dianti.core import warm

    from .demo import tree_size

    counted_ahead = warm.wide_counts(everyone=True)  # what beat does each minute: the pages then read what it kept
    users = {**_users(), "town_admin": get_user_model().objects.get(username="town_admin")}
    clients: dict[str | None, Any] = {None: Client(), **{k: _signed_in(u) for k, u in users.items()}}
    rows: dict[str, dict[str, Any]] = {}
    chosen = set(only.split(",")) | {"healthz"} if only else None  # -o only=dashboard,dashboard_town: just those
    for name, path, who, headers in pages():
        if chosen is not None and name not in chosen:
            continue
        client = clients[who]
        for _ in range(2):  # warm up: templates, connection, the database's page cache
            client.get(path, headers=headers)
        response, queries = _census(client, path, headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} as {who}: HTTP {response.status_code}")
        if show_sql:
            for q in queries:
                print(f"[{name}] {float(q['time']) * 1000:7.2f} ms  {q['sql']}", file=sys.stderr)
        shown, total = rows_of(response)
        rows[name] = {"path": path, "as": who or "public", "queries": len(queries),
                      "sql_ms": round(sum(float(q["time"]) for q in queries) * 1000, 2), "rows": shown,
                      "total": total, "bytes": len(response.content), **_time(client, path, headers, repeat)}
    base = rows["healthz"]["median_ms"]
    for row in rows.values():
        row["x_healthz"] = round(row["median_ms"] / base, 1)
    over = [name for name, row in rows.items() if row["median_ms"] > TARGETS.get(name, TARGET_MS)]
    return {**tree_size(), "repeat": repeat, "baseline": "healthz", "target_ms": TARGET_MS, "targets": TARGETS,
            "over_target": over, "slowest": max(rows, key=lambda n: rows[n]["median_ms"]), "pages": rows,
            "wide_counts": counted_ahead,
            "figures_uncached": _figures_uncached(max(3, repeat // 3))}


def _figures_uncached(repeat: int) -> dict[str, dict[str, Any]]:
    """Time counting every figure afresh (no cache) for the county, a town and the province."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dianti.core import figures
    from dianti.orgs.models import Organization

    out = {}
    for name, code in (("county", HAIYAN), ("town", TOWN), ("province", PROVINCE)):
        path = Organization.objects.filter(code=code).values_list("path", flat=True).first()
        if path is None:
            continue
        figures.compute(path)  # warm the database's page cache
        with CaptureQueriesContext(connection) as ctx:
            figures.compute(path)
        wall, cpu = [], []
        for _ in range(repeat):
            t, c = time.perf_counter(), time.process_time()
            figures.compute(path)
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        out[name] = {"queries": len(ctx.captured_queries), **_percentiles(wall),
                     "cpu_ms": round(statistics.median(cpu), 2)}
    return out


if __name__ == "__main__":
    answer(sys.argv, {"measure": lambda spec: _measure(int(spec["repeat"]), bool(spec.get("sql")),
                                                          str(spec.get("only") or ""))})
