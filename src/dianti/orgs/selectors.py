"""Scoped reads of organizations and people. Every function takes the asking user and returns only what that
user may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.db import connection
from django.db.models import BooleanField, Case, Count, Func, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Substr
from django.http import Http404

from dianti.core import crypto, pagination, paths, scope

from .models import Membership, Organization, Person, Position, RoleGrant
from .permissions import ensure_can_view_org


def visible_orgs(user: Any) -> QuerySet[Organization]:
    return scope.restrict(Organization.objects.all(), user)


def visible_people(user: Any) -> QuerySet[Person]:
    return scope.restrict(Person.objects.all(), user, "org_path")


def org_get(user: Any, code: str) -> Organization:
    """Return the organization with ``code`` if the user may see it; otherwise 404 (not 403: no existence leak)."""
    try:
        return visible_orgs(user).select_related("parent", "secretary").get(code=code)
    except Organization.DoesNotExist:
        raise Http404("找不到该组织，或您无权查看") from None


def person_get(user: Any, pk: int) -> Person:
    try:
        return visible_people(user).select_related("organization", "user").get(pk=pk)
    except Person.DoesNotExist:
        raise Http404("找不到该人员，或您无权查看") from None


def top_orgs(user: Any) -> list[Organization]:
    """Return the roots of the user's view: the organizations their grants are on (all roots for a superuser)."""
    sc = scope.scope_for(user)
    qs = Organization.objects.select_related("secretary")
    if sc.everything:
        return list(qs.filter(parent__isnull=True))
    return list(qs.filter(path__in=sc.view_roots))


@dataclass(frozen=True)
class TreeNode:
    org: Organization
    grassroots: int
    has_children: bool


def tree_children(user: Any, org: Organization, number: object = 1) -> Page:
    """Return page ``number`` of the children of ``org`` (:data:`~dianti.core.pagination.PER_PAGE` a page), each a
    :class:`TreeNode` with the number of grassroots organizations below it: three queries (count, slice, badges)
    however many children ``org`` has."""
    ensure_can_view_org(user, org)
    page = pagination.page_of(org.children.select_related("secretary").order_by("path"), number)
    children = list(page.object_list)
    if not children:
        page.object_list = []
        return page
    width = len(org.path) + paths.SEGMENT
    # Every condition is on a column of org_level_path_idx (path > org.path drops org itself), so the counts
    # come from one index range scan without touching the table; only this page's branches are counted.
    counts = dict(
        Organization.objects.subtree(org.path)
        .filter(path__gt=org.path, path__gte=children[0].path, path__lt=paths.successor(children[-1].path),
                level=Organization.Level.GRASSROOTS, is_active=True)
        .annotate(branch=Substr("path", 1, width))
        .values("branch")
        .annotate(n=Count("*"))
        .values_list("branch", "n")
    )
    page.object_list = [TreeNode(c, counts.get(c.path, 0), c.child_counter > 0) for c in children]
    return page


def org_matches(user: Any, query: str) -> QuerySet[Organization]:
    """The organizations the user may see whose name, short name or code (from its start) matches ``query``; all
    of them for an empty query."""
    return name_matches(visible_orgs(user), query, wide=scope.scope_for(user).wide)


def public_search_rows(query: str) -> QuerySet[Organization]:
    """Return the active organizations whose name, short name or code matches ``query``, shallowest first, for the
    public site (anyone may look up a village: names and codes of organizations are public); none for no query."""
    if not query.strip():
        return Organization.objects.none()
    rows = name_matches(Organization.objects.filter(is_active=True), query, wide=True)
    return rows.select_related("parent").order_by("depth", "path")


def name_matches(qs: QuerySet[Organization], query: str, *, wide: bool) -> QuerySet[Organization]:
    """Narrow ``qs`` to the organizations whose name, short name or code (from its start) matches ``query``;
    ``wide`` when ``qs`` spans more than a county (PostgreSQL then narrows by the name-grams index first)."""
    query = query.strip()
    if query:
        by_code = Q(code__startswith=query)
        if connection.vendor == "postgresql" and wide:
            # Over a province the GIN index narrows to names holding every character and pair of the query, LIKE
            # below confirms; a county's range is scanned faster than the index's matches in the whole tree are
            # fetched. A subquery of ids, so the rows found are not gram'd again one by one (≈15–50 µs a row).
            grams = _GramsContain(_Grams("name", "short_name"), _Grams(Value(query), Value("")))
            qs = qs.filter(Q(pk__in=Organization.objects.filter(grams).values("pk")) | by_code)
        qs = qs.filter(Q(name__icontains=query) | Q(short_name__icontains=query) | by_code)
    return qs


class _Grams(Func):
    """The upper-cased characters and pairs of characters of two texts (PostgreSQL, orgs/migrations/0005)."""

    function = "dianti_name_grams"
    output_field = TextField()  # a text[]; only ever compared by :class:`_GramsContain`


class _GramsContain(Func):
    """Whether the first gram array holds every gram of the second: implied by a ``LIKE '%q%'`` match, and
    answered by the GIN index ``org_name_grams_idx`` instead of reading every name."""

    arg_joiner = " @> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def org_search_rows(user: Any, query: str) -> QuerySet[Organization]:
    """Return the organizations the user sees whose name, short name or code matches ``query``, shallowest first;
    none for an empty query (a search, unlike the roster export, needs something to look for)."""
    if not query.strip():
        return Organization.objects.none()
    return org_matches(user, query).select_related("parent", "secretary").order_by("depth", "path")


def org_search(user: Any, query: str, limit: int = 50) -> list[Organization]:
    return list(org_search_rows(user, query)[:limit])


def org_breadcrumbs(user: Any, org: Organization) -> list[Organization]:
    sc = scope.scope_for(user)
    visible = [p for p in paths.ancestors(org.path) if sc.can_view_path(p)]
    return list(Organization.objects.filter(path__in=visible).order_by("path"))


def org_members(org: Organization) -> QuerySet[Membership]:
    """Return the organization's memberships in rank order (书记, 副书记, 委员, 党员 …), then by name."""
    rank = Case(*[When(position=p, then=Value(i)) for i, p in enumerate(Position.values)], default=Value(99))
    return (Membership.objects.filter(organization=org).select_related("person")
            .order_by(rank, "person__name", "pk"))


def org_roles(org: Organization) -> QuerySet[RoleGrant]:
    return RoleGrant.objects.filter(organization=org).select_related("user")


def people_search(user: Any, query: str = "", org: Organization | None = None) -> QuerySet[Person]:
    qs = visible_people(user).select_related("organization")
    if org is not None:
        qs = qs.filter(org_path__gte=org.path, org_path__lt=paths.successor(org.path))
    query = query.strip()
    if query:
        qs = qs.filter(Q(name__icontains=query) | _by_phone(user, query))
    return qs.order_by("org_path", "id")


def _by_phone(user: Any, query: str) -> Q:
    """Match a whole number or its last four digits, through the keyed hashes (phones are stored encrypted)."""
    digits = query.replace(" ", "").replace("-", "")
    if not digits.isdigit():
        return Q(pk__in=[])
    if len(digits) == 4:
        return Q(phone_tail_hash=crypto.phone_tail_hash(digits))
    if len(digits) == 11:
        # Matching a whole number would confirm the masked middle of it: only where the user sees whole numbers.
        return Q(phone_hash=crypto.phone_hash(digits)) & scope.path_filter(user, "org_path", manage=True)
    return Q(pk__in=[])


def person_memberships(user: Any, person: Person) -> QuerySet[Membership]:
    """Return the person's positions in the organizations the user may see."""
    return scope.restrict(person.memberships.select_related("organization"), user, "organization__path")
