"""待办 as the pages show it: the whole list, fresh, on the home page; its counts in the navigation on every page.

The list is every step's to-do face (:func:`components.todo_for`): a few bounded queries per step, fine for the one
page that shows it, too many to add to every page a person opens. So no page but home pays for the counts: the bar
is drawn without them and asks ``todo_nav`` for itself once the page has loaded (HTMX), which answers from a
:class:`Summary` kept in the shared cache at most :data:`TODO_SECONDS` per person. The home page refreshes it, and a
person's own act (any successful POST, :class:`TodoRefreshMiddleware`) drops it, so what they just did shows at once.
What others do reaches their badge within :data:`TODO_SECONDS` (a list submitted to the county shows on the county's
badge within a minute, on its home page at once).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from . import components
from .components import Todo

TODO_SECONDS = 60


@dataclass(frozen=True)
class Summary:
    """What the navigation shows of a person's to-do list: how many items, how many overdue, and where each leads."""

    urls: tuple[str, ...]
    overdue: int = 0

    @property
    def total(self) -> int:
        return len(self.urls)

    def badges(self, entries: Iterable[str]) -> dict[str, int]:
        """Return {entry URL: items} for the navigation ``entries``: an item counts on the entry whose URL is the
        longest prefix of its own (a list to approve at /campaigns/5/ on 述职活动 at /campaigns/); the home
        page's "/" is no entry's prefix here. Entries with nothing are left out."""
        prefixes = sorted((u for u in entries if u != "/"), key=len, reverse=True)
        out: dict[str, int] = {}
        for url in self.urls:
            entry = next((p for p in prefixes if url.startswith(p)), None)
            if entry is not None:
                out[entry] = out.get(entry, 0) + 1
        return out


def _key(user: Any) -> str:
    return f"dianti:todo:{user.pk}"


def summarize(items: Iterable[Todo]) -> Summary:
    listed = list(items)
    return Summary(tuple(i.url for i in listed), sum(1 for i in listed if i.overdue))


def fresh(user: Any) -> list[Todo]:
    """Return the person's to-do list now (the home page) and keep its summary for the navigation."""
    items = components.todo_for(user)
    cache.set(_key(user), summarize(items), TODO_SECONDS)
    return items


def summary(user: Any) -> Summary:
    """Return the navigation's summary: as kept, or counted now when it has expired or was dropped."""
    found = cache.get(_key(user))
    if isinstance(found, Summary):
        return found
    summarize_now = summarize(components.todo_for(user))
    cache.set(_key(user), summarize_now, TODO_SECONDS)
    return summarize_now


def forget(user: Any) -> None:
    """Drop the kept summary: the next page counts afresh."""
    cache.delete(_key(user))


class TodoRefreshMiddleware:
    """After a person's successful write (a POST answered below 400: a form saved, a button pressed), drop their
    kept summary, so the page they land on counts what is left."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.method == "POST" and response.status_code < 400 and getattr(user, "is_authenticated", False):
            forget(user)
        return response
