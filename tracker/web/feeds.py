"""Feeds read by other programs, authorised by the secret in their URL (no sign-in)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app

from tracker.db import get_session
from tracker.services.calendar import reminders_calendar
from tracker.services.users import user_for_feed_token

blp = Blueprint("feeds", __name__)


@blp.get("/feeds/<token>/reminders.ics")
def reminders(token: str) -> Response:
    """The user's reminders for a calendar application; 404 for an unknown or revoked secret."""
    session = get_session()
    user = user_for_feed_token(session, token)
    if user is None:
        abort(404)
    body = reminders_calendar(session, user, current_app.config["BASE_URL"])
    return Response(
        body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"}
    )
