"""Materialized paths for the organization tree.

A path is the concatenation of fixed-width base-36 segments, one per level, from the root down
(``"0001"`` → ``"00010003"`` → ``"00010003002A"``). A subtree is then a half-open range of strings
``[path, successor(path))``, which every database answers from an ordinary B-tree index — no recursive walk,
no ``LIKE`` (whose index use depends on the backend's collation and case rules). Only ``0-9A-Z`` appear, so the
order is the same under the C, ICU and glibc collations.
"""

from __future__ import annotations

SEGMENT = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_CHILDREN = len(ALPHABET) ** SEGMENT - 1


def segment(n: int) -> str:
    """Return the fixed-width base-36 segment for the n-th child (1-based)."""
    if not 1 <= n <= MAX_CHILDREN:
        raise ValueError(f"child number {n} out of range 1..{MAX_CHILDREN}")
    digits = []
    for _ in range(SEGMENT):
        n, r = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[r])
    return "".join(reversed(digits))


def child_path(parent_path: str, n: int) -> str:
    """Return the path of the n-th child of ``parent_path`` (``""`` for a root)."""
    return parent_path + segment(n)


def depth(path: str) -> int:
    """Return the depth of a path; roots have depth 1."""
    return len(path) // SEGMENT


def successor(path: str) -> str:
    """Return the smallest path greater than every path in the subtree of ``path``.

    Increment the last segment as a base-36 number, carrying into the levels above; the subtree of ``path`` is
    exactly the strings ``s`` with ``path <= s < successor(path)``. The root-level maximum ``ZZZZ`` has no
    successor inside the alphabet, so it maps to ``"~"``, which sorts after every alphanumeric string.
    """
    chars = list(path)
    i = len(chars) - 1
    while i >= 0:
        pos = ALPHABET.index(chars[i])
        if pos + 1 < len(ALPHABET):
            chars[i] = ALPHABET[pos + 1]
            return "".join(chars[: i + 1])
        i -= 1
    return "~"


def ancestors(path: str) -> list[str]:
    """Return the paths of every proper ancestor of ``path``, root first."""
    return [path[:end] for end in range(SEGMENT, len(path), SEGMENT)]


def minimal_roots(paths: list[str]) -> list[str]:
    """Return the given paths without those already inside another's subtree."""
    roots: list[str] = []
    for p in sorted(set(paths)):
        if not roots or not p.startswith(roots[-1]):
            roots.append(p)
    return roots
