"""Read-only agreement pages: the list and one agreement with its evidence."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from tracker.db import get_session
from tracker.services import agreements
from tracker.services.errors import NotFound
from tracker.text.dates import to_jalali

blp = Blueprint("agreement_pages", __name__)


@blp.app_template_filter("jalali")
def jalali_filter(day):  # type: ignore[no-untyped-def]
    return to_jalali(day) if day else ""


@blp.app_template_filter("label")
def label_filter(value: str | None) -> str:
    """preparation -> Preparation, entry_into_force -> Entry into force."""
    return (value or "").replace("_", " ").capitalize()


@blp.get("/")
def index() -> str:
    return render_template("agreements/list.html", rows=agreements.board(get_session()))


@blp.get("/agreements/<int:agreement_id>")
def detail(agreement_id: int) -> str:
    """One agreement; 404 when it does not exist or was deleted."""
    try:
        view = agreements.overview(get_session(), agreement_id)
    except NotFound:
        abort(404)
    return render_template("agreements/detail.html", view=view)
