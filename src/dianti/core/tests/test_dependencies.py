"""The runtime install (``pip install .``, no dev extras) carries what production imports. The test environment
cannot show a missing package by importing it — pytest and its plugins bring their own — so this walks the declared
requirements instead; ``scripts/smoke-production.sh`` (run by ``.ci/run``) starts production from a runtime-only venv."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

PYPROJECT = Path(__file__).resolve().parents[4] / "pyproject.toml"


def _runtime_closure() -> set[tuple[str, str]]:
    """Return every (distribution, extra) the runtime requirements reach, following installed metadata; extra ""
    stands for the distribution itself."""
    todo = [Requirement(r) for r in tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]]
    seen: set[tuple[str, str]] = set()
    while todo:
        req = todo.pop()
        name = req.name.lower()
        wanted = {(name, "")} | {(name, extra) for extra in req.extras}
        if wanted <= seen:
            continue
        seen |= wanted
        for line in metadata.requires(name) or []:
            sub = Requirement(line)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in {"", *req.extras}):
                todo.append(sub)
    return seen


def test_the_runtime_install_brings_kombus_redis_transport() -> None:
    # kombu.transport.redis imports packaging (and redis); without kombu's "redis" extra a worker on Redis dies
    # at start with ModuleNotFoundError unless some unrelated package happens to pull them in.
    closure = _runtime_closure()
    assert ("kombu", "redis") in closure, "declare celery[redis] in pyproject's dependencies"
    needs = {Requirement(r).name.lower() for r in metadata.requires("kombu") or [] if "extra == \"redis\"" in r}
    assert needs and needs <= {name for name, _extra in closure}
