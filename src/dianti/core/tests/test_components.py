"""Conformance: every step of the cycle plugs into the house the same way, through its component. A step missing
a face — or declaring one that leads nowhere — fails here, so the next step added cannot be half-plugged."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest
from django.apps import apps
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils.module_loading import import_string
from ninja import Router

from dianti.core import components, events, figures, jobs, reads, stats
from dianti.core.components import Audience, Fact, HomePanel, Todo
from dianti.core.scope import scope_for

# A step with staff pages owes every face (its figures are its counts); the public site owes its public pages and
# its permissions; a view over the others' figures that keeps no data of its own (the dashboards) owes its pages,
# its API, its place in the navigation and its permissions.
STAFF_FACES = ("urls", "api", "nav", "figures", "demo", "todo", "permissions")
PUBLIC_FACES = ("public_urls", "permissions")
READER_FACES = ("urls", "api", "nav", "permissions")
NOT_STEPS = {"core", "bench"}


def _steps() -> list[components.Component]:
    return [c for c in components.components() if not c.label.startswith("test_")]


def _url_names() -> set[str]:
    return {k for k in get_resolver().reverse_dict if isinstance(k, str)}


def test_every_app_of_the_cycle_registers_exactly_one_component() -> None:
    ours = {a.label for a in apps.get_app_configs() if a.name.startswith("dianti.")} - NOT_STEPS
    assert {c.label for c in _steps()} == ours
    orders = [c.order for c in _steps()]
    assert len(orders) == len(set(orders)), "two steps claim the same place in the cycle"


@pytest.mark.parametrize("component", _steps(), ids=lambda c: c.label)
def test_a_component_has_every_face_its_kind_owes(component: components.Component) -> None:
    keeps_data = bool(list(apps.get_app_config(component.label).get_models()))
    owed = (STAFF_FACES if keeps_data else READER_FACES) if component.urls else PUBLIC_FACES
    missing = [face for face in owed if not getattr(component, face)]
    assert not missing, f"{component.label} is missing {missing}"
    # Its named checks, and that each is called, are walked by test_faces.py.
    assert component.permissions == f"dianti.{component.label}.permissions"
    importlib.import_module(component.permissions)


@pytest.mark.parametrize("component", _steps(), ids=lambda c: c.label)
def test_its_pages_are_mounted_under_its_prefix_and_each_is_in_the_read_table(
        component: components.Component) -> None:
    for module, prefix in ((component.urls, component.prefix), (component.public_urls, component.public_prefix)):
        if not module:
            continue
        patterns = importlib.import_module(module).urlpatterns
        assert patterns and prefix.endswith("/")
        for pattern in patterns:
            assert pattern.name in reads.READS, f"{pattern.name} is not in core/reads.py"
            if not pattern.pattern.regex.groupindex:
                assert reverse(pattern.name).startswith("/" + prefix), pattern.name


@pytest.mark.parametrize("component", [c for c in _steps() if c.api], ids=lambda c: c.label)
def test_its_api_router_is_mounted_under_its_prefix(component: components.Component) -> None:
    from dianti.api import api
    from dianti.core.api import staff_auth

    assert component.api is not None and isinstance(router := import_string(component.api), Router)
    paths = api.get_openapi_schema()["paths"]
    assert any(p.startswith("/api/v1" + component.api_prefix + "/") for p in paths), component.label
    # The read table is enforced for the API by this authentication (the middleware leaves API operations to it):
    # a router without it answers anyone, signed in or not.
    assert router.auth is staff_auth, f"{component.label}: declare its router as Router(…, auth=staff_auth)"


def _keeps_device_hashes(label: str) -> list[str]:
    return [f"{m.__name__}.{f.name}" for m in apps.get_app_config(label).get_models() for f in m._meta.fields
            if f.name.endswith(("device_hash", "ip_hash"))]


@pytest.mark.parametrize("component", _steps(), ids=lambda c: c.label)
def test_a_step_that_keeps_device_hashes_declares_what_it_erases(component: components.Component) -> None:
    """PIPL art. 19: a device or address hash serves a short purpose, and the retention sweep (core/retention.py)
    only erases what a step declares in its component's ``retention``."""
    kept = _keeps_device_hashes(component.label)
    assert not kept or component.retention, f"{component.label} keeps {kept} but declares no retention"


def test_navigation_entries_lead_to_pages_their_viewers_may_read(users: Any) -> None:
    entries = [e for c in _steps() for e in c.nav]
    assert len({e.position for e in entries}) == len(entries)
    for entry in entries:
        reverse(entry.url_name)
        for name in ("county_admin", "town_admin", "secretary", "evaluator", "point_staff", "county_approver"):
            user = getattr(users, name)
            if entry.visible(user, scope_for(user)):
                assert reads.may_read(user, entry.url_name), f"{name} sees {entry.url_name} but may not read it"


def test_exports_name_pages_staff_may_read() -> None:
    names = _url_names()
    for c in _steps():
        for export in c.exports:
            assert export.url_name in names and reads.READS[export.url_name], export.url_name


def test_stats_keys_are_owned_once_and_addends_add_to_owned_keys(tree: Any) -> None:
    counted = {f.key for c in _steps() for f in c.figures if f.is_count}
    for c in _steps():
        mine = set(c.stats) | {f.key for f in c.figures if f.is_count}
        assert set(c.stat_labels) <= mine, f"{c.label} names counts it does not own"
    owned = [k for c in _steps() for k in c.stats] + [f.key for c in _steps() for f in c.figures]
    assert len(owned) == len(set(owned)), "a count or figure is owned by one step"
    assert {k for c in _steps() for k in c.stats_add} <= {k for c in _steps() for k in c.stats}
    assert {k for c in _steps() for k in c.figures_add} <= set(figures.declared())
    counts = stats.compute(tree.county.path)
    assert set(counts) == {k for c in _steps() for k in c.stats} | counted
    assert all(isinstance(v, int) for v in counts.values())


def test_job_kinds_are_declared_once_and_every_submitted_kind_is_declared() -> None:
    kinds = [k for c in _steps() for k in c.jobs]
    assert len(kinds) == len(set(kinds))
    assert set(kinds) <= set(jobs.handlers()) and all(callable(f) for f in jobs.handlers().values())


def test_todo_lists_answer_every_named_user(users: Any) -> None:
    for c in _steps():
        if c.todo is None:
            continue
        for name in ("county_admin", "town_admin", "secretary", "evaluator", "point_staff", "public"):
            items = c.todo(getattr(users, name))
            assert isinstance(items, list) and all(isinstance(i, Todo) for i in items), (c.label, name)


def test_record_and_home_faces_answer_for_every_audience_and_named_user(tree: Any, users: Any) -> None:
    from dianti.campaigns.tests.factories import in_topics

    subjects = list(in_topics(tree).subjects.select_related("campaign", "organization", "secretary"))
    for c in _steps():
        for audience, viewer in ((Audience.STAFF, users.town_admin), (Audience.SELF, users.secretary),
                                 (Audience.PUBLIC, None)):
            if c.record is not None:
                facts = c.record(subjects, audience, viewer)
                assert set(facts) <= {s.pk for s in subjects}, (c.label, audience)
                assert all(isinstance(f, Fact) for lines in facts.values() for f in lines), (c.label, audience)
        for name in ("county_admin", "town_admin", "secretary", "evaluator", "point_staff", "public"):
            if c.home is not None:
                assert all(isinstance(p, HomePanel) for p in c.home(getattr(users, name))), (c.label, name)


def test_every_subscription_is_to_a_published_event_with_a_subscriber_that_takes_its_payload() -> None:
    declared = events.declared()
    published = [e.name for c in _steps() for e in c.publishes]
    assert len(published) == len(set(published)), "an event is published by one step"
    for c in _steps():
        for name, fn in c.subscribes.items():
            assert name in declared, f"{c.label} subscribes to {name}, which no step publishes"
            inspect.signature(fn).bind(actor=None, **{key: None for key in declared[name].payload})


def test_providers_and_phase_guards_are_callables() -> None:
    for c in _steps():
        for name, provided in c.provides.items():
            assert provided is not None, name
        for source, target, guard in c.phase_guards:
            assert callable(guard) and source != target


def test_tracking_faces_are_callables_and_panel_templates_exist() -> None:
    from django.template.loader import get_template

    for c in _steps():
        if c.tracking is not None:
            assert callable(c.tracking)
        if c.tracking_panel is not None:
            get_template(c.tracking_panel.template)


def test_an_unknown_provider_is_a_plain_wiring_error() -> None:
    with pytest.raises(LookupError, match="no component provides"):
        components.provider("nothing-by-this-name")
    with pytest.raises(NoReverseMatch):
        reverse("not-a-page")


def test_docs_components_md_is_the_registry() -> None:
    from pathlib import Path

    from dianti.core.management.commands.components import markdown

    doc = Path(__file__).resolve().parents[4] / "docs" / "components.md"
    assert doc.read_text(encoding="utf-8") == markdown(), "run `dianti components > docs/components.md`"
