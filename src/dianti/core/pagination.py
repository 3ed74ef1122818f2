"""One way to cut a list into pages, for every list page, partial and export-free read: :func:`paginate` (a
request's ``?page=``) and :func:`page_of` (a page number the caller already has). Pages render their pager with
``{% include "core/_pager.html" %}`` (上一页 / 第 N 页 共 M 页 / 下一页), which keeps the request's other query
parameters and, given ``hx_target``, swaps the next page into an HTMX partial instead of navigating. API lists
are paged by django-ninja with :class:`ApiPages` (``@paginate(ApiPages)``, returning :class:`Mapped` rows).

A page asks the database for one ``COUNT`` and one slice, however long the list; what each row shows must come
with the slice (``select_related``, ``prefetch_related``, annotations), never from a query per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

T = TypeVar("T")

#: Rows per page on every staff and public list (desktop tables and phone lists alike).
PER_PAGE = 50
#: The most rows one API call may ask for (``?limit=``).
API_MAX_LIMIT = 200


def page_of(rows: QuerySet[Any] | Sequence[T], number: object, per_page: int | None = None) -> Page:
    """Return page ``number`` of ``rows`` (the first for a missing or malformed number, the last past the end),
    :data:`PER_PAGE` rows a page unless ``per_page`` says otherwise."""
    return Paginator(rows, per_page or PER_PAGE).get_page(number)


def paginate(request: HttpRequest, rows: QuerySet[Any] | Sequence[T], per_page: int | None = None,
             param: str = "page") -> Page:
    """Return the page of ``rows`` the request's ``?page=`` (or ``param``) asks for."""
    return page_of(rows, request.GET.get(param), per_page)


class Mapped(Sequence[Any]):
    """``rows`` (a query set) seen through ``fn`` one slice at a time: what an API list returns to
    :class:`ApiPages`, which counts it and maps only the slice it sends."""

    def __init__(self, rows: QuerySet[Any], fn: Callable[[Any], Any]) -> None:
        self.rows, self.fn = rows, fn

    def all(self) -> Mapped:
        return self

    def count(self, value: object = None) -> int:  # type: ignore[override]
        return int(self.rows.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self.fn(row) for row in self.rows[index]]
        return self.fn(self.rows[index])


API_MAX_OFFSET = 2**31 - 1


class ApiPages(LimitOffsetPagination):
    """The API's lists: ``?limit=`` (default :data:`PER_PAGE`, at most :data:`API_MAX_LIMIT`) and ``?offset=``,
    answered as ``{"items": […], "count": N}``."""

    class Input(Schema):
        limit: int = Field(PER_PAGE, ge=1, le=API_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=API_MAX_OFFSET)  # past it the database's integers overflow (a 500)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=API_MAX_LIMIT, **kwargs)
