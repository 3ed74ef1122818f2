"""Personal data encrypted at rest, and keyed hashes to find it again.

One secret, ``DIANTI_DATA_KEY`` (a Fernet key: 32 random bytes in URL-safe Base64, 44 characters; make one with
``dianti datakey``), read from the environment and never stored with the data. Two keys are derived from it with
HKDF, so neither use can weaken the other:

* the **encryption key**: Fernet (AES-128-CBC + HMAC-SHA256, a fresh IV per value), for the columns of
  :class:`EncryptedCharField` — the database and every dump of it hold only tokens;
* the **search key**: HMAC-SHA256, for :class:`SearchHashField` columns beside them — equal numbers give equal
  hashes, so exact search and de-duplication still run in the database, while nobody without the key can test a
  guessed number against them (an unkeyed hash of an 11-digit phone falls to brute force in seconds).

Without ``DIANTI_DATA_KEY`` a key derived from ``SECRET_KEY`` is used, but only where the settings say
``DEBUG`` (development and the test suite); production refuses to start (check ``dianti.E101``) and refuses every
read or write of a protected column with :class:`DataKeyError`. A token made under another key, or altered, is
refused with the same error rather than shown as garbage.

To change the key: set the new one as ``DIANTI_DATA_KEY`` and the old one as ``DIANTI_DATA_KEY_OLD`` (reads accept
both), run ``dianti rekey`` (re-encrypts every column and recomputes every search hash under the new key; searches
by phone miss until it has run), then drop ``DIANTI_DATA_KEY_OLD``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import sys
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact, IsNull

ENV_VAR = "DIANTI_DATA_KEY"


class DataKeyError(ImproperlyConfigured):
    """The data key is missing, malformed, or not the one the data was encrypted with."""


def generate_key() -> str:
    """Return a new random key in the form ``DIANTI_DATA_KEY`` (and ``DIANTI_BACKUP_KEY``) expect."""
    return Fernet.generate_key().decode()


def _configured_debug() -> bool:
    # The test runner forces settings.DEBUG to False while tests run; what the deployment configured is the
    # settings module's own DEBUG, which stays as loaded.
    # (settings.SETTINGS_MODULE is None under override_settings, hence the environment.)
    module = sys.modules.get(os.environ.get("DJANGO_SETTINGS_MODULE", ""))
    return bool(getattr(module, "DEBUG", False) or settings.DEBUG)


@functools.lru_cache(maxsize=8)
def parse_key(raw: str, name: str = ENV_VAR) -> bytes:
    """Return the 32 bytes of a Fernet-style key, or raise :class:`DataKeyError` saying what is wrong."""
    try:
        key = base64.urlsafe_b64decode(raw.strip().encode())
    except (ValueError, TypeError):
        key = b""
    if len(key) != 32:
        raise DataKeyError(f"{name} 格式不正确：应为 32 字节随机数的 URL-safe Base64（44 个字符），"
                           f"可用 `dianti datakey` 生成。")
    return key


OLD_ENV_VAR = "DIANTI_DATA_KEY_OLD"


def old_master_keys() -> list[bytes]:
    """Return the retired keys (``DIANTI_DATA_KEY_OLD``, comma-separated) still accepted for reading."""
    return [parse_key(k, OLD_ENV_VAR) for k in os.environ.get(OLD_ENV_VAR, "").split(",") if k.strip()]


def master_key() -> bytes:
    """Return the data master key: ``DIANTI_DATA_KEY``, else (development only) one derived from SECRET_KEY."""
    raw = os.environ.get(ENV_VAR, "")
    if raw.strip():
        return parse_key(raw)
    if _configured_debug():
        return _derive(settings.SECRET_KEY.encode(), b"dianti development data key")
    raise DataKeyError(f"生产环境必须设置环境变量 {ENV_VAR}（个人信息加密密钥），否则无法读写手机号等个人信息。"
                       f"可用 `dianti datakey` 生成，并与数据库分开保管；丢失该密钥将无法解密已有数据。")


@functools.lru_cache(maxsize=16)
def _derive(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


@functools.lru_cache(maxsize=8)
def _keys(master: bytes) -> tuple[Fernet, bytes]:
    enc = _derive(master, b"dianti field encryption v1")
    mac = _derive(master, b"dianti search hash v1")
    return Fernet(base64.urlsafe_b64encode(enc)), mac


def derive(info: bytes) -> bytes:
    """Return a 32-byte key derived from the data master key for another purpose (``info`` names it)."""
    return _derive(master_key(), info)


def encrypt(plain: str) -> str:
    """Return ``plain`` as a Fernet token; the empty string stays empty (absence is not a secret)."""
    if not plain:
        return plain
    fernet, _mac = _keys(master_key())
    return fernet.encrypt(plain.encode()).decode()


def decrypt(token: str, *, label: str = "") -> str:
    """Return the plaintext of a token from :func:`encrypt`; refuse one made under another key or altered."""
    if not token:
        return token
    fernets = [_keys(master_key())[0], *(_keys(k)[0] for k in old_master_keys())]
    try:
        return MultiFernet(fernets).decrypt(token.encode()).decode()
    except InvalidToken:
        where = f"（{label}）" if label else ""
        raise DataKeyError(f"无法解密个人信息{where}：{ENV_VAR} 与加密时所用的密钥不同，或数据已被篡改。"
                           f"请使用原来的密钥启动。") from None


def search_hash(value: str, *, purpose: str = "") -> str:
    """Return the keyed hash (HMAC-SHA256, hex) of ``value`` for exact search; "" for an empty value."""
    if not value:
        return ""
    _fernet, mac = _keys(master_key())
    return hmac.new(mac, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def phone_hash(phone: str) -> str:
    """Return the search hash of a whole (normalised) phone number."""
    return search_hash(phone, purpose="phone")


def phone_tail_hash(phone_or_tail: str) -> str:
    """Return the search hash of a phone's last four digits (what the masked number shows anyway)."""
    tail = phone_or_tail[-4:] if len(phone_or_tail) >= 4 else ""
    return search_hash(tail, purpose="phone-tail")[:32]


class _EmptyOnlyExact(Exact):
    """``field=""`` (has no value) still works; any other equality would compare against a random token."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(f"加密字段 {self.lhs.target.name} 不能按内容查找：请用对应的 *_hash 字段"
                             f"（dianti.core.crypto.search_hash）。")
        return super().get_prep_lookup()


class EncryptedCharField(models.CharField):
    """A short text stored as a Fernet token; reads decrypt, writes encrypt, ``max_length`` is the plaintext's.

    Only ``=""`` and ``isnull`` lookups are allowed: search through a :class:`SearchHashField` beside it.
    """

    description = "Encrypted text"

    def get_internal_type(self) -> str:
        return "TextField"  # a token is ~100 characters whatever the plaintext's max_length

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        return None

    def get_transform(self, name: str) -> Any:
        return None

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value, label=f"{self.model._meta.label}.{self.name}")

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        value = super().get_db_prep_value(value, connection, prepared)
        if value is None or value == "":
            return value
        return encrypt(str(value))


class SearchHashField(models.CharField):
    """The keyed hash of another field, filled on every save (including ``bulk_create``) from ``source``.

    ``kind`` is ``"phone"`` (the whole number) or ``"phone_tail"`` (its last four digits). A
    ``save(update_fields=…)`` naming the source must name this field too; :class:`SearchHashMixin` does it.
    """

    HASHERS = {"phone": phone_hash, "phone_tail": phone_tail_hash}

    def __init__(self, *args: Any, source: str = "", kind: str = "phone", **kwargs: Any) -> None:
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"], kwargs["kind"] = self.source, self.kind
        for key, default in (("max_length", 64), ("editable", False), ("blank", True), ("db_index", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = self.HASHERS[self.kind](getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


class SearchHashMixin(models.Model):
    """Keep search hashes in step when a save names only the fields it changed."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            fields = set(update_fields)
            fields |= {f.name for f in self._meta.concrete_fields
                       if isinstance(f, SearchHashField) and f.source in fields}
            kwargs["update_fields"] = fields
        super().save(*args, **kwargs)
