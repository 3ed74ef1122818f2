"""The benchmarks are found by looking, not by a list; ``dianti bench`` keeps its names, options and last JSON line;
and the product never imports them."""

from __future__ import annotations

import ast
import json
import pkgutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

import dianti
from dianti import bench

NAMES = {"appraisal", "ballots", "ballots_crash", "classify", "demo", "mine", "names", "omr", "opendata", "pages",
         "paraphrase",
         "recompute", "todo", "tree"}


def test_every_module_of_the_package_is_looked_in() -> None:
    assert set(bench.load_all()) == NAMES


def test_a_benchmark_that_cannot_be_imported_fails_the_command_instead_of_vanishing(monkeypatch) -> None:
    real = pkgutil.iter_modules

    def with_a_broken_one(path):  # type: ignore[no-untyped-def]
        yield from real(path)
        yield pkgutil.ModuleInfo(None, "needs_a_missing_package", False)  # type: ignore[arg-type]

    monkeypatch.setattr(bench.pkgutil, "iter_modules", with_a_broken_one)
    with pytest.raises(ModuleNotFoundError):
        bench.load_all()


def test_list_names_every_benchmark() -> None:
    out = StringIO()
    call_command("bench", "list", stdout=out)
    assert {line.split()[0] for line in out.getvalue().splitlines()} == NAMES


def test_a_run_prints_its_figures_as_one_json_object_last() -> None:
    out = StringIO()
    call_command("bench", "appraisal", "-o", "subjects=300", "-o", "ballots=3000", "-o", "sample=50", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "== bench appraisal =="
    figures = json.loads(lines[-1])
    assert figures["subjects"] == 300 and figures["mismatched_subjects"] == 0


def test_an_unknown_name_is_refused_with_the_names_there_are() -> None:
    with pytest.raises(CommandError, match="appraisal"):
        call_command("bench", "nonesuch", stdout=StringIO())


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.update([node.module, *(f"{node.module}.{alias.name}" for alias in node.names)])
    return names


def test_the_product_never_imports_the_benchmarks() -> None:
    package = Path(dianti.__file__).resolve().parent
    offenders = sorted(str(path.relative_to(package)) for path in package.rglob("*.py")
                       if not path.is_relative_to(package / "bench")
                       and any(name == "dianti.bench" or name.startswith("dianti.bench.") for name in _imports(path)))
    assert not offenders, offenders
