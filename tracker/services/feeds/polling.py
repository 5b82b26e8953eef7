"""Polling news feeds into articles and inbox items (SPEC §2c).

A round takes the feeds that are due, each under a lease (one atomic UPDATE), so that two
pollers (the scheduler and a hand-run `tracker feeds poll`) never fetch one feed at once. The
network is used with no database transaction open (SQLite has one writer, and a slow feed
must not hold it); the entries of one feed are then stored in one short transaction.

One module: the lease, the round and the storing of a feed's entries share the lease's rule
(only its holder writes the feed); the network side lives in reading.py and polite.py.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, and_, func, or_, select, update
from sqlalchemy.orm import Session

from tracker.db import begin_write, utcnow
from tracker.models.evidence import ArticleLimits, EvidenceArticle
from tracker.models.inbox import FeedLimits, NewsFeed, NewsFeedEntry
from tracker.services import fetch, transactional
from tracker.services.errors import NotFound, ServiceError
from tracker.services.evidence.articles import add_article, find_by_url
from tracker.services.feeds.manage import host_of
from tracker.services.feeds.polite import HostGate, Robots
from tracker.services.feeds.reading import FeedEntry, FeedFetch, entry_article, fetch_feed
from tracker.services.inbox import items as inbox_items
from tracker.services.infra.fetching import USER_AGENT, FetchRefused, FetchSettings
from tracker.text.cites import cited_source, outlet_names

log = logging.getLogger("tracker.feeds")

# The longest a feed waits after failures, whatever its interval and failure count.
MAX_BACKOFF = timedelta(hours=24)
# How long a lease holds a feed: longer than any one feed's fetch (its document and the
# pages of its entries); a poller that died frees its feeds when its leases run out.
LEASE_SECONDS = 15 * 60


OUTCOMES = ("fetched", "not_modified", "failed", "paused", "busy")


@dataclass(frozen=True)
class PollSettings:
    fetch: FetchSettings
    min_gap: float = 2.0
    concurrency: int = 4
    pause_after: int = 10
    lease_seconds: int = LEASE_SECONDS

    @classmethod
    def from_config(cls, config: Any) -> PollSettings:
        return cls(
            fetch=FetchSettings.from_config(config),
            min_gap=float(config.get("FEEDS_HOST_GAP", 2.0)),
            concurrency=int(config.get("FEEDS_CONCURRENCY", 4)),
            pause_after=int(config.get("FEEDS_PAUSE_AFTER", 10)),
        )


@dataclass
class PollResult:
    feed_id: int
    outcome: str  # one of OUTCOMES
    new_articles: int = 0
    error: str | None = None
    # Entries not taken in, by reason ("the linked page could not be read: ...": 2).
    skipped: dict[str, int] = field(default_factory=dict)


def default_owner() -> str:
    """Who holds a lease: unique per poller (host, process and thread)."""
    owner = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    return owner[-FeedLimits.LEASE_OWNER :]


def _due(now: datetime) -> Any:
    return and_(
        NewsFeed.active.is_(True),
        or_(NewsFeed.next_poll_at.is_(None), NewsFeed.next_poll_at <= now),
    )


def due_feed_ids(session: Session, now: datetime) -> list[int]:
    """The feeds a round at `now` polls: active, never polled or due, the longest waiting
    first."""
    return list(
        session.scalars(
            select(NewsFeed.id)
            .where(_due(now))
            .order_by(NewsFeed.next_poll_at.is_not(None), NewsFeed.next_poll_at, NewsFeed.id)
        )
    )


def round_feed_ids(session: Session, now: datetime, feed_id: int | None = None) -> list[int]:
    """The feeds a round polls: the due ones, or `feed_id` alone (due or not; NotFound (404)
    when there is no such feed)."""
    if feed_id is None:
        return due_feed_ids(session, now)
    if fetch(session, NewsFeed, feed_id) is None:
        raise NotFound(f"feed {feed_id} does not exist")
    return [feed_id]


def claim_lease(
    session: Session,
    feed_id: int,
    owner: str,
    now: datetime,
    seconds: int,
    *,
    due_at: datetime | None = None,
) -> bool:
    """Take the feed's lease for `seconds` when it is free, expired or already `owner`'s, in
    one atomic UPDATE, and commit. With `due_at`, only while the feed is active and due at
    that instant (a feed another poller has just polled is not due any more). True if taken."""
    conditions = [
        NewsFeed.id == feed_id,
        or_(
            NewsFeed.lease_owner.is_(None),
            NewsFeed.lease_until.is_(None),
            NewsFeed.lease_until <= now,
            NewsFeed.lease_owner == owner,
        ),
    ]
    if due_at is not None:
        conditions.append(_due(due_at))
    begin_write(session)  # SQLite: the write lock first, never a read lock to upgrade
    result = session.execute(
        update(NewsFeed)
        .where(*conditions)
        .values(lease_owner=owner, lease_until=now + timedelta(seconds=seconds))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def release_lease(session: Session, feed_id: int, owner: str) -> None:
    """Give the lease back if `owner` still holds it, and commit."""
    begin_write(session)
    session.execute(
        update(NewsFeed)
        .where(NewsFeed.id == feed_id, NewsFeed.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def backoff(every_minutes: int, failures: int) -> timedelta:
    """The wait before the next try after `failures` failures in a row: the interval doubled
    for each, at most MAX_BACKOFF."""
    if failures <= 0:
        return timedelta(minutes=every_minutes)
    # Capped before the power grows huge: 2**failures minutes overflows timedelta at ~40.
    doublings = min(failures, 20)
    return min(timedelta(minutes=every_minutes * 2**doublings), MAX_BACKOFF)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _in_words(fetched: FeedFetch, url: str) -> str:
    """What went wrong, the way a person says it: "HTTP 503 from example.org"; a timeout, a
    web page or a broken document as the reader put it."""
    if fetched.status >= 400:
        said = f"HTTP {fetched.status} from {_host(fetched.final_url or url)}"
        return f"the feed is gone ({said})" if fetched.gone else said
    return fetched.error or f"the feed could not be read (HTTP {fetched.status})"


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc or url
    except ValueError:
        return url


@dataclass
class _Prepared:
    """An entry of the fetched feed made ready, outside any transaction, for storing."""

    entry: FeedEntry
    data: dict[str, Any] | None = None  # add_article's input, None when the URL is stored
    reason: str | None = None  # why it is skipped


def _session_single_connection(session_factory: Callable[[], Session]) -> bool:
    """A sessionmaker bound to one connection (not an engine) cannot serve several threads."""
    bind = getattr(session_factory, "kw", {}).get("bind")
    return bind is not None and not isinstance(bind, Engine)


def poll_feed(
    session_factory: Callable[[], Session],
    feed_id: int,
    *,
    now: datetime,
    settings: PollSettings,
    owner: str,
    gate: HostGate,
    robots: Robots,
    due_only: bool = True,
    writes: AbstractContextManager[Any] | None = None,
) -> PollResult:
    """Fetch one feed under its lease and store what is new; never raises for the feed's own
    problems (they are the result's `error` and the feed's `last_error`).

    `due_only` (a round's feeds): the lease is taken only while the feed is still due, so a
    feed another poller has just polled is left alone ('busy'). `writes`: held around each
    write transaction (a round on SQLite, where writers queue anyway, passes one lock for
    its threads: they wait their turn in the process instead of on the busy timeout)."""
    writing = writes if writes is not None else nullcontext()
    with session_factory() as session:
        with writing:
            claimed = claim_lease(
                session,
                feed_id,
                owner,
                utcnow(),
                settings.lease_seconds,
                due_at=now if due_only else None,
            )
        if not claimed:
            return PollResult(feed_id, "busy")
        try:
            return _poll_leased(
                session,
                feed_id,
                now=now,
                settings=settings,
                owner=owner,
                gate=gate,
                robots=robots,
                writing=writing,
            )
        except BaseException:
            # Storing the results gives the lease back; when something else went wrong it
            # is given back here, not left to run out.
            session.rollback()
            with writing:
                release_lease(session, feed_id, owner)
            raise


def _poll_leased(
    session: Session,
    feed_id: int,
    *,
    now: datetime,
    settings: PollSettings,
    owner: str,
    gate: HostGate,
    robots: Robots,
    writing: AbstractContextManager[Any],
) -> PollResult:
    feed = session.get(NewsFeed, feed_id)
    if feed is None:
        return PollResult(feed_id, "failed", error=f"feed {feed_id} does not exist")
    if not feed.active:
        session.commit()
        with writing:
            release_lease(session, feed_id, owner)
        return PollResult(feed_id, "paused", error=feed.paused_reason or "paused")
    url, etag, last_modified = feed.url, feed.etag, feed.last_modified
    language, outlet = feed.language, feed.title
    known = set(session.scalars(select(NewsFeedEntry.key).where(NewsFeedEntry.feed_id == feed_id)))
    # No transaction stays open while the network answers.
    session.commit()
    fetched = fetch_feed(url, settings.fetch, gate, robots, etag=etag, last_modified=last_modified)
    if fetched.error is not None or fetched.gone:
        error = _in_words(fetched, url)
        with writing:
            outcome = _record_failure(session, feed_id, owner, error, fetched.gone, now, settings)
        return PollResult(feed_id, outcome, error=error)
    if outlet == host_of(url) and fetched.feed is not None and fetched.feed.title.strip():
        # Added without a title: its stories are the outlet's that the feed names.
        outlet = fetched.feed.title.strip()
    prepared: list[_Prepared] = []
    if not fetched.not_modified and fetched.feed is not None:
        prepared = _prepare(
            session,
            fetched,
            known,
            feed_language=language or fetched.feed.language,
            outlet=outlet or fetched.feed.title,
            settings=settings,
            gate=gate,
            robots=robots,
        )
        session.commit()
    with writing:
        return _succeeded(session, feed_id, owner, fetched, prepared, now, settings)


def _prepare(
    session: Session,
    fetched: FeedFetch,
    known: set[str],
    *,
    feed_language: str | None,
    outlet: str,
    settings: PollSettings,
    gate: HostGate,
    robots: Robots,
) -> list[_Prepared]:
    """The new entries with their article data: the entry's own text, else the linked page
    (fetched here, with no transaction open; a URL already stored is not fetched again)."""
    assert fetched.feed is not None
    prepared: list[_Prepared] = []
    seen: set[str] = set()
    for entry in fetched.feed.entries:
        if entry.key in known or entry.key in seen:
            continue
        seen.add(entry.key)
        if entry.link and find_by_url(session, entry.link) is not None:
            session.commit()
            prepared.append(_Prepared(entry))
            continue
        session.commit()
        try:
            data = entry_article(
                entry,
                feed_language=feed_language,
                outlet=outlet,
                settings=settings.fetch,
                gate=gate,
                robots=robots,
            )
        except FetchRefused as exc:
            prepared.append(_Prepared(entry, reason=f"the story could not be read: {exc}"))
            continue
        prepared.append(_Prepared(entry, data=data))
    return prepared


@transactional
def _record_failure(
    session: Session,
    feed_id: int,
    owner: str,
    error: str,
    gone: bool,
    now: datetime,
    settings: PollSettings,
) -> str:
    """Count the failure, back off, pause after too many or at once when the feed is gone;
    give the lease back. 'failed' or 'paused'."""
    feed = session.get(NewsFeed, feed_id, with_for_update=True, populate_existing=True)
    if feed is None:
        return "failed"
    if feed.lease_owner != owner:
        # The lease ran out while fetching and another poller has the feed: its answer counts.
        return "busy"
    failures = feed.consecutive_failures + 1
    feed.consecutive_failures = failures
    feed.last_polled_at = now
    feed.last_error = _clip(error, FeedLimits.ERROR)
    feed.lease_owner = feed.lease_until = None
    if gone or failures >= settings.pause_after:
        feed.active = False
        feed.next_poll_at = None
        why = (
            f"the feed is gone ({error}); re-activate it if it comes back"
            if gone
            else f"{failures} failures in a row, the last: {error}"
        )
        feed.paused_reason = _clip(why, FeedLimits.PAUSED_REASON)
        log.warning("feed %s paused: %s", feed_id, why)
        return "paused"
    feed.next_poll_at = now + backoff(feed.poll_every_minutes, failures)
    log.info("feed %s failed (%d in a row): %s", feed_id, failures, error)
    return "failed"


@transactional
def _succeeded(
    session: Session,
    feed_id: int,
    owner: str,
    fetched: FeedFetch,
    prepared: list[_Prepared],
    now: datetime,
    settings: PollSettings,
) -> PollResult:
    """Store the new entries and the feed's state in one transaction; give the lease back."""
    feed = session.get(NewsFeed, feed_id, with_for_update=True, populate_existing=True)
    if feed is None:
        return PollResult(feed_id, "failed", error=f"feed {feed_id} was removed meanwhile")
    if feed.lease_owner != owner:
        # The lease ran out and another poller took the feed: it stores what it found.
        return PollResult(feed_id, "busy", error="the lease ran out while fetching")
    result = PollResult(feed_id, "not_modified" if fetched.not_modified else "fetched")
    for item in prepared:
        if item.reason is not None:
            result.skipped[item.reason] = result.skipped.get(item.reason, 0) + 1
            continue
        try:
            with session.begin_nested():
                created = _store_entry(session, feed, item, now)
        except ServiceError as exc:
            reason = f"the story was refused: {exc}"
            result.skipped[reason] = result.skipped.get(reason, 0) + 1
            continue
        result.new_articles += created
    # A 200 brings the validators to send next time (none: none); a 304 may renew them.
    if not fetched.not_modified or fetched.etag is not None:
        feed.etag = _clip_or_none(fetched.etag, FeedLimits.ETAG)
    if not fetched.not_modified or fetched.last_modified is not None:
        feed.last_modified = _clip_or_none(fetched.last_modified, FeedLimits.LAST_MODIFIED)
    named = fetched.feed.title.strip()[: FeedLimits.TITLE] if fetched.feed is not None else ""
    if named and feed.title == host_of(feed.url):
        # A feed added without a title takes the one it gives itself, once (an edit: its
        # version moves, so a client holding the old one is told).
        feed.title = named
        feed.version += 1
    feed.last_polled_at = now
    feed.last_success_at = now
    feed.consecutive_failures = 0
    feed.last_error = None
    feed.next_poll_at = now + timedelta(minutes=feed.poll_every_minutes)
    feed.lease_owner = feed.lease_until = None
    return result


def _clip_or_none(value: str | None, limit: int) -> str | None:
    # A validator cut short would never match again: better none than a wrong one.
    return value if value is not None and len(value) <= limit else None


def _store_entry(session: Session, feed: NewsFeed, item: _Prepared, now: datetime) -> int:
    """One entry: its article (the stored one at that URL, or a new one with its cites), the
    entry's record, its inbox item. 1 when an article was created."""
    entry = item.entry
    url = (item.data or {}).get("url") or entry.link  # the page's address after redirects
    article = find_by_url(session, url) if url else None
    created = 0
    if article is None:
        # An entry without a link or a date: the field is left out, not given as None.
        data = {k: v for k, v in (item.data or {}).items() if v is not None}
        if data.get("title"):
            data["title"] = _clip(data["title"], ArticleLimits.TITLE)
        for key in ("outlet", "author"):
            if data.get(key):
                data[key] = _clip(data[key], ArticleLimits.OUTLET)
        source = cited_source(data.get("text") or "", data.get("language"))
        cited = _cited_article(session, source) if source else None
        if cited is not None:
            data["cites"] = cited.id
        article = add_article(session, data)
        if source and cited is None:
            article.cites_outlet = _clip(source, ArticleLimits.OUTLET)
        created = 1
    session.add(NewsFeedEntry(feed_id=feed.id, key=entry.key, article_id=article.id, seen_at=now))
    session.flush()
    inbox_items.take(session, article, feed=feed, now=now)
    return created


def _cited_article(session: Session, outlet: str) -> EvidenceArticle | None:
    """The newest live article on record from `outlet`, by any of its names (without case)."""
    names = outlet_names(outlet)
    return session.scalar(
        select(EvidenceArticle)
        .where(
            func.lower(EvidenceArticle.outlet).in_(sorted(names)),
            EvidenceArticle.deleted_at.is_(None),
        )
        .order_by(EvidenceArticle.id.desc())
        .limit(1)
    )


def poll_round(
    session_factory: Callable[[], Session],
    *,
    now: datetime | None = None,
    settings: PollSettings,
    feed_id: int | None = None,
    owner: str | None = None,
    progress: Callable[[PollResult], None] | None = None,
) -> list[PollResult]:
    """Poll every due feed (or only `feed_id`, due or not) with at most
    `settings.concurrency` at once, one HostGate and one Robots for the whole round."""
    now = now or utcnow()
    with session_factory() as session:
        ids = round_feed_ids(session, now, feed_id)
        sqlite = session.get_bind().dialect.name == "sqlite"
    gate = HostGate(settings.min_gap)
    robots = Robots(settings.fetch, gate, USER_AGENT)
    # SQLite has one writer: the round's threads queue for it here, not on its busy timeout.
    writes = threading.Lock() if sqlite else None

    def one(ident: int) -> PollResult:
        try:
            result = poll_feed(
                session_factory,
                ident,
                now=now,
                settings=settings,
                owner=owner or default_owner(),
                gate=gate,
                robots=robots,
                due_only=feed_id is None,
                writes=writes,
            )
        except Exception as exc:  # a bug or a lost database, not the feed's fault
            log.exception("feed %s: polling failed", ident)
            result = PollResult(ident, "failed", error=f"unexpected error: {exc!r}")
        if progress is not None:
            progress(result)
        return result

    workers = max(1, settings.concurrency)
    if workers == 1 or len(ids) <= 1 or _session_single_connection(session_factory):
        return [one(ident) for ident in ids]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="feeds") as pool:
        return list(pool.map(one, ids))


def summary(results: Iterable[PollResult]) -> str:
    """One line per round: "12 fetched, 3 not modified, 1 failed: feed 7 (HTTP 503 from
    example.org), 0 paused, 0 busy; 25 new articles"."""
    results = list(results)

    def named(outcome: str) -> str:
        chosen = [r for r in results if r.outcome == outcome]
        words = f"{len(chosen)} {outcome.replace('_', ' ')}"
        if chosen and outcome in ("failed", "paused"):
            words += ": " + ", ".join(f"feed {r.feed_id} ({r.error})" for r in chosen)
        return words

    new = sum(r.new_articles for r in results)
    skipped = sum(sum(r.skipped.values()) for r in results)
    line = ", ".join(named(o) for o in OUTCOMES) + f"; {new} new article{'s' * (new != 1)}"
    if skipped:
        line += f", {skipped} entr{'ies' if skipped != 1 else 'y'} skipped"
    return line


__all__ = [
    "PollResult",
    "PollSettings",
    "claim_lease",
    "due_feed_ids",
    "poll_feed",
    "poll_round",
    "round_feed_ids",
    "release_lease",
    "summary",
]
