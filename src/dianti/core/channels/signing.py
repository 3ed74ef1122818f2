"""The providers' request signatures, as their documentation specifies them (pure functions, no Django).

* Alibaba Cloud RPC signature v1 (SendSms): sort the parameters by name, percent-encode names and values
  (RFC 3986: only ``A–Z a–z 0–9 - _ . ~`` stay; a space is ``%20``), join as ``k=v`` with ``&``; sign
  ``METHOD&%2F&`` + the percent-encoded result with HMAC-SHA1 under ``AccessKeySecret + "&"``; Base64.
* Tencent Cloud API 3.0, TC3-HMAC-SHA256: a canonical request (method, ``/``, empty query, the signed headers
  ``content-type`` and ``host``, SHA-256 of the body), signed by a key derived from ``"TC3" + SecretKey`` through the
  UTC date, the service and ``tc3_request``.

Both are checked against the worked examples of the providers' documentation in ``core/tests/test_channels.py``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote


def percent_encode(value: str) -> str:
    """Percent-encode as Alibaba Cloud's RPC signature requires (RFC 3986 unreserved characters only)."""
    return quote(value, safe="-_.~")


def aliyun_string_to_sign(method: str, params: Mapping[str, str]) -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def aliyun_signature(method: str, params: Mapping[str, str], secret: str) -> str:
    """Return the ``Signature`` of an Alibaba Cloud RPC request (``params`` without ``Signature``)."""
    digest = hmac.new(f"{secret}&".encode(), aliyun_string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


TC3 = "TC3-HMAC-SHA256"
TC3_CONTENT_TYPE = "application/json; charset=utf-8"


def _hmac256(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def tc3_signature(*, secret_key: str, service: str, host: str, payload: str, timestamp: int) -> str:
    """Return the hex TC3-HMAC-SHA256 signature of a POST with a JSON ``payload`` to ``host``."""
    date = datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(["POST", "/", "", f"content-type:{TC3_CONTENT_TYPE}", f"host:{host}", "",
                           "content-type;host", hashlib.sha256(payload.encode()).hexdigest()])
    to_sign = "\n".join([TC3, str(timestamp), f"{date}/{service}/tc3_request",
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac256(_hmac256(_hmac256(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def tc3_authorization(*, secret_id: str, secret_key: str, service: str, host: str, payload: str,
                      timestamp: int) -> str:
    """Return the ``Authorization`` header of a TC3-HMAC-SHA256 request."""
    date = datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")
    signature = tc3_signature(secret_key=secret_key, service=service, host=host, payload=payload,
                              timestamp=timestamp)
    return (f"{TC3} Credential={secret_id}/{date}/{service}/tc3_request, SignedHeaders=content-type;host, "
            f"Signature={signature}")
