"""A file cache of prepared dictionaries (jieba's with the shipped word lists), so a process starts in a fraction
of a second instead of about one — the way jieba caches its own.

Each cache file is named by a hash of everything it was made from (the caller passes those parts: versions, file
sizes, word lists), so a change to any of them makes a new file and an old one is never read. Files are written
with :mod:`marshal` (plain dicts, strings and numbers: loading one runs no code) under
``DIANTI_MINING_CACHE`` (default: the temporary directory, as jieba's), atomically; ``DIANTI_MINING_CACHE=off``
turns the cache off. A missing, partial or unreadable file, or one another user wrote, is made again.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

FORMAT = 1


def path(name: str, parts: list[str]) -> Path | None:
    """Return the cache file for ``parts`` (None when the cache is off)."""
    where = os.environ.get("DIANTI_MINING_CACHE") or tempfile.gettempdir()
    if where == "off":
        return None
    digest = hashlib.sha256()
    for part in [str(FORMAT), sys.version, str(marshal.version), *parts]:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return Path(where) / f"dianti-{name}-{digest.hexdigest()[:24]}.marshal"


def load(file: Path | None) -> Any:
    """Return what :func:`store` wrote to ``file``, or None when there is nothing (readable) there."""
    if file is None:
        return None
    try:
        with file.open("rb") as f:
            if os.fstat(f.fileno()).st_uid != os.getuid():  # only a file this user wrote (the directory may be shared)
                return None
            value = marshal.loads(f.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return value if isinstance(value, tuple) else None


def store(file: Path | None, value: tuple[Any, ...]) -> None:
    """Write ``value`` to ``file`` atomically; a cache that cannot be written is simply not kept."""
    if file is None:
        return
    partial = file.with_name(f"{file.name}.{os.getpid()}.part")
    try:
        with partial.open("wb") as f:
            marshal.dump(value, f)
        os.replace(partial, file)
    except OSError:
        partial.unlink(missing_ok=True)
