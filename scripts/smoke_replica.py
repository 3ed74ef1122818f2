"""The read replica end to end, over HTTP against a real server: run by scripts/smoke-replica.sh, which starts the
replica, a throwaway database and the server, and sets DIANTI_DATABASE_URL, DIANTI_REPLICA_URL and the replica knobs.

  python scripts/smoke_replica.py seed            a town, two staff logins and one published campaign (甲)
  python scripts/smoke_replica.py check URL       the scenario; exits non-zero at the first thing that is wrong

Each step prints what it saw. The server says which database served a page in X-Dianti-Db (DIANTI_DEBUG is on).
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import io
import os
import re
import sys
import time
import urllib.parse
import urllib.request
from typing import Any
from zoneinfo import ZoneInfo

import django
import psycopg

PASSWORD = "Smoke-replica-2026"
FIRST, STAFF_NEW, LATE = "甲·已公示的述职活动", "乙·刚由管理员新建", "丙·暂停回放时公示"
# The public list of published campaigns: read on every visit (the home page's summaries are kept for a minute, so
# they would hide what the replica shows).
PUBLIC = "/p/campaigns/"
MAX_LAG = float(os.environ["DIANTI_REPLICA_MAX_LAG_SECONDS"])
PIN = float(os.environ["DIANTI_REPLICA_PIN_SECONDS"])


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dianti.settings")
    django.setup()


def publish(title: str, year: int, village_code: str) -> None:
    """Open, fill, submit and approve a campaign of the town, on the primary (no request here: nothing is routed)."""
    from dianti.campaigns import roster, services
    from dianti.campaigns.models import Category
    from dianti.orgs.models import Organization

    town, village = Organization.objects.get(code="330424105"), Organization.objects.get(code=village_code)
    campaign = services.campaign_create(actor=None, convener=town, year=year, title=title)
    services.subjects_choose(actor=None, campaign=campaign,
                             choices=[services.Choice(village, Category.DEVELOPMENT, "冒烟测试")])
    roster.list_submit(actor=None, campaign=campaign)
    roster.list_approve(actor=None, campaign=campaign)


def seed() -> None:
    setup()
    from django.contrib.auth import get_user_model

    from dianti.orgs import services
    from dianti.orgs.models import Organization as O
    from dianti.orgs.models import Role

    county = services.org_create(actor=None, code="330424", name="中共海盐县委员会", parent=None, kind=O.Kind.COMMITTEE,
                                 level=O.Level.COUNTY, field=O.Field.PARTY_COMMITTEE)
    town = services.org_create(actor=None, code="330424105", name="中共通元镇委员会", parent=county, short_name="通元镇",
                               kind=O.Kind.COMMITTEE, level=O.Level.TOWN, field=O.Field.PARTY_COMMITTEE)
    for code, name in (("330424105201", "中共雪水港村总支部委员会"), ("330424105202", "中共丰义村委员会")):
        services.org_create(actor=None, code=code, name=name, parent=town, kind=O.Kind.COMMITTEE,
                            level=O.Level.GRASSROOTS, field=O.Field.VILLAGE)
    for username in ("smoke_admin", "smoke_viewer"):
        user = get_user_model().objects.create_user(username=username, password=PASSWORD, is_staff=True)
        services.role_grant(actor=None, user=user, organization=town, role=Role.TOWN_ADMIN)
    publish(FIRST, 2024, "330424105201")
    print("seed: a town, two town admins and one published campaign on the primary")


class Browser:
    """One browser: its own cookies (session, CSRF, the replica pin)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[str, bytes]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.headers.get("X-Dianti-Db", ""), response.read()

    def post(self, path: str, form: dict[str, Any]) -> tuple[str, bytes]:
        _db, page = self.get(path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, f"no CSRF token on {path}"
        data = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": token.group(1).decode()}, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + path})
        with self.opener.open(request, timeout=30) as response:
            return response.headers.get("X-Dianti-Db", ""), response.read()

    def login(self, username: str) -> None:
        self.post("/login/", {"username": username, "password": PASSWORD})
        assert any(c.name == "sessionid" for c in self.jar), f"{username} could not sign in"


def sql(port: int, query: str) -> Any:
    dbname = os.environ["DIANTI_DATABASE_URL"].rsplit("/", 1)[1]
    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname=dbname, autocommit=True) as conn:
        cursor = conn.execute(query)
        row = cursor.fetchone() if cursor.description else None
        return row[0] if row else None


PRIMARY, REPLICA = 5432, int(os.environ.get("DIANTI_REPLICA_PORT", "5433"))


def caught_up(timeout: float = 60) -> None:
    """Wait until the replica has replayed everything the primary had written when asked."""
    target = sql(PRIMARY, "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sql(REPLICA, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
            return
        time.sleep(0.2)
    raise AssertionError("the replica did not catch up")


def titles(xlsx: bytes) -> set[str]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx), read_only=True).active
    return {str(row[1]) for row in sheet.iter_rows(min_row=2, values_only=True)}


def shown_time(page: bytes) -> str | None:
    found = re.search(r"数据更新于 (\d\d:\d\d:\d\d)", page.decode())
    return found.group(1) if found else None


def served_by_replica(browser: Browser, path: str, timeout: float = 30) -> tuple[str, bytes]:
    """Ask for ``path`` until the replica serves it (a process's first look at the replica may send it away)."""
    deadline = time.monotonic() + timeout
    while True:
        db, page = browser.get(path)
        if db == "replica" or time.monotonic() > deadline:
            return db, page
        time.sleep(0.5)


def step(text: str) -> None:
    print(f"replica smoke: {text}", flush=True)


def check(base: str) -> None:
    setup()
    visitor, admin, viewer = Browser(base), Browser(base), Browser(base)
    caught_up()
    db, page = served_by_replica(visitor, PUBLIC)
    assert db == "replica" and FIRST in page.decode() and shown_time(page), (db, shown_time(page))
    step(f"the public page is served by the replica (X-Dianti-Db: {db}) and says 数据更新于 {shown_time(page)}")

    viewer.login("smoke_viewer")
    admin.login("smoke_admin")
    time.sleep(PIN + 0.5)  # signing in wrote (the last login): let the viewer's pin expire

    # A commit the replica replays, then replay paused: from here the replica's data is as of that commit.
    sql(PRIMARY, "CREATE TABLE IF NOT EXISTS replica_smoke_tick (at timestamptz); INSERT INTO replica_smoke_tick "
                 "VALUES (now())")
    caught_up()
    sql(REPLICA, "SELECT pg_wal_replay_pause()")
    paused_at = time.monotonic()
    replayed = sql(REPLICA, "SELECT pg_last_xact_replay_timestamp()")
    step(f"replay paused on the replica; its data is as of {replayed.astimezone(ZoneInfo('Asia/Shanghai')):%H:%M:%S}")

    town = sql(PRIMARY, "SELECT id FROM orgs_organization WHERE code = '330424105'")
    admin.post("/campaigns/new/", {"convener": town, "year": 2025, "title": STAFF_NEW, "direct_only": "on"})
    db, xlsx = admin.get("/campaigns/export.xlsx")
    assert db == "primary; pinned" and STAFF_NEW in titles(xlsx), (db, titles(xlsx))
    step(f"the admin who just created a campaign exports the list from the primary ({db}): the new row is there")
    db, xlsx = viewer.get("/campaigns/export.xlsx")
    assert db == "replica" and STAFF_NEW not in titles(xlsx) and FIRST in titles(xlsx), (db, titles(xlsx))
    step(f"another admin's export is served by the paused replica ({db}): the new row is not there yet")

    publish(LATE, 2026, "330424105202")
    db, page = visitor.get(PUBLIC)
    local = replayed.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M:%S")
    assert db == "replica" and LATE not in page.decode() and shown_time(page) == local, (db, shown_time(page), local)
    assert time.monotonic() - paused_at < MAX_LAG, "too slow: the replica lagged past the limit before the check"
    step(f"a campaign published meanwhile is not yet on the replica-served page, which says 数据更新于 {local}")

    while True:
        db, page = visitor.get(PUBLIC)
        if db != "replica" or time.monotonic() - paused_at > MAX_LAG + 30:
            break
        time.sleep(0.5)
    lag = (dt.datetime.now(dt.UTC) - replayed).total_seconds()
    assert db == "primary; fallback" and LATE in page.decode() and not shown_time(page), (db, shown_time(page))
    assert lag > MAX_LAG, f"fell back at a lag of {lag:.1f} s, under the limit {MAX_LAG} s"
    step(f"once the replica lags {lag:.1f} s (> {MAX_LAG:g} s) the page falls back to the primary ({db}) and shows it")

    sql(REPLICA, "SELECT pg_wal_replay_resume()")
    caught_up()
    db, page = served_by_replica(visitor, PUBLIC)
    assert db == "replica" and LATE in page.decode(), db
    step("replay resumed: the replica caught up and serves the page again, the new campaign on it")


if __name__ == "__main__":
    if sys.argv[1:2] == ["seed"]:
        seed()
    elif sys.argv[1:2] == ["check"] and len(sys.argv) == 3:
        check(sys.argv[2].rstrip("/"))
    else:
        sys.exit(__doc__)
