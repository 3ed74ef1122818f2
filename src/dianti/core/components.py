"""The steps of the cycle, each declared once: how a step plugs into the house.

Every app of the cycle has one ``component.py`` that calls :func:`register` with a :class:`Component`: its URLs
(staff and public), its API router, its navigation entries and who sees them, the counts it contributes and the
yearly figures it owns (:mod:`dianti.core.figures`), its exports, its demo step, its background job handlers, its
daily sweeps (:mod:`dianti.core.daily`), its lines on the opinion tracking page, its to-do items for a person, what
it provides other steps (a named function, e.g. the score of record) and the domain events it publishes and
subscribes to (:mod:`dianti.core.events`). The kernel never imports an app: ``dianti/urls.py``, ``dianti/api.py``,
the navigation, the demo, the stats, the figures, the daily sweeps and the tracking page are loops over
:func:`components`, in the order of the cycle. (In the spirit of Decidim's ``register_component`` and Wagtail's
hooks.)

To add a step: create the app, give it a ``component.py`` registering its component (the conformance test in
``core/tests/test_components.py`` names any face that is missing), and add it to ``INSTALLED_APPS``; README.md
("How a step plugs in") lists the rest (the read table, the API's authentication, retention, the docs table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from .events import Event
    from .figures import Figure, Grouping, Row

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
    """Something that needs this person's action now: what, where the work is done (a URL), how many, why it is
    theirs, what kind of act it asks for (审批, 点题, 上传 …) and by when (``deadline``, where one binds).
    :func:`todo_for` stamps ``step`` (the component's label) and sorts by urgency."""

    label: str
    url: str
    count: int = 1
    why: str = ""
    kind: str = ""
    deadline: dt.date | None = None
    step: str = ""

    @property
    def overdue(self) -> bool:
        """Whether the deadline has passed (today is still in time)."""
        from django.utils import timezone

        return self.deadline is not None and self.deadline < timezone.localdate()

    def urgency(self, order: int = 0) -> tuple[int, dt.date, int]:
        """Sort key: overdue first (the longest overdue first), then the nearest deadline, then the rest in cycle
        order."""
        if self.deadline is None:
            return (2, dt.date.max, order)
        return (0 if self.overdue else 1, self.deadline, order)


class Audience:
    """Who reads a record (:data:`Component.record`): staff in scope, the secretary themself, or the public."""

    STAFF = "staff"  # in scope: everything their role reads, unpublished figures marked as such
    SELF = "self"  # the secretary: what is published about them, and their own topic, voices and report
    PUBLIC = "public"  # anyone: published figures only, no personal data


@dataclass(frozen=True)
class Fact:
    """One line of a subject's record, said by the step that owns the figure (never recomputed elsewhere):
    ``key`` names it for summaries and tests ("score", "stars"), ``tone`` colours its tag ("ok", "warn", "bad")."""

    key: str
    label: Any
    value: str
    url: str = ""
    tone: str = ""
    note: str = ""


@dataclass(frozen=True)
class HomePanel:
    """A block a step adds to a person's home page (their own subjects, the cases they supervise …)."""

    template: str
    context: dict[str, Any]
    order: int = 0


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
    # The yearly figures it owns, each counted by child subtree and year in one query (core/figures.py); the plain
    # counts among them are also its subtree stats, totalled. ``figures_add``: addends to others' figures.
    figures: tuple[Figure, ...] = ()
    figures_add: Mapping[str, Callable[[Grouping], Iterable[Row]]] = field(default_factory=dict)
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
    # record(subjects, audience, viewer) → {subject id: [Fact]}: what this step says of each subject in a secretary's
    # record over the years (Audience says who reads it; viewer is the user, None for the public). Bounded queries
    # for the whole list, never per subject.
    record: Callable[[Sequence[Any], str, Any], Mapping[int, list[Fact]]] | None = None
    home: Callable[[Any], list[HomePanel]] | None = None  # blocks of a person's own home page (not staff counts)
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


def todo_for(user: Any) -> list[Todo]:
    """Return what needs ``user``'s action now, each item stamped with its step, most urgent first: overdue, then by
    deadline, then the rest in cycle order (each step's own order kept among equals)."""
    from dataclasses import replace

    keyed = [(item.urgency(i), replace(item, step=c.label))
             for i, c in enumerate(components()) if c.todo is not None for item in c.todo(user)]
    return [item for _key, item in sorted(keyed, key=lambda pair: pair[0])]


def record_facts(subjects: Sequence[Any], audience: str, viewer: Any = None) -> dict[int, list[Fact]]:
    """Return {subject id: [Fact]} from every step's ``record``, in cycle order (each step queries once for all)."""
    out: dict[int, list[Fact]] = {s.pk: [] for s in subjects}
    if not subjects:
        return out
    for c in components():
        if c.record is not None:
            for pk, facts in c.record(subjects, audience, viewer).items():
                out.setdefault(pk, []).extend(facts)
    return out


def home_panels(user: Any) -> list[HomePanel]:
    """Return the blocks every step adds to ``user``'s home page, by their order."""
    panels = [p for c in components() if c.home is not None for p in c.home(user)]
    return sorted(panels, key=lambda p: p.order)
