"""HTML error pages; a 500 rolls the session back so the next request starts clean."""

from __future__ import annotations

from flask import Flask, g, render_template
from werkzeug.exceptions import HTTPException


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        return render_template("errors/error.html", error=exc), exc.code

    @app.errorhandler(Exception)
    def server_error(exc: Exception):  # type: ignore[no-untyped-def]
        app.logger.exception("unhandled error")
        session = g.get("db_session")
        if session is not None:
            session.rollback()
        return render_template("errors/500.html"), 500
