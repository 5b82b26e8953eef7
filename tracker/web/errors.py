"""HTML error pages. The app-wide handlers (tracker.errors) call these for non-API paths."""

from __future__ import annotations

from flask import render_template
from werkzeug.exceptions import HTTPException


def render_http_error(error: HTTPException):  # type: ignore[no-untyped-def]
    return render_template("errors/error.html", error=error), error.code


def render_server_error():  # type: ignore[no-untyped-def]
    return render_template("errors/500.html"), 500
