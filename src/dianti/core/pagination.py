"""One way to cut a list into pages, for every list page, partial and export-free read: :func:`paginate` (a
request's ``?page=``) and :func:`page_of` (a page number the caller already has). Pages render their pager with
``{% include "core/_pager.html" %}`` (上一页 / 第 N 页 共 M 页 / 下一页), which keeps the request's other query
parameters and, given ``hx_target``, swaps the next page into an HTMX partial instead of navigating. API lists
are paged by django-ninja with :class:`ApiPages` (``@paginate(ApiPages)``, returning :class:`Mapped` rows).

A page asks the database for one ``COUNT`` and one slice, however long the list; what each row shows must come
with the slice (``select_related``, ``prefetch_related``, annotations), never from a query per row. The count
stops at :data:`COUNT_CAP` (:func:`capped_count`): a list longer than that — a province's people, a search for
one common character — is shown as "10,000+ 条" with its first :data:`COUNT_CAP` rows reachable by the pager, since
counting a million rows to print one number costs more than the page itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

T = TypeVar("T")

#: Rows per page on every staff and public list (desktop tables and phone lists alike).
PER_PAGE = 50
#: The most rows one API call may ask for (``?limit=``).
API_MAX_LIMIT = 200
#: Lists are counted up to this many rows; a longer one says "10,000+" (a multiple of :data:`PER_PAGE`).
COUNT_CAP = 10_000


def capped_count(rows: QuerySet[Any] | Sequence[Any], cap: int | None = None) -> int:
    """Return how many rows ``rows`` holds, but at most ``cap`` + 1 (default :data:`COUNT_CAP`): more than ``cap``
    means "``cap``+". A query set is counted by one ``COUNT`` over a ``LIMIT``-ed, unordered subquery, which stops
    reading after ``cap`` + 1 rows."""
    limit = (COUNT_CAP if cap is None else cap) + 1
    if isinstance(rows, QuerySet):
        return int(rows.order_by()[:limit].count())
    return min(len(rows), limit)


class CappedPaginator(Paginator):
    """Django's paginator with its count capped (:func:`capped_count`): past :data:`COUNT_CAP` rows, ``capped`` is
    true, ``count`` is the cap + 1 and the pages stop at the cap."""

    @property
    def cap(self) -> int:
        return COUNT_CAP

    @cached_property
    def count(self) -> int:
        return capped_count(self.object_list, self.cap)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def count_text(self) -> str:
        """Return the count as pages print it: "1,234", or "10,000+" past the cap."""
        return f"{self.cap:,}+" if self.capped else f"{self.count:,}"

    @cached_property
    def num_pages(self) -> int:
        if self.capped:
            return -(-self.cap // self.per_page)
        return int(super().num_pages)


def page_of(rows: QuerySet[Any] | Sequence[T], number: object, per_page: int | None = None) -> Page:
    """Return page ``number`` of ``rows`` (the first for a missing or malformed number, the last past the end),
    :data:`PER_PAGE` rows a page unless ``per_page`` says otherwise, counted up to :data:`COUNT_CAP`."""
    return CappedPaginator(rows, per_page or PER_PAGE).get_page(number)


def paginate(request: HttpRequest, rows: QuerySet[Any] | Sequence[T], per_page: int | None = None,
             param: str = "page") -> Page:
    """Return the page of ``rows`` the request's ``?page=`` (or ``param``) asks for."""
    return page_of(rows, request.GET.get(param), per_page)


class Mapped(Sequence[Any]):
    """``rows`` (a query set) seen through ``fn`` one slice at a time: what an API list returns to
    :class:`ApiPages`, which counts it and maps only the slice it sends. ``many`` maps a whole slice at once, for
    rows whose fields come from a query per page (``in_bulk``, grouped counts) rather than per row."""

    def __init__(self, rows: QuerySet[Any], fn: Callable[[Any], Any] | None = None, *,
                 many: Callable[[list[Any]], list[Any]] | None = None) -> None:
        if (fn is None) == (many is None):
            raise TypeError("Mapped takes one of fn and many")
        self.rows, self.fn, self.many = rows, fn, many

    def _map(self, page: list[Any]) -> list[Any]:
        if self.many is not None:
            return self.many(page)
        return [self.fn(row) for row in page]  # type: ignore[misc]

    def all(self) -> Mapped:
        return self

    def count(self, value: object = None) -> int:  # type: ignore[override]
        return capped_count(self.rows)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return self._map(list(self.rows[index]))
        return self._map([self.rows[index]])[0]


API_MAX_OFFSET = 2**31 - 1


class ApiPages(LimitOffsetPagination):
    """The API's lists: ``?limit=`` (default :data:`PER_PAGE`, at most :data:`API_MAX_LIMIT`) and ``?offset=``,
    answered as ``{"items": […], "count": N, "count_capped": false}``; past :data:`COUNT_CAP` rows ``count`` is
    the cap + 1 and ``count_capped`` true (:func:`capped_count`)."""

    class Input(Schema):
        limit: int = Field(PER_PAGE, ge=1, le=API_MAX_LIMIT, description=f"每页条数（默认 {PER_PAGE}，最多 {API_MAX_LIMIT}）")
        # Past API_MAX_OFFSET the database's integers overflow (a 500).
        offset: int = Field(0, ge=0, le=API_MAX_OFFSET, description="跳过前多少条（翻页：offset = 页码 × limit）")

    class Output(Schema):
        items: list[Any] = Field(description="本页的条目")
        count: int = Field(description=f"共多少条；超过 {COUNT_CAP:,} 条时为 {COUNT_CAP + 1}（count_capped 为 true）")
        count_capped: bool = Field(description=f"是否超过 {COUNT_CAP:,} 条、只计到此为止")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=API_MAX_LIMIT, **kwargs)

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        answer = super().paginate_queryset(queryset, pagination, request, **params)
        return {**answer, "count_capped": answer["count"] > COUNT_CAP}
