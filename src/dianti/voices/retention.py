"""What 群众点题 erases when its retention period has passed (``retention`` in its component; the rule and its
reasons are in :mod:`dianti.core.retention`): anonymous authors' device keys and the device hashes of +1s."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from dianti.core.retention import ERASED, placeholder_per_row

from .models import Opinion, Support


def opinion_devices(cutoff: datetime) -> int:
    old = Opinion.objects.filter(created_at__lt=cutoff, author_key__startswith="dev:")
    salt = secrets.token_bytes(16)  # forgotten after this sweep: the new keys cannot be traced to a device
    n = 0
    for key in old.order_by().values_list("author_key", flat=True).distinct().iterator():
        anon = "anon:" + hashlib.sha256(salt + key.encode()).hexdigest()[:56]
        n += old.filter(author_key=key).update(author_key=anon)
    return n


def support_devices(cutoff: datetime) -> int:
    return (Support.objects.filter(created_at__lt=cutoff).exclude(device_hash__startswith=ERASED)
            .update(device_hash=placeholder_per_row()))
