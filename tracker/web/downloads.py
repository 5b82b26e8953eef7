"""Downloads for other tools: agreements and events as CSV, evidence as CSL-JSON (Zotero)."""

from __future__ import annotations

import io
import json

from flask import Blueprint, Response, current_app

from tracker.db import get_session, read_snapshot
from tracker.services.data import exports
from tracker.web.auth import actor, reader_required

blp = Blueprint("downloads", __name__)


def _download(body: str, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blp.get("/agreements.csv")
@reader_required
def agreements_csv() -> Response:
    out = io.StringIO()
    read_snapshot(get_session())  # batches of one moment: an edit meanwhile shifts no row
    exports.agreements_csv(get_session(), out, current_app.config["BASE_URL"])
    return _download(out.getvalue(), "text/csv", "agreements.csv")


@blp.get("/events.csv")
@reader_required
def events_csv() -> Response:
    out = io.StringIO()
    read_snapshot(get_session())
    exports.events_csv(get_session(), out, public=actor() is None)
    return _download(out.getvalue(), "text/csv", "events.csv")


@blp.get("/evidence.csl.json")
@reader_required
def evidence_csl() -> Response:
    read_snapshot(get_session())
    items = list(exports.csl_items(get_session()))
    body = json.dumps(items, ensure_ascii=False, indent=1)
    return _download(body, "application/vnd.citationstyles.csl+json", "evidence.csl.json")
