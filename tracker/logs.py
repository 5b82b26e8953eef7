"""Logs as one JSON object per line (production), or plain text (development).

TRACKER_LOG_FORMAT=json|text chooses (json unless TRACKER_ENV=development). Each line holds
`time` (UTC, ISO 8601), `level`, `logger` and `message`, the fields given with `extra=`,
and `exception` with the traceback. TRACKER_LOG_REQUESTS=1 adds a line per request
(method, path, status, duration, user), for deployments without an access log.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request
from flask.logging import default_handler

FEED_SECRET = re.compile(r"^/feeds/[^/]+/")  # a feed's URL holds its secret: never logged
# Attributes every LogRecord has: anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class _Stderr(logging.StreamHandler):
    """Standard error as it is when a line is written (tests and servers swap it)."""

    @property  # type: ignore[override]
    def stream(self):  # type: ignore[no-untyped-def]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:  # type: ignore[no-untyped-def]
        pass


def configure(fmt: str, level: int = logging.INFO) -> None:
    """Send the `tracker` and `apscheduler` loggers to standard error in `fmt`."""
    handler = _Stderr()
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s")
    )
    for name in ("tracker", "apscheduler"):
        logger = logging.getLogger(name)
        logger.removeHandler(default_handler)
        for old in [h for h in logger.handlers if getattr(h, "_tracker", False)]:
            logger.removeHandler(old)
        handler._tracker = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False


def init_app(app: Flask) -> None:
    if app.config.get("LOG_FORMAT"):
        configure(app.config["LOG_FORMAT"])
    if app.config.get("LOG_REQUESTS"):
        app.before_request(_start)
        app.after_request(_log_request)


def _start() -> None:
    g.request_started = time.perf_counter()


def _log_request(response: Response) -> Response:
    started = g.get("request_started")
    user = g.get("api_user")
    logging.getLogger("tracker.requests").info(
        "request",
        extra={
            "method": request.method,
            "path": FEED_SECRET.sub("/feeds/<secret>/", request.path),
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "user": user.id if user is not None else None,
        },
    )
    return response
