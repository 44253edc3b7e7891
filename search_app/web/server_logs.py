"""The logs of ``sok serve``: gunicorn's text lines by default, one JSON object a line with ``LOG_FORMAT=json``.

A JSON line carries ``time`` (ISO 8601, UTC), ``level`` and ``event``; an access line adds
``method``, ``route`` (the path, never the query string, which holds the question), ``status``,
``duration_ms`` and ``bytes``. Neither format ever writes a client's address.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from gunicorn.glogging import Logger

#: The values of the LOG_FORMAT setting.
LOG_FORMATS = ("text", "json")


def _timestamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonLineFormatter(logging.Formatter):
    """A log record as one JSON object: time, level, event (``server`` or ``app``), logger and message."""

    def __init__(self, event: str) -> None:
        super().__init__()
        self.event = event

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, Any] = getattr(record, "sok_fields", None) or {
            "event": self.event, "logger": record.name, "message": record.getMessage(),
        }
        line = {"time": _timestamp(record.created), "level": record.levelname.lower(), **line}
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class JsonLogger(Logger):
    """gunicorn's logger writing JSON lines (``LOG_FORMAT=json``), the access log included."""

    def setup(self, cfg: Any) -> None:
        """gunicorn's handlers, each with a JSON formatter; the app's loggers write JSON to stderr too."""
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonLineFormatter("server"))
        for handler in self.access_log.handlers:
            handler.setFormatter(JsonLineFormatter("request"))
        use_json_for_app_logs()

    def access(self, resp: Any, req: Any, environ: dict, request_time: Any) -> None:
        """One JSON line per request: method, route, status, duration; no address, no query string."""
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        fields = {
            "event": "request", "method": environ.get("REQUEST_METHOD"), "route": environ.get("PATH_INFO"),
            "status": int(status), "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "bytes": getattr(resp, "sent", None),
        }
        self.access_log.info("request", extra={"sok_fields": fields})


def use_json_for_app_logs() -> None:
    """The root logger writes JSON lines to stderr, so Flask's and Sök's loggers do (Flask adds no handler then)."""
    root = logging.getLogger()
    if not any(isinstance(handler.formatter, JsonLineFormatter) for handler in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLineFormatter("app"))
        root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
