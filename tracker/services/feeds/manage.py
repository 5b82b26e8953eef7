"""Managing the news feeds watched for new stories: add, change, pause and resume, remove.

A feed is known by its canonical URL (tracker.text.urls.canonical_url): the same address
written twice is one feed. Polling (tracker.services.feeds.polling) changes a feed's
polling columns but never its `version`; every change made here raises it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.models import User
from tracker.models.inbox import FeedLimits, NewsFeed
from tracker.schemas.feeds import FeedInSchema, FeedPatchSchema
from tracker.services import is_id, transactional
from tracker.services.audit import audited
from tracker.services.errors import FieldErrors, InvalidInput, NotFound, Stale
from tracker.services.infra.fetching import clean_text
from tracker.text.urls import canonical_url

DEFAULT_EVERY = 60  # minutes
PAUSED_BY_HAND = "paused by hand"


def get_feed(session: Session, feed_id: int) -> NewsFeed:
    """The feed, or NotFound (404)."""
    feed = session.get(NewsFeed, feed_id) if is_id(feed_id) else None
    if feed is None:
        raise NotFound(f"news feed {feed_id} does not exist")
    return feed


def list_feeds(
    session: Session, *, active: bool | None = None, offset: int = 0, limit: int = 50
) -> tuple[list[NewsFeed], int]:
    """The feeds by title (then id), `active` or paused ones only when given; and how many
    there are in all."""
    query = select(NewsFeed)
    if active is not None:
        query = query.where(NewsFeed.active.is_(active))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(func.lower(NewsFeed.title), NewsFeed.id).offset(offset).limit(limit)
    ).all()
    return list(rows), total


def host_of(url: str) -> str:
    """The host a feed's default title is: "www.irna.ir" -> "irna.ir"."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _check_url(
    session: Session, url: str, errors: FieldErrors, *, current: NewsFeed | None
) -> str | None:
    """The URL's canonical form, or None with the reason added to `errors` on `url`: one
    feed per address (its schema has refused what cannot be fetched)."""
    try:
        canonical = canonical_url(url)
    except ValueError as exc:  # a port out of range, an unclosed [IPv6 literal
        errors.add("url", f"the address is not valid ({exc})")
        return None
    if len(canonical) > FeedLimits.URL:  # its query percent-encoded: ä is %C3%A4
        errors.add(
            "url",
            f"is longer than {FeedLimits.URL} characters once its query is percent-encoded "
            f"({len(canonical)})",
        )
        return None
    query = select(NewsFeed).where(NewsFeed.url_canonical == canonical)
    if current is not None:
        query = query.where(NewsFeed.id != current.id)
    existing = session.scalar(query.limit(1))
    if existing is not None:
        errors.add("url", f"already watched: {existing.title} (feed {existing.id})")
        return None
    return canonical


def _clean(
    session: Session, data: Mapping[str, Any], *, current: NewsFeed | None = None
) -> dict[str, Any]:
    """The input loaded by its schema (shape), then checked for what it means; InvalidInput
    (422) per field, nothing written."""
    errors = FieldErrors()
    values = errors.load(FeedInSchema() if current is None else FeedPatchSchema(), data)
    if "url" in values:
        canonical = _check_url(session, values["url"], errors, current=current)
        if canonical is None:
            values.pop("url")
        else:
            values["url_canonical"] = canonical
    if "title" in values:
        # One line of text: line breaks and control characters go.
        values["title"] = " ".join(clean_text(values["title"] or "").split())
    if "language" in values and not values["language"]:
        values["language"] = None
    errors.raise_if_any()
    return values


@transactional
def add_feed(session: Session, data: Mapping[str, Any], *, actor: User | None = None) -> NewsFeed:
    """Watch a new feed: `data` has url (required), title (default: the host), language,
    active (default true) and poll_every_minutes (default 60). InvalidInput (422) per
    field: a bad address, one already watched (naming that feed), a bad language or
    interval. The feed is due at once."""
    values = _clean(session, data)
    feed = NewsFeed(
        url=values["url"].split("#", 1)[0],
        url_canonical=values["url_canonical"],
        title=values.get("title") or host_of(values["url"]),
        language=values.get("language"),
        active=values.get("active", True),
        poll_every_minutes=values.get("poll_every_minutes", DEFAULT_EVERY),
        consecutive_failures=0,
        paused_reason=None if values.get("active", True) else PAUSED_BY_HAND,
        created_by_id=actor.id if actor else None,
        version=1,
    )
    try:
        with audited(session, feed, actor=actor, action="create"):
            session.add(feed)
    except IntegrityError:  # the same address added at the same moment by someone else
        raise InvalidInput({"url": "already watched: added meanwhile by someone else"}) from None
    return feed


def _current(session: Session, feed_id: int, version: int | None) -> NewsFeed:
    """The feed, locked for this transaction (PostgreSQL: FOR UPDATE; SQLite's writer
    already holds the database), checked to be still at `version`."""
    if not is_id(feed_id):
        raise NotFound(f"news feed {feed_id} does not exist")
    feed = session.scalar(
        select(NewsFeed)
        .where(NewsFeed.id == feed_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if feed is None:
        raise NotFound(f"news feed {feed_id} does not exist")
    if version is not None and feed.version != version:
        raise Stale(f"news feed {feed_id} changed meanwhile")
    return feed


@transactional
def update_feed(
    session: Session,
    feed_id: int,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
    version: int | None = None,
) -> NewsFeed:
    """Change the given fields. `active: false` pauses the feed by hand; `active: true` on a
    paused feed resumes it with a clean slate (no failures, last error, pause reason or
    back-off: it is due at once). A new URL forgets the old one's validators (ETag,
    Last-Modified). A title set empty becomes the host. NotFound (404), Stale (412) when
    no longer at `version`, InvalidInput (422)."""
    feed = _current(session, feed_id, version)
    values = _clean(session, data, current=feed)
    with audited(session, feed, actor=actor, action="update"):
        if "url" in values:
            url = values["url"].split("#", 1)[0]
            if values["url_canonical"] != feed.url_canonical:
                feed.etag = feed.last_modified = None
                feed.next_poll_at = None
            feed.url, feed.url_canonical = url, values["url_canonical"]
        if "title" in values:
            feed.title = values["title"] or host_of(feed.url)
        if "language" in values:
            feed.language = values["language"]
        if "poll_every_minutes" in values:
            feed.poll_every_minutes = values["poll_every_minutes"]
        if "active" in values:
            if values["active"] and not feed.active:
                feed.active = True
                feed.paused_reason = None
                feed.consecutive_failures = 0
                feed.last_error = None
                feed.next_poll_at = None
            elif not values["active"] and feed.active:
                feed.active = False
                feed.paused_reason = PAUSED_BY_HAND
        feed.version += 1
    return feed


@transactional
def remove_feed(session: Session, feed_id: int, *, actor: User | None = None) -> None:
    """Stop watching the feed and forget which of its entries were read. The articles it
    brought in stay, and so do their inbox items (no longer naming a feed). Who may do it
    (admins) is the caller's check. NotFound (404)."""
    feed = _current(session, feed_id, None)
    with audited(session, feed, actor=actor, action="delete"):
        session.delete(feed)
