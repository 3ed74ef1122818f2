"""Read a production setting as a fresh process computes it, with and without Redis configured."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dianti

REDIS = "redis://127.0.0.1:6379/0"


def setting_with_and_without_redis(expression: str, var_dir: Path) -> dict[str, str]:
    """Return ``{"": value, REDIS: value}``: ``expression`` (over ``s``, the settings module) printed by a new
    interpreter with production defaults (no DIANTI_DEBUG), once without ``DIANTI_REDIS_URL`` and once with it."""
    code = f"import dianti.settings as s; print({expression})"
    src = str(Path(dianti.__file__).resolve().parents[1])
    out = {}
    for redis in ("", REDIS):
        env = {"DIANTI_REDIS_URL": redis, "PATH": "/usr/bin:/bin", "PYTHONPATH": src, "DIANTI_VAR_DIR": str(var_dir),
               "DIANTI_SECRET_KEY": "test-" + "k" * 60}
        out[redis] = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                    check=True).stdout.strip()
    return out
