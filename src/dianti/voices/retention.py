"""What 群众点题 erases when its retention period has passed (``retention`` in its component; the rule and its
reasons are in :mod:`dianti.core.retention`): anonymous authors' device keys, and the device hashes and proved
phones' keys of +1s."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.db.models import Q, QuerySet

from dianti.core.retention import ERASED, placeholder_per_row

from .models import Opinion, Support


def _written_by(key: str) -> QuerySet[Opinion]:
    """Return the counted opinions in a topic whose author proved the phone of ``key`` (figures.verified_people
    counts them)."""
    return Opinion.objects.filter(author_key=key, phone_verified=True, topic__isnull=False,
                                  status=Opinion.Status.VISIBLE, duplicate_of__isnull=True)


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


def support_phones(cutoff: datetime) -> int:
    """Replace the proved phone's key of each old +1 by a key of the sweep's own (``gone:…``, salted with a value
    forgotten after the sweep): one phone's swept +1s still share a key, so a topic's verified people and the
    one-phone-per-topic constraint hold, but no phone leads to them.

    A phone's +1s are re-keyed all together, on the day its oldest passes the period (its younger ones early): swept
    on different days they would get different keys, and one person would count twice. A +1 whose phone also wrote
    one of its topic's opinions with the phone proved (an author's key is the phone's, and stays) is left
    unverified instead: the author already counts that person once, and a new key would count them again."""
    old = Support.objects.filter(created_at__lt=cutoff).exclude(phone_hash="").exclude(phone_hash__startswith=ERASED)
    salt = secrets.token_bytes(16)
    n = 0
    for key in old.order_by().values_list("phone_hash", flat=True).distinct().iterator():
        erased = ERASED + hashlib.sha256(salt + key.encode()).hexdigest()[:64 - len(ERASED)]
        rows = Support.objects.filter(phone_hash=key)
        wrote = _written_by(key).values("topic_id")
        n += rows.filter(Q(topic_id__in=wrote) | Q(opinion__topic_id__in=wrote)).update(phone_hash="")
        n += rows.update(phone_hash=erased)
    return n
