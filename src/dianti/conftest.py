"""Shared test fixtures: a small county tree and the named users every app's tests speak of.

Tree (codes):  T (330424, county) ─┬─ TA (town A, 330424105) ─┬─ VA1 (village, grassroots) ─ VA1B (branch)
                                   │                           └─ VA2 (village)
                                   └─ TB (town B, 330424104) ─── VB1 (village)
Users: county_admin (on T), county_approver (审批人 on T: approves what the county itself decides, there being
nothing above T), town_admin (on TA), other_town_admin (on TB), secretary (on VA1), evaluator (on TA),
point_staff (on TA), public (no grants), superuser.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

pytest_plugins = ["dianti.testing.browser"]

# Phones are encrypted under DIANTI_DATA_KEY (dianti.core.crypto); the suite runs under a fixed test key whatever
# DEBUG defaults to, so it never depends on the development fallback.
os.environ.setdefault("DIANTI_DATA_KEY", "ZGlhbnRpLXRlc3Qtb25seS1kYXRhLWtleS0wMDAwMDA=")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Test on an SQLite file, as production runs, not in shared memory: there concurrent writers fail at once with
    "database table is locked" instead of waiting, so threads could not race on it (see meetings' test_concurrency).
    One file per process, so parallel workers and parallel runs in one checkout never share it."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME"):
        db.setdefault("TEST", {})["NAME"] = str(Path(tempfile.gettempdir()) / f"dianti-test-{os.getpid()}.sqlite3")


@dataclass
class Tree:
    county: Any
    town_a: Any
    town_b: Any
    village_a1: Any
    village_a1_branch: Any
    village_a2: Any
    village_b1: Any


@pytest.fixture
def tree(db: Any) -> Tree:
    from dianti.orgs import services
    from dianti.orgs.models import Organization as O

    L, K, F = O.Level, O.Kind, O.Field
    county = services.org_create(actor=None, code="330424", name="中共海盐县委员会", parent=None, short_name="海盐县委",
                                 kind=K.COMMITTEE, level=L.COUNTY, field=F.PARTY_COMMITTEE)
    town_a = services.org_create(actor=None, code="330424105", name="中共通元镇委员会", parent=county, short_name="通元镇",
                                 kind=K.COMMITTEE, level=L.TOWN, field=F.PARTY_COMMITTEE)
    town_b = services.org_create(actor=None, code="330424104", name="中共澉浦镇委员会", parent=county, short_name="澉浦镇",
                                 kind=K.COMMITTEE, level=L.TOWN, field=F.PARTY_COMMITTEE)
    va1 = services.org_create(actor=None, code="330424105201", name="中共雪水港村总支部委员会", parent=town_a,
                              short_name="雪水港村", kind=K.GENERAL_BRANCH, level=L.GRASSROOTS, field=F.VILLAGE)
    va1b = services.org_create(actor=None, code="33042410520101", name="雪水港村第一党支部", parent=va1,
                               kind=K.BRANCH, level=L.GRASSROOTS, field=F.VILLAGE)
    va2 = services.org_create(actor=None, code="330424105202", name="中共丰义村委员会", parent=town_a,
                              short_name="丰义村", kind=K.COMMITTEE, level=L.GRASSROOTS, field=F.VILLAGE)
    vb1 = services.org_create(actor=None, code="330424104201", name="中共长墙山村委员会", parent=town_b,
                              short_name="长墙山村", kind=K.COMMITTEE, level=L.GRASSROOTS, field=F.VILLAGE)
    return Tree(county, town_a, town_b, va1, va1b, va2, vb1)


@dataclass
class Users:
    county_admin: Any
    town_admin: Any
    other_town_admin: Any
    secretary: Any
    evaluator: Any
    point_staff: Any
    public: Any
    superuser: Any
    county_approver: Any = None


@pytest.fixture
def users(tree: Tree) -> Users:
    from dianti.orgs import services
    from dianti.orgs.models import Position, Role

    user_model = get_user_model()

    def make(username: str, org: Any, role: str | None, name: str) -> Any:
        user = user_model.objects.create_user(username=username, password="pw-" + username, first_name=name,
                                              is_staff=role in (Role.COUNTY_ADMIN, Role.TOWN_ADMIN))
        if role:
            services.role_grant(actor=None, user=user, organization=org, role=role)
        return user

    secretary = make("secretary", tree.village_a1, Role.SECRETARY, "张书记")
    person = services.person_create(actor=None, name="张书记", organization=tree.village_a1, phone="13812345678",
                                    is_party_member=True, gender="M")
    person.user = secretary
    person.save(update_fields=["user"])
    services.membership_add(actor=None, person=person, organization=tree.village_a1, position=Position.SECRETARY)
    return Users(
        county_admin=make("county_admin", tree.county, Role.COUNTY_ADMIN, "县组织部"),
        town_admin=make("town_admin", tree.town_a, Role.TOWN_ADMIN, "通元镇管理员"),
        other_town_admin=make("other_town_admin", tree.town_b, Role.TOWN_ADMIN, "澉浦镇管理员"),
        secretary=secretary,
        evaluator=make("evaluator", tree.town_a, Role.EVALUATOR, "评议人"),
        point_staff=make("point_staff", tree.town_a, Role.POINT_STAFF, "直报点联络员"),
        public=make("public", tree.county, None, "群众"),
        superuser=user_model.objects.create_superuser(username="root", password="pw-root"),
        county_approver=make("county_approver", tree.county, Role.APPROVER, "县委组织部分管领导"),
    )


@pytest.fixture(autouse=True)
def _jobs_inline(settings: Any) -> None:
    """Background jobs run inline in tests, so a test sees the finished job."""
    settings.JOBS_BACKEND = "sync"


@pytest.fixture(autouse=True)
def _cache_in_memory(settings: Any) -> None:
    """Rate-limit counters in process memory, fresh per test, so tests that never touch the database may clear
    them; the shared database and Redis backends are tested on their own (core/tests/test_ratelimit.py)."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "dianti-tests"}}
    cache.clear()
