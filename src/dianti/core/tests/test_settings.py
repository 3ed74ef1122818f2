"""Production settings come from the environment and pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import dianti as dianti_package


def dianti(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DIANTI_", "DJANGO_"))}
    # Run the same source tree as this test process, whatever the virtualenv has installed.
    src = str(Path(dianti_package.__file__).resolve().parents[1])
    clean |= {"DIANTI_VAR_DIR": str(tmp_path / "var"), "PYTHONPATH": src, **env}
    return subprocess.run([sys.executable, "-m", "dianti", *args], env=clean, capture_output=True, text=True,
                          timeout=120)


PRODUCTION = {
    "DIANTI_DEBUG": "0",
    "DIANTI_SECRET_KEY": "k3v9-Zr1qP0xL7mWc2TgYb8NfHs4JdA6eUo5iRl0pVz3KqXwBy7CtGn2MhSj9DaFe",
    "DIANTI_ALLOWED_HOSTS": "dianti.example.gov.cn",
    "DIANTI_DATA_KEY": "528g8WHfZZVB699GbAm99zwgMLWr4XFE1iq4UIwuTr0=",
}


def test_check_deploy_passes_with_production_environment(tmp_path: Path) -> None:
    result = dianti(["check", "--deploy", "--fail-level", "WARNING"], tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(("override", "warning"), [
    ({"DIANTI_DEBUG": "1"}, "security.W018"),
    ({"DIANTI_DATA_KEY": ""}, "dianti.E101"),  # no key for the phones: refuse to start
    ({"DIANTI_NOTIFY_RECEIPT_TOKEN": "receipts"}, "dianti.W002"),  # a guessable key to forge delivery receipts
])
def test_check_deploy_fails_without_a_real_secret_or_with_debug(tmp_path: Path, override: dict[str, str],
                                                                warning: str) -> None:
    result = dianti(["check", "--deploy", "--fail-level", "WARNING"], tmp_path, **(PRODUCTION | override))
    assert result.returncode != 0
    assert warning in result.stderr + result.stdout


@pytest.mark.parametrize("override", [
    {"DIANTI_SECRET_KEY": ""},
    {"DIANTI_SECRET_KEY": "dianti-insecure-development-key-change-me-in-production-0123456789"},
])
@pytest.mark.parametrize("debug", ["0", None])  # said off, or not said at all: production either way
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path: Path, override: dict[str, str],
                                                               debug: str | None) -> None:
    env = PRODUCTION | override
    if debug is None:
        del env["DIANTI_DEBUG"]
    else:
        env["DIANTI_DEBUG"] = debug
    result = dianti(["check"], tmp_path, **env)
    assert result.returncode != 0
    assert "DIANTI_SECRET_KEY 未设置（或仍是公开的开发用密钥），拒绝启动" in result.stderr


def test_the_development_path_says_so_and_then_runs_on_the_development_key(tmp_path: Path) -> None:
    result = dianti(["check"], tmp_path, DIANTI_DEBUG="1")
    assert result.returncode == 0, result.stderr
    refused = dianti(["check"], tmp_path)
    assert refused.returncode != 0 and "DIANTI_DEBUG=1" in refused.stderr
