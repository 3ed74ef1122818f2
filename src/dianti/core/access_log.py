"""The web server's access log (gunicorn ``--logger-class``), held to what :mod:`.logs` promises: the path without
its query string (a tracking code, an evaluator's code may be in it), the delivery receipts' secret blanked, the
referring page without its query either."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from .logs import redact


def _clean(url: str) -> str:
    return redact(url.split("?", 1)[0])


class AccessLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        # The WSGI environ's atoms ({raw_uri}e, {query_string}e …) and the Referer header would carry the same again.
        atoms = {k: v for k, v in super().atoms(resp, req, environ, request_time).items()
                 if not k.endswith("}e") and k != "{referer}i"}
        atoms.update(r=f"{environ['REQUEST_METHOD']} {_clean(environ.get('RAW_URI', ''))} {environ['SERVER_PROTOCOL']}",
                     U=_clean(environ.get("PATH_INFO", "")), q="", f=_clean(environ.get("HTTP_REFERER", "-")))
        return atoms
