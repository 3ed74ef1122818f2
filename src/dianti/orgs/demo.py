"""The Haiyan County demo: the county committee, its 9 towns/streets and 1,484 grassroots organizations, with
plausible fictitious people, the 120 direct-reporting and 85 observation points, and one login per role.

Organizations and people are bulk-inserted (a county is ~1,500 organizations and ~13,000 people; the scale mode
builds a hundred counties); one audit record marks each load, and the demo accounts are made through the services
so the audit log shows real entries. Deterministic (seeded) and idempotent: loading twice changes nothing.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from dianti.core import audit, bulk, crypto, paths
from dianti.core.demo import DEFER_INDEXES_FROM

from . import demo_channels, services
from .models import ADMIN_ROLES, ContactPoint, Membership, Organization, Person, Position, Role, RoleGrant

L, K, F = Organization.Level, Organization.Kind, Organization.Field
HAIYAN_CODE = "330424"
DEMO_PASSWORD = "dianti2026"

# (name, short, code, is_street, villages, communities)
HAIYAN_TOWNS = [
    ("武原街道", "武原", "330424001", True, 8, 16),
    ("西塘桥街道", "西塘桥", "330424002", True, 10, 3),
    ("望海街道", "望海", "330424003", True, 9, 3),
    ("秦山街道", "秦山", "330424004", True, 8, 3),
    ("沈荡镇", "沈荡", "330424101", False, 13, 2),
    ("百步镇", "百步", "330424102", False, 10, 2),
    ("于城镇", "于城", "330424103", False, 10, 2),
    ("澉浦镇", "澉浦", "330424104", False, 11, 2),
    ("通元镇", "通元", "330424105", False, 14, 2),
]
GRASSROOTS_PER_COUNTY = 1484
VILLAGE_BRANCHES = 3
COMMUNITY_BRANCHES = 4
DIRECT_REPORT_POINTS = 120
OBSERVATION_POINTS = 85

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文红玉兰峰斌雪梅海燕志鹏辉俊宇晨欣怡子涵浩然嘉琪佳丽雅婷振华卫东永康德明春生秋菊金根阿福水根"
PLACE = "丰联永兴长新东南华胜利民和平安富盛荣金星红光明建友谊团结五三里桥港浜塘湾庄泾溪河园林山"
ENTERPRISE = ["海盐{}机械有限公司", "海盐{}纺织有限公司", "浙江{}紧固件有限公司", "海盐{}电子科技有限公司", "{}新材料股份有限公司", "海盐{}五金制品厂", "{}食品有限公司", "海盐{}物流有限公司", "{}建设集团有限公司", "海盐{}农业发展有限公司"]
OTHER_FIELDS: list[tuple[str, float, str, str]] = [
    # field, share, name pattern, kind
    (F.PRIVATE, 0.50, "{ent}党支部", K.BRANCH),
    (F.ORGAN, 0.10, "{town}{office}党支部", K.BRANCH),
    (F.INSTITUTION, 0.10, "{town}{inst}党支部", K.BRANCH),
    (F.SCHOOL, 0.08, "海盐县{place}{school}党支部", K.BRANCH),
    (F.HOSPITAL, 0.04, "{town}{hospital}党支部", K.BRANCH),
    (F.SOE, 0.05, "海盐{place}{soe}党支部", K.BRANCH),
    (F.SOCIAL, 0.13, "{town}{social}党支部", K.BRANCH),
]
OFFICES = ["党政办", "经济发展办", "社会事务办", "综合执法队", "自然资源所", "财政所", "司法所", "农业农村办", "应急管理办", "退役军人服务站"]
INSTS = ["文化站", "农技站", "水利站", "社保所", "便民服务中心", "综合文化中心", "规划建设所", "市场监管所"]
SCHOOLS = ["小学", "初级中学", "幼儿园", "中心小学", "实验学校"]
HOSPITALS = ["卫生院", "社区卫生服务站", "中医诊所", "康复中心"]
SOES = ["水务有限公司", "城建投资公司", "供电所", "燃气公司", "粮食收储公司"]
SOCIALS = ["志愿者协会", "老年协会", "商会", "红十字会", "慈善分会", "乡贤参事会", "新联会", "快递行业协会"]


@dataclass
class _Org:
    """An organization the builder made (or, first, the existing parent it builds under, with its ``pk``)."""

    code: str
    name: str
    path: str
    depth: int
    parent_idx: int | None = None
    short_name: str = ""
    kind: str = K.BRANCH
    level: str = L.GRASSROOTS
    field: str = F.OTHER
    pk: int | None = None


@dataclass
class _Builder:
    """A county as plain rows, referring to each other by list index until :func:`_save` gives them ids."""

    rng: random.Random
    orgs: list[_Org] = field(default_factory=list)
    people: list[tuple[str, str, str, bool, int]] = field(default_factory=list)  # name, gender, phone, party, org
    memberships: list[tuple[int, int, str]] = field(default_factory=list)  # person idx, org idx, position
    secretaries: dict[int, int] = field(default_factory=dict)  # org idx -> person idx
    points: list[tuple[str, str, str, int]] = field(default_factory=list)  # kind, name, place, org idx
    counters: dict[str, int] = field(default_factory=dict)
    used_phones: set[str] = field(default_factory=set)

    def org(self, parent_idx: int | None, code: str, name: str, **kw: Any) -> int:
        parent_path = self.orgs[parent_idx].path if parent_idx is not None else ""
        n = self.counters.get(parent_path, 0) + 1
        self.counters[parent_path] = n
        path = paths.child_path(parent_path, n)
        self.orgs.append(_Org(code=code, name=name, path=path, depth=paths.depth(path), parent_idx=parent_idx, **kw))
        return len(self.orgs) - 1

    def person_name(self) -> str:
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def phone(self) -> str:
        while True:
            p = "1" + self.rng.choice("3589") + "".join(self.rng.choice("0123456789") for _ in range(9))
            if p not in self.used_phones:
                self.used_phones.add(p)
                return p

    def person(self, org_idx: int, position: str, party: bool = True, phone: bool = True) -> int:
        self.people.append((self.person_name(), self.rng.choice("MMF"), self.phone() if phone else "", party, org_idx))
        idx = len(self.people) - 1
        self.memberships.append((idx, org_idx, position))
        if position == Position.SECRETARY:
            self.secretaries[org_idx] = idx
        return idx

    def staff(self, org_idx: int, members: int) -> None:
        """Give an organization a secretary, a deputy, committee members, Party members and public representatives."""
        self.person(org_idx, Position.SECRETARY)
        if members >= 8:
            self.person(org_idx, Position.DEPUTY)
        for _ in range(2 if members < 10 else 3):
            self.person(org_idx, Position.COMMITTEE_MEMBER)
        for _ in range(max(1, members - 4)):
            self.person(org_idx, Position.PARTY_MEMBER, phone=self.rng.random() < 0.6)
        for _ in range(self.rng.choice((1, 2))):
            self.person(org_idx, Position.PUBLIC_REP, party=False, phone=self.rng.random() < 0.5)


def _place_names(rng: random.Random, n: int, suffix: str, taken: set[str]) -> Iterator[str]:
    made = 0
    while made < n:
        name = rng.choice(PLACE) + rng.choice(PLACE) + suffix
        if name not in taken and name[0] != name[1]:
            taken.add(name)
            made += 1
            yield name


def _build_county(b: _Builder, parent_idx: int | None, code: str, name: str, towns: list[tuple[Any, ...]]) -> int:
    rng = b.rng
    county = b.org(parent_idx, code, name, short_name=name.removeprefix("中共").removesuffix("委员会"),
                   kind=K.COMMITTEE, level=L.COUNTY, field=F.PARTY_COMMITTEE)
    b.staff(county, 9)
    town_idx: list[int] = []
    for tname, short, tcode, street, villages, communities in towns:
        kind = K.WORKING_COMMITTEE if street else K.COMMITTEE
        t = b.org(county, tcode, f"中共{tname}{'工作委员会' if street else '委员会'}", short_name=tname,
                  kind=kind, level=L.TOWN, field=F.PARTY_COMMITTEE)
        b.staff(t, 9)
        town_idx.append(t)
        taken: set[str] = set()
        seq = 1
        for vname in _place_names(rng, villages, "村", taken):
            v = b.org(t, f"{tcode}{200 + seq:03d}", f"中共{short}{vname}总支部委员会", short_name=vname,
                      kind=K.GENERAL_BRANCH, level=L.GRASSROOTS, field=F.VILLAGE)
            b.staff(v, rng.randint(8, 14))
            for i in range(1, VILLAGE_BRANCHES + 1):
                br = b.org(v, f"{tcode}{200 + seq:03d}{i:02d}", f"{vname}第{'一二三四五'[i - 1]}党支部",
                           kind=K.BRANCH, level=L.GRASSROOTS, field=F.VILLAGE)
                b.staff(br, rng.randint(4, 7))
            seq += 1
        for cname in _place_names(rng, communities, "社区", taken):
            c = b.org(t, f"{tcode}{seq:03d}", f"中共{short}{cname}委员会", short_name=cname,
                      kind=K.COMMITTEE, level=L.GRASSROOTS, field=F.COMMUNITY)
            b.staff(c, rng.randint(9, 14))
            for i in range(1, COMMUNITY_BRANCHES + 1):
                br = b.org(c, f"{tcode}{seq:03d}{i:02d}", f"{cname}第{'一二三四五'[i - 1]}网格党支部",
                           kind=K.BRANCH, level=L.GRASSROOTS, field=F.COMMUNITY)
                b.staff(br, rng.randint(4, 7))
            seq += 1
    _other_fields(b, county, town_idx, towns)
    return county


def _other_fields(b: _Builder, county: int, town_idx: list[int], towns: list[tuple[Any, ...]]) -> None:
    """Fill the county up to 1,484 grassroots organizations with enterprises, organs, schools, hospitals …"""
    rng = b.rng
    have = sum(1 for o in b.orgs[county:] if o.level == L.GRASSROOTS)
    remaining = GRASSROOTS_PER_COUNTY - have
    weights = [v + c * 2 for *_, v, c in towns]
    shares = [remaining * w // sum(weights) for w in weights]
    shares[0] += remaining - sum(shares)
    for t, (_tname, short, tcode, *_rest), count in zip(town_idx, towns, shares, strict=True):
        fields = rng.choices(OTHER_FIELDS, weights=[s for _, s, _, _ in OTHER_FIELDS], k=count)
        taken: set[str] = set()
        for n, (fld, _share, pattern, kind) in enumerate(fields, start=1):
            for _attempt in range(50):
                place = rng.choice(PLACE) + rng.choice(PLACE)
                name = pattern.format(
                    ent=rng.choice(ENTERPRISE).format(place), town=short, office=rng.choice(OFFICES),
                    inst=rng.choice(INSTS), place=place, school=rng.choice(SCHOOLS),
                    hospital=rng.choice(HOSPITALS), soe=rng.choice(SOES), social=rng.choice(SOCIALS),
                )
                if name not in taken:
                    break
                name = f"{name[:-3]}第{n}党支部"
            taken.add(name)
            o = b.org(t, f"{tcode}F{n:04d}", name, kind=kind, level=L.GRASSROOTS, field=fld)
            b.staff(o, rng.randint(3, 9))


def _points(b: _Builder, county: int) -> None:
    villages = [i for i, o in enumerate(b.orgs) if i > county and o.field in (F.VILLAGE, F.COMMUNITY)
                and o.kind != K.BRANCH and o.path.startswith(b.orgs[county].path)]
    for n in range(DIRECT_REPORT_POINTS):
        i = villages[n % len(villages)]
        o = b.orgs[i]
        b.points.append((ContactPoint.Kind.DIRECT_REPORT, f"{o.short_name}民情直报点{n // len(villages) + 1}",
                         f"{o.short_name}党群服务中心", i))
    step = max(1, len(villages) // OBSERVATION_POINTS)
    for n in range(OBSERVATION_POINTS):
        i = villages[(n * step) % len(villages)]
        o = b.orgs[i]
        b.points.append((ContactPoint.Kind.OBSERVATION, f"{o.short_name}组织工作观察点", f"{o.short_name}文化礼堂", i))


ORG_COLUMNS = ("id", "code", "name", "short_name", "kind", "level", "field", "parent_id", "secretary_id", "path",
               "depth", "child_counter", "is_active")
PERSON_COLUMNS = ("id", "name", "gender", "phone", "phone_hash", "phone_tail_hash", "is_party_member",
                  "organization_id", "org_path")


def _save(b: _Builder) -> None:
    """Insert everything the builder made (:func:`dianti.core.bulk.insert_rows`: COPY on PostgreSQL).

    Ids are reserved first, so every row goes in once, already wired: parents, each organization's secretary,
    memberships, points, and the child counters; only the existing parent (``b.orgs[0]``) is updated. The phone is
    stored as :class:`~dianti.orgs.models.Person` stores it: encrypted, with its two search hashes.
    """
    parent = b.orgs[0]
    org_ids = [parent.pk, *bulk.reserve_ids(Organization, len(b.orgs) - 1)]
    person_ids = bulk.reserve_ids(Person, len(b.people))
    secretary = {o: person_ids[p] for o, p in b.secretaries.items()}
    bulk.insert_rows(Organization, ORG_COLUMNS, (
        (org_ids[i], o.code, o.name, o.short_name, o.kind, o.level, o.field, org_ids[o.parent_idx or 0],
         secretary.get(i), o.path, o.depth, b.counters.get(o.path, 0), True)
        for i, o in enumerate(b.orgs) if i))
    Organization.objects.filter(pk=parent.pk).update(child_counter=b.counters[parent.path])
    bulk.insert_rows(Person, PERSON_COLUMNS, (
        (pk, name, gender, crypto.encrypt(phone), crypto.phone_hash(phone), crypto.phone_tail_hash(phone), party,
         org_ids[o], b.orgs[o].path)
        for pk, (name, gender, phone, party, o) in zip(person_ids, b.people, strict=True)))
    bulk.insert_rows(Membership, ("person_id", "organization_id", "position"),
                     ((person_ids[p], org_ids[o], pos) for p, o, pos in b.memberships))
    bulk.insert_rows(ContactPoint, ("kind", "name", "place", "organization_id", "org_path"),
                     ((kind, name, place, org_ids[o], b.orgs[o].path) for kind, name, place, o in b.points))
    for o, pk in zip(b.orgs, org_ids, strict=True):
        o.pk = pk


def _ensure_province() -> tuple[Organization, Organization]:
    province = Organization.objects.filter(code="330000").first()
    if province is None:
        province = services.org_create(actor=None, code="330000", name="中共浙江省委员会", parent=None,
                                       short_name="浙江省委", kind=K.COMMITTEE, level=L.PROVINCE, field=F.PARTY_COMMITTEE)
    city = Organization.objects.filter(code="330400").first()
    if city is None:
        city = services.org_create(actor=None, code="330400", name="中共嘉兴市委员会", parent=province,
                                   short_name="嘉兴市委", kind=K.COMMITTEE, level=L.CITY, field=F.PARTY_COMMITTEE)
    return province, city


def _load_county(parent: Organization, code: str, name: str, seed: int) -> Organization:
    b = _Builder(rng=random.Random(seed))
    b.orgs.append(_Org(code=parent.code, name=parent.name, path=parent.path, depth=parent.depth, pk=parent.pk))
    b.counters[parent.path] = parent.child_counter
    county_idx = _build_county(b, 0, code, name, HAIYAN_TOWNS if code == HAIYAN_CODE else _towns_for(code))
    _points(b, county_idx)
    _save(b)
    county = Organization.objects.get(pk=b.orgs[county_idx].pk)
    audit.record(actor="演示数据", action="demo.load", target=county, org_path=county.path,
                 note=f"载入演示县：{len(b.orgs) - 1} 个组织，{len(b.people)} 名人员，{len(b.points)} 个点位")
    return county


def _towns_for(code: str) -> list[tuple[Any, ...]]:
    return [(f"{short}镇", short, f"{code}{100 + i:03d}", False, v, c)
            for i, (_n, short, _c, _s, v, c) in enumerate(HAIYAN_TOWNS, start=1)]


DEMO_USERS = [
    # username, display name, role, organization code
    ("county_admin", "县委组织部 管理员", Role.COUNTY_ADMIN, HAIYAN_CODE),
    ("county_approver", "县委组织部 分管副部长（审批人）", Role.APPROVER, HAIYAN_CODE),
    ("town_admin", "通元镇 组织委员", Role.TOWN_ADMIN, "330424105"),
    ("secretary", None, Role.SECRETARY, "330424105201"),
    ("evaluator", "党员代表 评议人", Role.EVALUATOR, "330424105"),
    ("point_staff", "民情直报点 联络员", Role.POINT_STAFF, "330424105"),
]


def _attach_to_points(user: Any, town: Organization) -> None:
    """Make the point-staff login a person on the staff of the town's 民情直报点, so it relays for their villages."""
    person = services.person_create(actor=None, name=user.first_name, organization=town)
    person.user = user
    person.save(update_fields=["user"])
    for point in ContactPoint.objects.filter(kind=ContactPoint.Kind.DIRECT_REPORT, org_path__startswith=town.path):
        point.staff.add(person)


def _demo_users() -> list[tuple[str, str, str]]:
    user_model = get_user_model()
    made = []
    # One hash for the one published password: one per login costs a second of PBKDF2 each and protects nothing.
    hashed = functools.cache(lambda: make_password(DEMO_PASSWORD))
    for username, display, role, code in DEMO_USERS:
        org = Organization.objects.get(code=code)
        user, created = user_model.objects.get_or_create(username=username)
        if created:
            person = org.secretary if role == Role.SECRETARY else None
            user.first_name = person.name if person else (display or username)
            user.is_staff = role in (Role.COUNTY_ADMIN, Role.TOWN_ADMIN)
            user.password = hashed()
            user.save()
            if person is not None and person.user_id is None:
                person.user = user
                person.save(update_fields=["user"])
            services.role_grant(actor=None, user=user, organization=org, role=role)
            if role == Role.POINT_STAFF:
                _attach_to_points(user, org)
        made.append((username, str(Role(role).label), org.name))
    return made


def demo_admin(org: Organization) -> Any:
    """Return the demo admin of ``org`` (a town's 组织委员, the county's 组织部), so every act in the demo is made
    by the person whose job it is: 通元镇 and the county use the printed logins, other towns get their own."""
    grant = RoleGrant.objects.filter(organization=org, role__in=ADMIN_ROLES).select_related("user").first()
    if grant is not None:
        return grant.user
    user_model = get_user_model()
    template = user_model.objects.filter(username="town_admin").first()
    user, _ = user_model.objects.get_or_create(username=f"admin_{org.code}", defaults={
        "first_name": f"{org.display_name} 组织委员", "is_staff": True,
        "password": template.password if template is not None else "!"})
    role = Role.COUNTY_ADMIN if org.level == Organization.Level.COUNTY else Role.TOWN_ADMIN
    services.role_grant(actor=None, user=user, organization=org, role=role)
    return user


def demo_decider(action: str, ctx: Any) -> Any:
    """Return the person core/rules.py says decides ``action`` here (the level above, or the approver)."""
    from dianti.core import rules

    found = rules.deciders(action, ctx)
    if not found:
        raise RuntimeError(f"the demo has nobody who may {action} at {ctx.body_path}")
    return found[0]


def load(counties: int = 1) -> dict[str, Any]:
    """Load Haiyan (and ``counties - 1`` synthetic counties for scale work); return what was loaded."""
    loaded = _load(counties)
    if loaded["created"]:
        # Give the query planner statistics for the tables it has just seen grow from nothing (seconds at 100
        # counties); autovacuum would do it on PostgreSQL eventually, nothing ever does on SQLite.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {**loaded, "password": DEMO_PASSWORD}


@transaction.atomic
def _load(counties: int) -> dict[str, Any]:
    if connection.vendor == "sqlite" and counties > 1:
        # The whole load is one transaction; with SQLite's default 2 MB page cache the person indexes (a million
        # rows at 100 counties, inserted in random name/phone order) spill to disk over and over.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, this connection only
    province, city = _ensure_province()
    created = []
    scale = []
    if not Organization.objects.filter(code=HAIYAN_CODE).exists():
        created.append(_load_county(city, HAIYAN_CODE, "中共海盐县委员会", seed=330424).code)
        province.refresh_from_db()
    have = set(Organization.objects.filter(code__in=[f"99{k:04d}" for k in range(2, counties + 1)])
               .values_list("code", flat=True))
    todo = [k for k in range(2, counties + 1) if f"99{k:04d}" not in have]
    with bulk.deferred_indexes(Organization, Person, Membership, defer=len(todo) >= DEFER_INDEXES_FROM):
        for k in todo:
            province.refresh_from_db()
            county = _load_county(province, f"99{k:04d}", f"中共演示{k}县委员会", seed=k)
            created.append(county.code)
            scale.append(county.path)
    users = _demo_users()
    tongyuan = Organization.objects.filter(code="330424105201").first()
    demo_channels.load(tongyuan.secretary if tongyuan else None,
                       Person.objects.filter(user__username="point_staff").first())
    return {"created": created, "scale_counties": scale, "users": users}
