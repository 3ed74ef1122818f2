"""Structured logs: production writes one JSON object per line, each request's lines carry its id, and nothing
read from a request's body reaches the log."""

from __future__ import annotations

import json
import logging

from dianti.core.logs import JsonFormatter, RequestIdMiddleware, request_id

from .test_settings import PRODUCTION, dianti

log = logging.getLogger("dianti.test")


def _line(record_msg: str, **extra: object) -> dict[str, object]:
    record = logging.LogRecord("dianti.test", logging.WARNING, __file__, 1, record_msg, (), None)
    for key, value in extra.items():
        setattr(record, key, value)
    return json.loads(JsonFormatter().format(record))


def test_a_line_is_one_json_object_with_level_logger_message_and_extra_fields():
    line = _line("导入失败 %s", job=12, kind="import.orgs")
    assert line["level"] == "WARNING" and line["logger"] == "dianti.test"
    assert line["job"] == 12 and line["kind"] == "import.orgs"
    assert line["time"].endswith("+00:00")
    assert "request_id" not in line  # not in a request


def test_a_traceback_is_kept_in_the_line():
    try:
        raise ValueError("坏了")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert "ValueError: 坏了" in line["exc"]


def _logs_something(request):
    from django.http import HttpResponse

    log.warning("submitted")
    return HttpResponse("ok")


def test_each_request_gets_an_id_echoed_and_carried_by_its_lines(rf):
    lines: list[dict[str, object]] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(json.loads(JsonFormatter().format(record)))  # type: ignore[method-assign]
    log.addHandler(handler)
    middleware = RequestIdMiddleware(_logs_something)
    try:
        first = middleware(rf.post("/v/330424105201/?code=SECRET", {"phone": "13800000000", "score": "95"}))
        second = middleware(rf.get("/p/", HTTP_X_REQUEST_ID="proxy-abc-123"))
        forged = middleware(rf.get("/p/", HTTP_X_REQUEST_ID="<script>" * 3))
    finally:
        log.removeHandler(handler)
    assert first["X-Request-ID"] != forged["X-Request-ID"]
    assert second["X-Request-ID"] == "proxy-abc-123"
    assert "<" not in forged["X-Request-ID"]  # not a token: replaced, never echoed
    assert [line["request_id"] for line in lines] == [first["X-Request-ID"], "proxy-abc-123", forged["X-Request-ID"]]
    assert lines[0]["path"] == "POST /v/330424105201/"
    text = json.dumps(lines, ensure_ascii=False)
    assert "SECRET" not in text and "13800000000" not in text and '"95"' not in text
    assert request_id.get() == ""  # reset after the request


def test_every_response_of_the_site_carries_its_request_id(db, client):
    assert len(client.get("/healthz")["X-Request-ID"]) == 16


def test_production_logs_json_and_make_run_plain_lines(tmp_path):
    probe = ["shell", "-c", "import logging; logging.getLogger('dianti.probe').warning('探针')"]
    production = dianti(probe, tmp_path, **PRODUCTION)
    assert production.returncode == 0, production.stderr
    line = json.loads(production.stderr.strip().splitlines()[-1])
    assert line["message"] == "探针" and line["logger"] == "dianti.probe"
    development = dianti(probe, tmp_path, DIANTI_DEBUG="1")
    assert development.stderr.strip().splitlines()[-1].endswith("WARNING dianti.probe 探针")
    chosen = dianti(probe, tmp_path, **PRODUCTION, DIANTI_LOG_FORMAT="text")
    assert not chosen.stderr.strip().splitlines()[-1].startswith("{")


def test_the_delivery_receipts_secret_in_the_url_never_reaches_a_line(db, client, rf, settings, caplog):
    """Whoever reads the logs must not be able to forge receipts: the URL's token is the receipts' only key."""
    from dianti.core.logs import TextFormatter

    settings.NOTIFY_RECEIPT_TOKEN = "receipt-secret-0123456789"
    url = "/outbound/receipts/sms_aliyun/receipt-secret-0123456789/"
    with caplog.at_level(logging.INFO):
        assert client.post(url, "not json", content_type="application/json").status_code == 400
    assert caplog.records  # Django's line for the 400 names the path
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(JsonFormatter().format(record))  # type: ignore[method-assign]
    log.addHandler(handler)
    try:
        RequestIdMiddleware(_logs_something)(rf.post(url))
    finally:
        log.removeHandler(handler)
    lines += [JsonFormatter().format(r) for r in caplog.records] + [TextFormatter().format(r) for r in caplog.records]
    assert "/outbound/receipts/sms_aliyun/" in lines[0]
    assert not [line for line in lines if "receipt-secret" in line]


def test_the_access_log_keeps_no_query_string_and_no_receipts_secret():
    import datetime as dt
    from types import SimpleNamespace

    from gunicorn.config import Config

    from dianti.core.access_log import AccessLogger

    environ = {"REQUEST_METHOD": "POST", "RAW_URI": "/outbound/receipts/sms_aliyun/receipt-secret-0123/?x=1",
               "PATH_INFO": "/outbound/receipts/sms_aliyun/receipt-secret-0123/", "QUERY_STRING": "x=1",
               "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_REFERER": "https://d.example/v/track/?code=SECRET"}
    atoms = AccessLogger(Config()).atoms(SimpleNamespace(status="200 OK", headers=[], sent=2),
                                         SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=5))
    line = json.dumps(atoms, default=str)
    assert "receipt-secret" not in line and "SECRET" not in line and "x=1" not in line
    assert atoms["r"] == "POST /outbound/receipts/sms_aliyun/***/ HTTP/1.1"
