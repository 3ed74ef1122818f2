"""The audit trail's external copy: each appended record's line to a file or syslog (``DIANTI_AUDIT_SINK``).

Kept apart from :mod:`dianti.core.audit` so the models that append to the chain can hand their lines here on
commit without importing the module that reads them back (and that imports the models).
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# The logger keeps the name it had when this lived in dianti.core.audit, so log routing does not change.
log = logging.getLogger("dianti.core.audit")


def sink_write(sink: str, lines: list[str]) -> None:
    """Append ``lines`` to the external sink; a sink that fails is logged loudly and never fails the request."""
    try:
        if sink == "syslog" or sink.startswith("syslog://"):
            logger = _syslog(sink)
            for line in lines:  # one message a record: syslog cuts long messages
                logger.info("dianti-audit %s", line)
        else:
            with Path(sink).open("a", encoding="utf-8") as out:
                out.write("".join(line + "\n" for line in lines))
    except OSError:
        log.exception("审计外部副本写入失败：%s", sink)


_SYSLOG: dict[str, logging.Logger] = {}


def _syslog(sink: str) -> logging.Logger:
    if sink not in _SYSLOG:
        url = urlsplit(sink)
        address: Any = (url.hostname, url.port or 514) if url.hostname else "/dev/log"
        if address == "/dev/log" and not Path(address).exists():
            address = ("localhost", 514)
        handler = logging.handlers.SysLogHandler(address=address,
                                                 facility=logging.handlers.SysLogHandler.LOG_AUTHPRIV)
        logger = logging.getLogger(f"dianti.audit.sink.{len(_SYSLOG)}")
        logger.propagate = False
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        _SYSLOG[sink] = logger
    return _SYSLOG[sink]
