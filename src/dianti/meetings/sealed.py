"""The evaluator's code in its cookie, encrypted: a signed cookie would carry the code in clear.

The key is derived from ``SECRET_KEY`` with HKDF under a purpose of its own, so it is no other part's key; Fernet
authenticates as well as encrypts, and its timestamp bounds the cookie's age.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PURPOSE = b"dianti.meetings.evaluator-cookie.v1"


@functools.lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(code: str) -> str:
    """Return ``code`` encrypted for the evaluator's cookie."""
    return _fernet(settings.SECRET_KEY).encrypt(code.encode()).decode("ascii")


def unseal(token: str, *, max_age: int) -> str | None:
    """Return the code sealed in ``token``, or None when it is forged, damaged or older than ``max_age`` seconds."""
    try:
        return _fernet(settings.SECRET_KEY).decrypt(token.encode("ascii"), ttl=max_age).decode()
    except (InvalidToken, UnicodeError, ValueError):
        return None
