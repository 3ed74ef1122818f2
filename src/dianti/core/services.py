"""Writes of the shared kernel that belong to no step of the cycle."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from .models import Notification


def notifications_mark_read(*, user: Any, ids: list[int]) -> int:
    """Mark the user's notifications read (all unread ones when ``ids`` is empty); return how many changed."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
