"""Opinions recorded where the signal drops: the recording page (voices/record.html) keeps each record on the phone
with a key it drew itself (a UUID) and sends it when the connection returns, perhaps more than once — a lost answer,
a page closed mid-send. The key makes every copy after the first return the first: one row per key and sender,
settled by the database's unique constraint (``uniq_opinion_client_key``), not by a read before the write.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from . import services
from .models import Opinion
from .permissions import ensure_can_record


def parse_key(raw: str) -> uuid.UUID:
    """Return the record's key, or raise a ValidationError a person can read."""
    try:
        return uuid.UUID(str(raw).strip())
    except (ValueError, AttributeError):
        raise ValidationError({"client_key": "这条记录缺少有效的编号，请在手机上重新保存后再上传"}) from None


def _earlier(actor: Any, key: uuid.UUID) -> Opinion | None:
    """Return the sender's record with ``key`` if it is still in their reach (their subtree or their points')."""
    found = Opinion.objects.filter(entered_by=actor, client_key=key).select_related("organization").first()
    if found is None:
        return None
    try:
        ensure_can_record(actor, found.organization, None)
    except PermissionDenied:
        raise ValidationError({"client_key": "这条记录已经上传过，但所涉组织已不在您现在的登记范围内"}) from None
    return found


def opinion_record_once(*, actor: Any, client_key: uuid.UUID, **fields: Any) -> tuple[Opinion, bool]:
    """Record an opinion gathered offline (:func:`.services.opinion_record`) once per sender and ``client_key``;
    return it and whether this call created it. A copy sent again — after, or racing, the first — returns the
    first unchanged, whatever the copy says."""
    found = _earlier(actor, client_key)
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            return services.opinion_record(actor=actor, client_key=client_key, **fields), True
    except IntegrityError:
        found = _earlier(actor, client_key)
        if found is None:
            raise
        return found, False
