"""Feeds read by other programs, authorised by the secret in their URL (no sign-in)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template

from tracker.db import get_session, utcnow
from tracker.models import User
from tracker.services.accounts.users import user_for_feed_token
from tracker.services.digests.stored import list_digests
from tracker.services.reminders.calendar import reminders_calendar

blp = Blueprint("feeds", __name__)
# The URL holds the user's secret and the answer is theirs alone: no shared cache keeps it;
# their calendar application or feed reader may reuse it for five minutes (they poll).
FEED_CACHING = "private, max-age=300"


def _owner(token: str) -> User:
    """The user whose feed secret `token` is; 404 for an unknown or revoked secret."""
    user = user_for_feed_token(get_session(), token)
    if user is None:
        abort(404)
    return user


@blp.get("/feeds/<token>/reminders.ics")
def reminders(token: str) -> Response:
    """The user's reminders for a calendar application; 404 for an unknown or revoked secret."""
    session = get_session()
    user = _owner(token)
    body = reminders_calendar(session, user, current_app.config["BASE_URL"])
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": FEED_CACHING})


@blp.get("/feeds/<token>/digests.atom")
def digests(token: str) -> Response:
    """The user's sent digests as an Atom feed; 404 for an unknown or revoked secret."""
    session = get_session()
    user = _owner(token)
    rows, _ = list_digests(session, user, user_email=None, limit=50)
    sent = [d for d in rows if d.sent_at is not None and d.user_id == user.id]
    base = current_app.config["BASE_URL"]
    body = render_template(
        "digest/feed.xml",  # .xml: autoescaped
        digests=sent,
        user=user,
        base_url=base,
        updated=max((d.sent_at for d in sent), default=utcnow()),
        feed_id=f"{base}/feeds/digests/{user.id}",
    )
    return Response(body, mimetype="application/atom+xml", headers={"Cache-Control": FEED_CACHING})
