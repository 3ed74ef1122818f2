"""Plug a throwaway step into the house for one test: ``with subscribed("meeting_closed", fn): …``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from dianti.core import components


@contextmanager
def plugged(component: components.Component) -> Iterator[components.Component]:
    components.register(component)
    try:
        yield component
    finally:
        components.unregister(component.label)


@contextmanager
def subscribed(event: str, fn: Callable[..., Any], *, label: str = "test_listener") -> Iterator[None]:
    """Subscribe ``fn`` to ``event`` for the duration of the block, as a step named ``label`` would."""
    with plugged(components.Component(label=label, name=label, order=999, subscribes={event: fn})):
        yield
