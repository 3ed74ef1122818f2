"""Organization endpoints: tree, search and detail, for staff (bearer token or session), always scoped."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from dianti.core.api import staff_auth
from dianti.core.pagination import ApiPages, Mapped

from . import selectors
from .models import Organization, mask_phone
from .permissions import can_see_full_phone

router = Router(tags=["organizations"], auth=staff_auth)


class OrgOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    level: str
    field: str
    parent: str | None
    depth: int


class TreeNodeOut(OrgOut):
    grassroots: int
    has_children: bool


class SecretaryOut(Schema):
    name: str
    phone: str


class OrgDetailOut(OrgOut):
    secretary: SecretaryOut | None
    children: list[TreeNodeOut]


def _org(o: Organization) -> dict[str, object]:
    return {"code": o.code, "name": o.name, "short_name": o.short_name, "kind": o.kind, "level": o.level,
            "field": o.field, "parent": o.parent.code if o.parent_id and o.parent else None, "depth": o.depth}


def _org_get(request: HttpRequest, code: str) -> Organization:
    """Return the organization if the user may see it; else 404 with the selector's Chinese reason (ninja's own
    404 would answer a bare "Not Found")."""
    try:
        return selectors.org_get(request.user, code)
    except Http404 as exc:
        raise HttpError(404, str(exc)) from None


def _nodes(request: HttpRequest, org: Organization) -> list[dict[str, object]]:
    return [{**_org(n.org), "parent": org.code, "grassroots": n.grassroots, "has_children": n.has_children}
            for n in selectors.tree_children(request.user, org)]


@router.get("/tree", response=list[TreeNodeOut], summary="组织树：root 的下级组织（不填则为本人可见的顶级组织）")
def tree(request: HttpRequest, root: str | None = None) -> list[dict[str, object]]:
    if root:
        return _nodes(request, _org_get(request, root))
    return [{**_org(o), "grassroots": 0, "has_children": o.child_counter > 0} for o in selectors.top_orgs(request.user)]


@router.get("/search", response=list[OrgOut], summary="按名称、简称或编码搜索组织")
@paginate(ApiPages)
def search(request: HttpRequest, q: str) -> Mapped:
    return Mapped(selectors.org_search_rows(request.user, q), _org)


@router.get("/{code}", response=OrgDetailOut, summary="组织详情")
def detail(request: HttpRequest, code: str) -> dict[str, object]:
    org = _org_get(request, code)
    sec = org.secretary
    secretary = None
    if sec is not None:
        secretary = {"name": sec.name, "phone": sec.phone if can_see_full_phone(request.user, sec) else mask_phone(sec.phone)}
    return {**_org(org), "secretary": secretary, "children": _nodes(request, org)}
