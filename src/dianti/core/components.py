"""The steps of the cycle, each declared once: how a step plugs into the house.

Every app of the cycle has one ``component.py`` that calls :func:`register` with a :class:`Component`: its URLs
(staff and public), its API router, its navigation entries and who sees them, the counts it contributes, its
exports, its demo step, its background job handlers, its daily sweeps (:mod:`dianti.core.daily`), its lines on the
opinion tracking page, its to-do items for a person, what it provides other steps (a named function, e.g. the
score of record) and the domain events it publishes and subscribes to (:mod:`dianti.core.events`). The kernel never
imports an app: ``dianti/urls.py``, ``dianti/api.py``, the navigation, the demo, the stats, the daily sweeps and the
tracking page are loops over :func:`components`, in the order of the cycle. (In the spirit of Decidim's
``register_component`` and Wagtail's hooks.)

To add a step: create the app, give it a ``component.py`` registering its component (the conformance test in
``core/tests/test_components.py`` names any face that is missing), and add it to ``INSTALLED_APPS``; README.md
("How a step plugs in") lists the rest (the read table, the API's authentication, retention, the docs table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from .events import Event

_REGISTRY: dict[str, Component] = {}


@dataclass(frozen=True)
class NavEntry:
    """A link in the top bar. ``visible(user, scope)`` says who sees it; it must agree with the read table
    (:mod:`dianti.core.reads`), which the conformance test checks."""

    label: Any  # a lazy translation
    url_name: str
    visible: Callable[[Any, Any], bool]
    position: int  # place in the bar (the bar reads as the staff's week, not strictly the cycle's order)


@dataclass(frozen=True)
class Export:
    """A file a step lets staff download (``url_name`` is in the read table; ``needs`` names what it is of)."""

    label: Any
    url_name: str
    needs: str = ""  # e.g. "campaign": the URL takes that object's id
    where: str = ""  # with ``needs``: the URL name of the page listing those objects (the download centre links it)


@dataclass(frozen=True)
class TrackingStep:
    """A line on a villager's tracking page: what became of what they said."""

    label: str
    detail: str
    done: bool
    at: dt.datetime | None = None


@dataclass(frozen=True)
class TrackingPanel:
    """A block under the tracking steps: ``context(opinion)`` returns the template's context, or None to show
    nothing."""

    template: str
    context: Callable[[Any], dict[str, Any] | None]


@dataclass(frozen=True)
class Todo:
    """Something that needs this person's action now: what, where (a URL), how many, and why it is theirs."""

    label: str
    url: str
    count: int = 1
    why: str = ""


@dataclass(frozen=True)
class Component:
    label: str  # the app label, e.g. "voices"
    name: Any  # the step, as users call it: 群众点题
    order: int  # its place in the cycle (orgs first, rectification last)
    urls: str | None = None  # staff URLconf module, mounted at ``prefix``
    prefix: str = ""
    public_urls: str | None = None  # public (no login) URLconf module, mounted at ``public_prefix``
    public_prefix: str = ""
    api: str | None = None  # dotted path of its django-ninja Router, mounted at /api/v1/<api_prefix>
    api_prefix: str = ""
    nav: tuple[NavEntry, ...] = ()
    stats: Mapping[str, Callable[[str], int]] = field(default_factory=dict)  # key it owns → count for a subtree
    stats_add: Mapping[str, Callable[[str], int]] = field(default_factory=dict)  # addends to others' keys
    stat_labels: Mapping[str, Any] = field(default_factory=dict)  # of its keys, those the home page shows: names
    stat_help: Mapping[str, Any] = field(default_factory=dict)  # names of its other keys (for the API's schema)
    exports: tuple[Export, ...] = ()
    demo: Callable[..., dict[str, Any] | None] | None = None  # load(counties=N); run in cycle order
    # fill(scale): the scale counties of ``demo --counties N`` get this step's data by bulk inserts (core/demo.py)
    demo_bulk: Callable[[Any], dict[str, Any] | None] | None = None
    jobs: Mapping[str, Callable[..., Any]] = field(default_factory=dict)  # background job kind → handler
    # kind → Celery queue (core.jobs.QUEUES) for kinds that do not belong on "default": long mining or report runs go
    # to "heavy", so a busy heavy worker never delays an import or the morning's reminders ("urgent").
    job_queues: Mapping[str, str] = field(default_factory=dict)
    tracking: Callable[[Any], list[TrackingStep]] | None = None
    tracking_panel: TrackingPanel | None = None
    todo: Callable[[Any], list[Todo]] | None = None
    provides: Mapping[str, Any] = field(default_factory=dict)  # named functions other steps ask for
    publishes: tuple[Event, ...] = ()  # the events it declares (core/events.py) and publishes
    subscribes: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    retention: Mapping[str, Callable[[Any], int]] = field(default_factory=dict)  # what it erases after a cutoff
    daily: Mapping[str, Callable[[], Any]] = field(default_factory=dict)  # sweep name → run once a day (core.daily)
    phase_guards: tuple[tuple[str, str, Callable[[Any], Any]], ...] = ()  # (from, to, guard) on campaign moves
    permissions: str = ""  # its permissions module (the named checks its views and services call)


def register(component: Component) -> Component:
    """Declare a step; registering the same label again replaces it (module reloads in tests)."""
    _REGISTRY[component.label] = component
    return component


def unregister(label: str) -> None:
    """Remove a step (tests that plug a throwaway one in; see ``dianti.testing.components``)."""
    _REGISTRY.pop(label, None)


def discover() -> None:
    """Import every installed app's ``component`` module (called once, from the kernel's ``ready``)."""
    autodiscover_modules("component")


def components() -> list[Component]:
    """Return the registered steps in the order of the cycle."""
    return sorted(_REGISTRY.values(), key=lambda c: (c.order, c.label))


def get(label: str) -> Component:
    return _REGISTRY[label]


def provider(name: str) -> Any:
    """Return what some step provides under ``name``; a missing provider is a wiring error, said plainly."""
    for component in components():
        if name in component.provides:
            return component.provides[name]
    raise LookupError(f"no component provides {name!r}")


def providers(name: str) -> list[Any]:
    """Return what every step provides under ``name``, in cycle order (possibly none)."""
    return [c.provides[name] for c in components() if name in c.provides]


def navigation(user: Any, scope: Any) -> list[NavEntry]:
    """Return the entries of every step that ``user`` (with ``scope``) sees, in the bar's order."""
    entries = [e for c in components() for e in c.nav if e.visible(user, scope)]
    return sorted(entries, key=lambda e: e.position)


def stat_labels() -> list[tuple[str, Any]]:
    """Return ``(key, label)`` of every count the home page shows, in cycle order."""
    return [(key, label) for c in components() for key, label in c.stat_labels.items()]


def stat_names() -> dict[str, Any]:
    """Return the name of every declared count (shown on the home page or not), for the API's schema."""
    return {key: c.stat_labels.get(key) or c.stat_help.get(key) or key for c in components() for key in c.stats}


def todo_for(user: Any) -> list[Todo]:
    """Return what needs ``user``'s action now, step by step in cycle order."""
    return [item for c in components() if c.todo is not None for item in c.todo(user)]
