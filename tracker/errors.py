"""App-wide error handling: JSON {code, status, message, errors} under /api/, HTML elsewhere.

No input may produce a 500: service errors become 4xx answers here, a stale write becomes
412, and anything unforeseen is logged, rolled back and answered with a clean 500.
"""

from __future__ import annotations

from http import HTTPStatus

from flask import Flask, current_app, g, jsonify
from markupsafe import escape
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import (
    HTTPException,
    PreconditionFailed,
    RequestEntityTooLarge,
)

from tracker.api.base import api, error_payload, is_api_request
from tracker.services.errors import InvalidInput, ServiceError
from tracker.web.errors import render_http_error, render_server_error

UNAVAILABLE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Unavailable · Treaty Tracker</title>
<link rel="stylesheet" href="/static/style.css"></head>
<body><main><h1>Treaty Tracker is unavailable just now</h1><p>{message}</p></main></body></html>
"""


def _rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def _json(status: int, message: str, errors: dict | None = None):  # type: ignore[no-untyped-def]
    payload = error_payload(status, HTTPStatus(status).phrase, message, errors)
    return jsonify(payload), status


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        if is_api_request():
            return api.handle_http_exception(error)
        return render_http_error(error)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        message = (
            f"The request is too large: at most {limit:,} bytes are accepted."
            if limit
            else "The request is too large."
        )
        if is_api_request():
            return _json(413, message)
        return render_http_error(RequestEntityTooLarge(message))

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):  # type: ignore[no-untyped-def]
        _rollback()
        if is_api_request():
            errors = error.errors if isinstance(error, InvalidInput) else None
            message = (
                "The request is not valid; see errors for each field."
                if isinstance(error, InvalidInput)
                else str(error)
            )
            return _json(error.status, message, errors)
        return render_http_error(_http_exception(error.status, str(error)))

    @app.errorhandler(StaleDataError)
    def stale(error: StaleDataError):  # type: ignore[no-untyped-def]
        _rollback()
        message = "It was changed by someone else meanwhile; fetch it again and redo your change."
        if is_api_request():
            return _json(412, message)
        return render_http_error(PreconditionFailed(message))

    @app.errorhandler(OperationalError)
    @app.errorhandler(DisconnectionError)
    def database_unavailable(error: Exception):  # type: ignore[no-untyped-def]
        # The database is down, restarting or busy: say so, and to come back shortly. The
        # pool checks connections before use, so the app recovers by itself when it is back.
        # With the traceback: most are outages, but a missed `db upgrade` looks the same.
        app.logger.warning("database unavailable", exc_info=error)
        try:
            _rollback()
        except Exception:  # the connection is gone: nothing to roll back
            app.logger.debug("no rollback on a lost connection")
        message = "The database is unavailable just now; nothing was changed. Try again shortly."
        if is_api_request():
            response, status = _json(503, message)
            return response, status, {"Retry-After": "5"}
        # No template: the page's layout asks who is signed in, which needs the database.
        page = UNAVAILABLE_PAGE.replace("{message}", escape(message))
        return page, 503, {"Retry-After": "5", "Content-Type": "text/html; charset=utf-8"}

    @app.errorhandler(Exception)
    def server_error(error: Exception):  # type: ignore[no-untyped-def]
        app.logger.exception("unhandled error")
        _rollback()
        if is_api_request():
            return _json(500, "Something went wrong on our side; it was logged.")
        return render_server_error()


def _http_exception(status: int, message: str) -> HTTPException:
    error = HTTPException(description=message)
    error.code = status
    return error
