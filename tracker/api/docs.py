"""Swagger UI at /api/v1/docs, served from the files of the flask-swagger-ui package.

No CDN, and no inline script (so a strict Content-Security-Policy holds): the page loads
the bundle and a small script of ours that reads the document's URL from a data attribute.
"""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, render_template, send_from_directory, url_for

DIST = Path(flask_swagger_ui.__file__).resolve().parent / "dist"

blp = Blueprint("api_docs", __name__, url_prefix="/api/v1/docs")


@blp.get("/")
def index() -> str:
    return render_template("api/docs.html", spec_url=url_for("api-docs.openapi_json"))


@blp.get("/<path:filename>")
def asset(filename: str):  # type: ignore[no-untyped-def]
    """The Swagger UI bundle's own files (404 for anything else)."""
    return send_from_directory(DIST, filename)
