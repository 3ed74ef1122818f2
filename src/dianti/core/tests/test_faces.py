"""Every step of the cycle shows the same face (STYLE.md, habit 5): named permission checks in ``permissions.py``,
an admin with at least one model registered, and no reaching into another app's private names.

The private-name check walks the source with :mod:`ast`: ``from dianti.<app>.<module> import _name`` inside another
app fails. Tests (and their conftest.py) may reach into what they test, and the benchmark harnesses (``bench*.py``, being gathered into one
``dianti/bench`` package) share their private helpers among themselves; both are left out.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin

import dianti
from dianti.core import components

# The steps as the registry knows them (core/components.py), so a step added later is walked too.
STEP_APPS = [c.label for c in components.components() if not c.label.startswith("test_")]
ROOT = Path(dianti.__file__).parent


@pytest.mark.parametrize("app", STEP_APPS)
def test_every_step_app_has_named_permission_checks(app: str) -> None:
    module = importlib.import_module(f"dianti.{app}.permissions")
    checks = [n for n in vars(module) if n.startswith(("can_", "ensure_", "is_"))
              and getattr(vars(module)[n], "__module__", "") == module.__name__]
    assert checks, f"dianti/{app}/permissions.py names no check (can_… / ensure_…)"


def _called_elsewhere(app: str, name: str) -> bool:
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path == ROOT / app / "permissions.py":
            continue
        if name in path.read_text(encoding="utf-8"):
            return True
    return False


@pytest.mark.parametrize("app", STEP_APPS)
def test_every_permission_check_is_called_somewhere(app: str) -> None:
    module = importlib.import_module(f"dianti.{app}.permissions")
    source = (ROOT / app / "permissions.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    defined = [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]
    used_inside = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    unused = [n for n in defined if n not in used_inside and not _called_elsewhere(app, n)]
    assert not unused, f"{module.__name__}: checks nobody calls (call them where the condition is written, or drop " \
                       f"them): {unused}"


@pytest.mark.parametrize("app", STEP_APPS)
def test_every_step_app_with_models_has_an_admin(app: str) -> None:
    models = list(apps.get_app_config(app).get_models())
    if not models:
        # The portal only reads what other apps publish: it has no model of its own to register.
        assert importlib.util.find_spec(f"dianti.{app}.models") is None
        return
    assert (ROOT / app / "admin.py").exists(), f"dianti/{app}/admin.py is missing"
    assert any(admin.site.is_registered(m) for m in models), f"dianti/{app}/admin.py registers no model"


def _app_of(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    return parts[0] if len(parts) > 1 else ""


def private_imports() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if {"tests", "migrations"} & set(path.parts) or path.name.startswith("bench") or path.name == "conftest.py":
            continue
        app = _app_of(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                    and node.module.startswith("dianti.")):
                continue
            target = node.module.split(".")
            if len(target) < 2 or target[1] == app:
                continue
            private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
            if private:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {private} from {node.module}")
    return found


def test_no_app_imports_another_apps_private_names() -> None:
    found = private_imports()
    assert not found, "make them public where they live:\n" + "\n".join(found)
