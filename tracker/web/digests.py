"""The digest archive: my weekly digests (all of them for an admin)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from tracker.db import get_session
from tracker.services.digests import stored as digests
from tracker.web.auth import actor

blp = Blueprint("digest_pages", __name__)


@blp.get("/digests")
@login_required
def index() -> str:
    rows, total = digests.list_digests(get_session(), actor(), limit=200)
    return render_template("digests/list.html", rows=rows, total=total)


@blp.get("/digests/<int:digest_id>")
@login_required
def detail(digest_id: int) -> str:
    digest = digests.get_digest(get_session(), actor(), digest_id)
    return render_template("digests/detail.html", digest=digest)
