"""What the production smoke (``smoke_production.py``) speaks HTTP with: a browser of the standard library only.

Each :class:`Browser` is one person's: its own cookies, the CSRF token Django gave it, redirects followed by hand.
Production sits behind a TLS proxy (nginx) and Django is told so (``SECURE_PROXY_SSL_HEADER``): its cookies are
``Secure``, it redirects plain HTTP to HTTPS, and it checks a form's ``Referer`` against ``https://<host>``. The
smoke speaks plain HTTP to gunicorn on loopback and says what that proxy would say (``X-Forwarded-Proto: https``),
so it meets the production settings unchanged rather than a relaxed copy of them.
"""

from __future__ import annotations

import base64
import hmac
import http.cookiejar
import json
import re
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any


class SmokeFailed(AssertionError):
    """A step found the product doing something other than what it should."""


def check(condition: object, message: str) -> None:
    if not condition:
        raise SmokeFailed(message)


@dataclass
class Page:
    status: int
    url: str  # the path it ended on, after redirects
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def find(self, pattern: str, what: str) -> str:
        """Return the first group of ``pattern`` in the page, or fail naming ``what`` was missing."""
        found = re.search(pattern, self.text, re.S)
        check(found, f"{self.url}: no {what} in the page ({self.status})")
        return found.group(1)  # type: ignore[union-attr]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # Browser.request follows redirects itself, keeping them on the loopback address


@dataclass
class Browser:
    """One person's browser: cookies kept, forms posted with the CSRF token, JSON to the API."""

    base: str  # http://127.0.0.1:PORT
    who: str = "villager"
    jar: http.cookiejar.CookieJar = field(init=False)

    def __post_init__(self) -> None:
        # The proxy speaks HTTPS to the phone; the hop to gunicorn is plain, so Secure cookies must still be sent.
        policy = http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
        self.jar = http.cookiejar.CookieJar(policy)
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        self.host = urllib.parse.urlsplit(self.base).netloc

    def cookie(self, name: str) -> str:
        return next((c.value or "" for c in self.jar if c.name == name), "")

    def request(self, method: str, path: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
                follow: bool = True) -> Page:
        sent = {"X-Forwarded-Proto": "https", "Accept-Language": "zh-hans", **(headers or {})}
        if method != "GET":
            sent.setdefault("Referer", f"https://{self.host}{path}")
        for _ in range(10):
            req = urllib.request.Request(self.base + path, data=data, method=method, headers=sent)
            try:
                with self.opener.open(req, timeout=60) as r:
                    page = Page(r.status, path, dict(r.headers.items()), r.read())
            except urllib.error.HTTPError as e:
                page = Page(e.code, path, dict(e.headers.items()), e.read())
            location = page.headers.get("Location", "")
            if not (follow and page.status in (301, 302, 303) and location):
                return page
            target = urllib.parse.urlsplit(urllib.parse.urljoin(f"https://{self.host}{path}", location))
            check(target.netloc == self.host, f"{path} redirected off the site, to {location}")
            path = target.path + (f"?{target.query}" if target.query else "")
            method, data = "GET", None
            sent = {k: v for k, v in sent.items() if k not in ("Content-Type", "Referer")}
        raise SmokeFailed(f"{path}: more than 10 redirects")

    def get(self, path: str, **kwargs: Any) -> Page:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, fields: dict[str, Any] | list[tuple[str, Any]], **kwargs: Any) -> Page:
        """Post a form as the page would: with the CSRF token Django set (fetched first if there is none yet)."""
        if not self.cookie("csrftoken"):
            self.get(path)
        items = list(fields.items()) if isinstance(fields, dict) else list(fields)
        body = urllib.parse.urlencode([*items, ("csrfmiddlewaretoken", self.cookie("csrftoken"))]).encode()
        return self.request("POST", path, data=body,
                            headers={"Content-Type": "application/x-www-form-urlencoded"}, **kwargs)

    def api(self, method: str, path: str, body: dict[str, Any] | None = None, *, expect: int = 200) -> Any:
        """Call ``/api/v1/<path>`` with this browser's session (and its CSRF token); return the JSON answer."""
        headers = {"Accept": "application/json", "X-CSRFToken": self.cookie("csrftoken")}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        page = self.request(method, "/api/v1/" + path.lstrip("/"), data=data, headers=headers, follow=False)
        check(page.status == expect, f"{self.who}: {method} /api/v1/{path} answered {page.status}: {page.text[:300]}")
        return page.json() if page.body else None

    def api_list(self, path: str) -> list[Any]:
        """Return every item of a paged API list (``{"items": [...], "count": N}``), asking for its first page only:
        the smoke's lists are short, and a longer one fails here rather than being read in part."""
        page = self.api("GET", path + ("&" if "?" in path else "?") + "limit=100")
        check(page["count"] == len(page["items"]), f"/api/v1/{path}: {page['count']} items, more than one page")
        return page["items"]

    def sign_in(self, username: str, password: str) -> Page:
        self.who = username
        page = self.post("/login/", {"username": username, "password": password, "next": "/"})
        check(page.url != "/login/", f"{username} could not sign in ({page.status})")
        return page


def totp(secret: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """Return the RFC 6238 code a phone's authenticator shows for ``secret`` (base32, spaces allowed) now."""
    raw = secret.replace(" ", "").upper()
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), "sha1").digest()
    offset = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 10 ** digits:0{digits}d}"


def wait_for(what: str, probe: Any, timeout: float, every: float = 0.5) -> Any:
    """Call ``probe`` until it returns something true; return that, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(every)
    raise SmokeFailed(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")
