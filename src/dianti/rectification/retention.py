"""What 整改 erases when its retention period has passed (``retention`` in its component; the rule and its
reasons are in :mod:`dianti.core.retention`): the device hash of a villager's observation."""

from __future__ import annotations

from datetime import datetime

from .models import Observation


def observation_devices(cutoff: datetime) -> int:
    return Observation.objects.filter(created_at__lt=cutoff).exclude(device_hash="").update(device_hash="")
