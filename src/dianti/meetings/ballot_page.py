"""The evaluator's ballot page (meetings/evaluator.html), put together from parts kept per process.

A hall's phones are shown the same few pages. Each secretary's card shows one of four grades checked, or none:
such a card (no item scores, no comment: nothing the evaluator wrote) is rendered once per state and kept. The page
around the cards — the head, the evaluator's group, the progress, the notices — depends on the few values of its
state key and on the CSRF token: it is rendered once per state with a placeholder for the token and one for the
cards, and each response fills them in. A card that shows what someone wrote, and a page with errors (it shows what
was posted), are rendered for that request alone. Nothing kept holds a code, a device or a mark of anyone's but as
one of the few grades a card can show.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .models import Meeting, PanelGroup
from .selectors import SheetRow

PAGE = "meetings/evaluator.html"
CARD = "meetings/_ballot_card.html"
_KEPT_MAX = 4096
_cards: dict[tuple[Any, ...], str] = {}
_pages: dict[tuple[Any, ...], tuple[str, str]] = {}
# Placeholders no page contains otherwise (drawn per process). Both survive escaping: letters, digits and "-".
_TOKEN = f"csrf-{secrets.token_hex(16)}"
_CARDS = f"cards-{secrets.token_hex(16)}"


def _keep(store: dict[tuple[Any, ...], Any], key: tuple[Any, ...], value: Any) -> Any:
    if len(store) >= _KEPT_MAX:
        store.clear()
    store[key] = value
    return value


def cards_html(meeting: Meeting, is_open: bool, agenda: Sequence[SheetRow], mine: Mapping[int, Any],
               shown: Mapping[int, Any]) -> list[str]:
    """Return each secretary's card of the ballot (meetings/_ballot_card.html) as HTML, in agenda order. The key of
    a kept card holds everything the card template reads."""
    state = (meeting.pk, meeting.public_key, is_open, meeting.allow_revise, tuple(meeting.grades), tuple(meeting.items),
             get_language())
    cards = []
    for item in agenda:
        mark = shown.get(item.pk)
        context = {"meeting": meeting, "open": is_open, "item": item, "mine": item.pk in mine, "shown": mark}
        if mark is not None and (mark.scores or mark.comment):
            cards.append(render_to_string(CARD, context))
            continue
        key = (*state, item, item.pk in mine, mark.grade if mark is not None else None)
        html = _cards.get(key)
        cards.append(html if html is not None else _keep(_cards, key, render_to_string(CARD, context)))
    return cards


def ballot_page(request: HttpRequest, *, meeting: Meeting, group: PanelGroup, agenda: Sequence[SheetRow],
                mine: Mapping[int, Any], shown: Mapping[int, Any], errors: list[str], saved: bool) -> HttpResponse:
    """Return the ballot page: ``mine`` are the evaluator's stored marks by agenda item, ``shown`` what each card
    shows (the marks, or what was posted when ``errors`` refused it)."""
    is_open = meeting.status == Meeting.Status.OPEN
    cards = cards_html(meeting, is_open, agenda, mine, shown)
    context = {"meeting": meeting, "group": group, "errors": errors, "saved": saved, "open": is_open,
               "done": len(mine), "total": len(agenda)}
    if errors:
        return render(request, PAGE, {**context, "cards": cards}, status=400)
    # Everything the page template reads but the cards and the token; it reads nothing from the request itself.
    key = (meeting.pk, meeting.public_key, meeting.title, meeting.status, meeting.allow_revise, group.pk, group.name,
           saved, len(mine), len(agenda), get_language())
    frame = _pages.get(key)
    if frame is None:
        html = render_to_string(PAGE, {**context, "cards": [mark_safe(_CARDS)], "csrf_token": _TOKEN})
        head, tail = html.split(_CARDS)
        frame = _keep(_pages, key, (head, tail))
    token = get_token(request)  # the one the template's csrf_token would show, setting the cookie alike
    head, tail = frame
    return HttpResponse(head.replace(_TOKEN, token) + "\n\n".join(cards) + tail.replace(_TOKEN, token))
