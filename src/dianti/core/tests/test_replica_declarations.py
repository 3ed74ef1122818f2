"""What reads the replica is declared on the views themselves, and without DIANTI_REPLICA_URL nothing changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

import dianti
from dianti.core import components

# Exports that write, and so must read the primary: printing evaluator codes issues them (the slip is the only copy).
# Asking for the annual report queues a job (a row on the primary) and answers with its progress page. Printing paper
# ballots records the serials it draws, so a later printing never repeats one.
WRITING_EXPORTS = {"meeting_codes", "dashboard_report", "meeting_paper_pdf"}
PUBLIC_PAGES = {"portal_index", "portal_campaign", "portal_campaigns", "portal_search", "portal_org", "portal_meetings",
                "portal_rectification", "portal_data", "portal_data_file", "voices_public", "voices_track",
                "voices_track_lookup", "meeting_public", "rectification_observe", "portal_record"}
# The home page and what only reads across the steps: the bar's 待办 counts, the records over the years, the dashboards.
DASHBOARDS = {"home", "todo_nav", "record_mine", "record_person", "record_org", "dashboard", "dashboard_org"}


def views_by_name(patterns: list[Any] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            found |= views_by_name(p.url_patterns)
        elif isinstance(p, URLPattern) and p.name:
            found[p.name] = p.callback
    return found


def declared() -> set[str]:
    return {name for name, view in views_by_name().items() if getattr(view, "replica_reads", False)}


def test_every_export_that_only_reads_is_declared_replica_safe() -> None:
    exports = {e.url_name for c in components.components() for e in c.exports}
    assert exports - WRITING_EXPORTS <= declared()
    assert not WRITING_EXPORTS & declared()


def test_the_public_pages_and_the_dashboard_are_declared_and_nothing_else_is() -> None:
    exports = {e.url_name for c in components.components() for e in c.exports}
    assert declared() == PUBLIC_PAGES | DASHBOARDS | (exports - WRITING_EXPORTS)


def _settings(tmp_path: Path, **env: str) -> dict[str, Any]:
    code = ("import json, dianti.settings as s; print(json.dumps({'aliases': sorted(s.DATABASES), "
            "'routers': getattr(s, 'DATABASE_ROUTERS', []), 'middleware': s.MIDDLEWARE, "
            "'processors': s.TEMPLATES[0]['OPTIONS']['context_processors']}))")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DIANTI_", "DJANGO_"))}
    clean |= {"PYTHONPATH": str(Path(dianti.__file__).resolve().parents[1]), "DIANTI_DEBUG": "1",
              "DIANTI_VAR_DIR": str(tmp_path), **env}
    out = subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("url", ["", "postgres://postgres@127.0.0.1:5433/dianti"])
def test_the_router_is_installed_only_with_a_replica_url(tmp_path: Path, url: str) -> None:
    found = _settings(tmp_path, DIANTI_REPLICA_URL=url)
    if url:
        assert found["aliases"] == ["default", "replica"]
        assert found["routers"] == ["dianti.core.dbrouter.ReplicaRouter"]
        assert found["middleware"][-1] == "dianti.core.dbrouter.ReplicaMiddleware"
        assert "dianti.core.dbrouter.freshness" in found["processors"]
    else:
        assert found["aliases"] == ["default"]
        assert found["routers"] == []
        assert not [m for m in found["middleware"] + found["processors"] if "dbrouter" in m]
