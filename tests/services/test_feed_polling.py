"""Polling news feeds into articles and inbox items, against feeds served on loopback."""

from __future__ import annotations

import ipaddress
import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.feedserver import FeedServer
from tests.feedtools import FailingServer, make_feed, rss, story
from tracker.db import utcnow
from tracker.models.evidence import EvidenceArticle
from tracker.models.inbox import InboxItem, NewsFeed, NewsFeedEntry
from tracker.services.errors import NotFound
from tracker.services.evidence.articles import add_article
from tracker.services.feeds.manage import add_feed
from tracker.services.feeds.polling import (
    PollSettings,
    backoff,
    claim_lease,
    poll_round,
    release_lease,
    round_feed_ids,
    summary,
)
from tracker.services.infra.fetching import FetchSettings

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)


def settings(**changes) -> PollSettings:  # type: ignore[no-untyped-def]
    # Loopback only, and nothing else is even looked up: links to outside sites are refused.
    fetch = FetchSettings(timeout=1.0, allowed_networks=LOOPBACK, only_networks=LOOPBACK)
    return PollSettings(
        **{"fetch": fetch, "min_gap": 0.0, "concurrency": 1, "pause_after": 3, **changes}
    )


def feed_row(session, feed_id: int) -> NewsFeed:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.get(NewsFeed, feed_id)


def articles_of(session, feed_id: int) -> list[EvidenceArticle]:  # type: ignore[no-untyped-def]
    return list(
        session.scalars(
            select(EvidenceArticle)
            .join(NewsFeedEntry, NewsFeedEntry.article_id == EvidenceArticle.id)
            .where(NewsFeedEntry.feed_id == feed_id)
            .order_by(EvidenceArticle.id)
        )
    )


def count(session, model) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


# Leases ------------------------------------------------------------------------------------


def test_a_lease_is_held_by_one_poller_until_released_or_run_out(session):
    feed = make_feed(session, "http://127.0.0.1:9/lease.rss")
    assert claim_lease(session, feed.id, "a", NOW, 60)
    assert not claim_lease(session, feed.id, "b", NOW + timedelta(seconds=59), 60)
    assert claim_lease(session, feed.id, "a", NOW, 60)  # its own lease, renewed
    release_lease(session, feed.id, "b")  # not b's to give back
    assert not claim_lease(session, feed.id, "b", NOW + timedelta(seconds=30), 60)
    # A poller that died frees the feed when its lease runs out.
    assert claim_lease(session, feed.id, "b", NOW + timedelta(seconds=60), 60)
    release_lease(session, feed.id, "b")
    assert feed_row(session, feed.id).lease_owner is None
    assert claim_lease(session, feed.id, "c", NOW, 60)


def test_a_round_leases_only_feeds_still_due(session):
    feed = make_feed(session, "http://127.0.0.1:9/due.rss")
    feed.next_poll_at = NOW + timedelta(minutes=5)
    session.commit()
    assert not claim_lease(session, feed.id, "a", NOW, 60, due_at=NOW)
    assert claim_lease(session, feed.id, "a", NOW, 60, due_at=NOW + timedelta(minutes=5))
    assert feed.id not in round_feed_ids(session, NOW)
    assert round_feed_ids(session, NOW, feed.id) == [feed.id]  # by hand: due or not
    with pytest.raises(NotFound, match="feed 999999 does not exist"):
        round_feed_ids(session, NOW, 999999)


def test_back_off_doubles_the_interval_up_to_a_day():
    assert backoff(60, 0) == timedelta(minutes=60)
    assert backoff(60, 1) == timedelta(minutes=120)
    assert backoff(60, 3) == timedelta(minutes=480)
    assert backoff(60, 5) == timedelta(hours=24)
    assert backoff(5, 200) == timedelta(hours=24)


# Rounds against a feed server ---------------------------------------------------------------


def _entries(prefix: str, seeds: range, server: FeedServer) -> list[dict[str, str]]:
    return [
        {
            "guid": f"{prefix}-{n}",
            "title": f"{prefix} story {n}",
            "link": server.url(f"/stories/{prefix}-{n}.html"),
            "text": story(n),
        }
        for n in seeds
    ]


FIXTURES = {  # feed file: (language, entries)
    "mfa-fa.rss": ("fa", 5),  # RSS 2.0
    "tass-ru.rdf": ("ru", 5),  # RSS 1.0
    "aljazeera-ar.atom": ("ar", 5),  # Atom
    "fcdo-en.rss": ("en", 5),
    "digest-summaries.atom": (None, 4),  # short summaries: the linked pages are read
}


def test_a_round_makes_one_article_per_entry_and_a_second_gets_304s(session, session_factory):
    with FeedServer() as server:
        feeds = {
            name: make_feed(session, server.url(f"/{name}"), title=name.split(".")[0])
            for name in FIXTURES
        }
        before = count(session, EvidenceArticle)
        results = poll_round(session_factory, now=NOW, settings=settings())
        mine = {r.feed_id: r for r in results if r.feed_id in {f.id for f in feeds.values()}}
        assert {r.outcome for r in mine.values()} == {"fetched"}
        assert all(not r.skipped for r in mine.values()), mine
        created = count(session, EvidenceArticle) - before
        assert (
            created
            == sum(entries for _, entries in FIXTURES.values())
            == sum(r.new_articles for r in mine.values())
        )
        for name, feed in feeds.items():
            language, entries = FIXTURES[name]
            stored = articles_of(session, feed.id)
            assert len(stored) == entries
            assert all(a.outlet == feed.title and a.text for a in stored)
            if language:
                assert {a.language for a in stored} == {language}
            row = feed_row(session, feed.id)
            assert row.etag and row.last_success_at == NOW and row.last_error is None
            assert row.next_poll_at == NOW + timedelta(minutes=60)
            # One inbox item per story: each group of articles has exactly one.
            roots = {a.duplicate_of_id or a.id for a in stored}
            items = session.scalars(select(InboxItem).where(InboxItem.article_id.in_(roots)))
            assert len(list(items)) == len(roots)
        # The linked pages were read for the digest's short summaries.
        assert len(server.hits("/pages/")) == 4
        digest = articles_of(session, feeds["digest-summaries.atom"].id)
        assert all(len(a.text.split()) > 20 for a in digest)

        # Due again an hour later: conditional GETs, all answered 304, nothing new.
        again = poll_round(session_factory, now=NOW + timedelta(hours=1), settings=settings())
        assert {r.outcome for r in again if r.feed_id in mine} == {"not_modified"}
        assert count(session, EvidenceArticle) - before == created
        assert len(server.hits("/pages/")) == 4
        conditional = [h for h in server.headers if "if-none-match" in h]
        assert len(conditional) == len(FIXTURES)


def test_a_feed_added_without_a_title_takes_its_own_and_names_its_stories_by_it(
    session, session_factory
):
    """Added by its address alone, a feed is called by its host until the first poll reads
    the name it gives itself: the feed and the outlet of its stories then read the ministry's
    name, not "127.0.0.1"; a title typed by the user is never replaced."""
    with FeedServer() as server:
        bare = add_feed(session, {"url": server.url("/mfa-fa.rss")})
        named = add_feed(session, {"url": server.url("/fcdo-en.rss"), "title": "FCDO"})
        session.commit()
        assert bare.title == "127.0.0.1"
        version = bare.version
        poll_round(session_factory, now=NOW, settings=settings())
        feed = feed_row(session, bare.id)
        assert feed.title == "وزارت امور خارجه جمهوری اسلامی ایران - اخبار"
        assert feed.version == version + 1
        assert {a.outlet for a in articles_of(session, bare.id)} == {feed.title}
        assert feed_row(session, named.id).title == "FCDO"
        assert {a.outlet for a in articles_of(session, named.id)} == {"FCDO"}


def test_a_feed_served_again_without_validators_creates_nothing_twice(session, session_factory):
    with FeedServer() as server:
        document = rss("Plain", _entries("plain", range(1, 4), server))
        feed = make_feed(session, server.add("/plain.rss", document, "application/rss+xml"))
        first = poll_round(session_factory, now=NOW, settings=settings(), feed_id=feed.id)
        assert first[0].new_articles == 3
        row = feed_row(session, feed.id)
        row.etag = row.last_modified = None  # as if the server had sent no validators
        session.commit()
        # One more entry and the same three again: only the new one is taken in.
        more = rss("Plain", _entries("plain", range(1, 5), server))
        server.add("/plain.rss", more, "application/rss+xml")
        second = poll_round(session_factory, now=NOW, settings=settings(), feed_id=feed.id)
        assert second[0].outcome == "fetched" and second[0].new_articles == 1
        assert len(articles_of(session, feed.id)) == 4


def test_an_entry_whose_url_is_stored_reuses_that_article(session, session_factory):
    with FeedServer() as server:
        entries = _entries("known", range(1, 3), server)
        stored = add_article(
            session, {"url": entries[0]["link"], "text": story(1), "title": "Pasted earlier"}
        )
        feed = make_feed(
            session, server.add("/known.rss", rss("Known", entries), "application/rss+xml")
        )
        result = poll_round(session_factory, now=NOW, settings=settings(), feed_id=feed.id)[0]
        assert result.new_articles == 1
        assert [a.id for a in articles_of(session, feed.id)][0] == stored.id


def test_a_gone_feed_is_paused_with_the_reason(session, session_factory):
    with FeedServer() as server:
        feed = make_feed(session, server.url("/gone/news.rss"))
        result = poll_round(session_factory, now=NOW, settings=settings())
        mine = next(r for r in result if r.feed_id == feed.id)
        assert mine.outcome == "paused" and "410" in mine.error
        row = feed_row(session, feed.id)
        assert row.active is False and "410" in row.paused_reason
        assert row.consecutive_failures == 1 and "410" in row.last_error
        assert feed.id not in round_feed_ids(session, NOW + timedelta(days=30))


def test_server_errors_back_off_and_pause_after_enough_failures(session, session_factory):
    with FailingServer(503) as server:
        feed = make_feed(session, server.url("/news.rss"), every=60)
        now = NOW
        waits = []
        for failures in (1, 2):
            [result] = poll_round(session_factory, now=now, settings=settings(), feed_id=feed.id)
            assert result.outcome == "failed"
            assert result.error == f"HTTP 503 from 127.0.0.1:{server.port}"
            row = feed_row(session, feed.id)
            assert row.consecutive_failures == failures and row.active
            assert row.last_error == result.error
            waits.append(row.next_poll_at - now)
            assert feed.id not in round_feed_ids(session, now)
            now = row.next_poll_at
            assert feed.id in round_feed_ids(session, now)
        assert waits == [timedelta(hours=2), timedelta(hours=4)]  # the interval, doubled
        [result] = poll_round(session_factory, now=now, settings=settings())
        assert result.outcome == "paused"
        row = feed_row(session, feed.id)
        assert row.active is False and "3 failures in a row" in row.paused_reason
        assert "HTTP 503" in row.paused_reason
        assert feed.id not in round_feed_ids(session, now + timedelta(days=30))
        assert server.paths.count("/news.rss") == 3
        # A success clears the count: served again, the feed is polled by hand.
    with FeedServer() as working:
        row.url, row.active, row.paused_reason = working.url("/tass-ru.rdf"), True, None
        row.next_poll_at = None
        session.commit()
        [result] = poll_round(session_factory, now=now, settings=settings(), feed_id=feed.id)
        assert result.outcome == "fetched"
        row = feed_row(session, feed.id)
        assert row.consecutive_failures == 0 and row.last_error is None


def test_a_missing_feed_fails_in_words(session, session_factory):
    with FeedServer() as server:
        feed = make_feed(session, server.url("/missing-feed.rss"))
        [result] = poll_round(session_factory, now=NOW, settings=settings(), feed_id=feed.id)
        assert result.outcome == "failed"
        assert result.error == f"HTTP 404 from 127.0.0.1:{server.port}"


def test_a_redirected_feed_keeps_working(session, session_factory):
    with FeedServer() as server:
        server.add(
            "/moving.rss", rss("Moving", _entries("mv", range(1, 3), server)), "application/rss+xml"
        )
        feed = make_feed(session, server.url("/moved/moving.rss"))
        [result] = poll_round(session_factory, now=NOW, settings=settings(), feed_id=feed.id)
        assert result.outcome == "fetched" and result.new_articles == 2
        [again] = poll_round(
            session_factory, now=NOW + timedelta(hours=1), settings=settings(), feed_id=feed.id
        )
        assert again.outcome == "not_modified"


def test_a_slow_feed_fails_in_words(session, session_factory):
    with FeedServer(slow_delay=2.5) as server:
        feed = make_feed(session, server.url("/slow/tass-ru.rdf"))
        [result] = poll_round(session_factory, now=NOW, settings=settings(), feed_id=feed.id)
        assert result.outcome == "failed"
        said = re.compile(r"(timed out|did not answer).* 1 s")
        assert said.search(result.error), result.error
        assert said.search(feed_row(session, feed.id).last_error)
        assert "failed: feed" in summary([result])


def test_a_web_page_is_not_a_feed(session, session_factory):
    with FeedServer() as server:
        page = "<html><head><title>News</title></head><body><p>Hello</p></body></html>"
        feed = make_feed(session, server.add("/news.html", page, "text/html"))
        [result] = poll_round(session_factory, now=NOW, settings=settings(), feed_id=feed.id)
        assert result.outcome == "failed" and "web page" in result.error


def test_the_same_story_in_two_feeds_is_one_inbox_item_with_two_articles(session, session_factory):
    text = story(4242, words=120)
    with FeedServer() as server:
        one = make_feed(
            session,
            server.add(
                "/one.rss",
                rss(
                    "One",
                    [{"guid": "o1", "title": "Signed", "link": server.url("/o1"), "text": text}],
                ),
                "application/rss+xml",
            ),
            title="One",
        )
        # The other outlet's copy: the same story, a few words changed.
        copy = text.replace("Story 4242:", "Reported today:").replace(" treaty ", " pact ", 2)
        two = make_feed(
            session,
            server.add(
                "/two.rss",
                rss(
                    "Two",
                    [
                        {
                            "guid": "t1",
                            "title": "Signed too",
                            "link": server.url("/t1"),
                            "text": copy,
                        }
                    ],
                ),
                "application/rss+xml",
            ),
            title="Two",
        )
        poll_round(session_factory, now=NOW, settings=settings(), feed_id=one.id)
        poll_round(session_factory, now=NOW, settings=settings(), feed_id=two.id)
        [first], [second] = articles_of(session, one.id), articles_of(session, two.id)
        assert first.id != second.id and second.duplicate_of_id == first.id
        items = session.scalars(
            select(InboxItem).where(InboxItem.article_id.in_([first.id, second.id]))
        ).all()
        assert [item.article_id for item in items] == [first.id]


def test_a_cited_outlet_links_to_its_article_on_record_else_keeps_the_name(
    session, session_factory
):
    older, newest = (
        add_article(
            session,
            {
                "text": story(7000 + n),
                "title": f"Tasnim's report {n}",
                "outlet": "خبرگزاری تسنیم",  # one of Tasnim's names
                "language": "fa",
            },
        )
        for n in range(2)
    )
    with FeedServer() as server:
        mfa = make_feed(session, server.url("/mfa-fa.rss"), title="MFA")
        wire = make_feed(
            session,
            server.add(
                "/wire.rss",
                rss(
                    "Wire",
                    [
                        {
                            "guid": "w1",
                            "title": "Quoting TASS",
                            "link": server.url("/w1"),
                            "text": "Ministers met in Moscow, according to TASS. " + story(7002),
                        }
                    ],
                ),
                "application/rss+xml",
            ),
            title="Wire",
        )
        poll_round(session_factory, now=NOW, settings=settings())
    by_url = {a.url.rsplit("/", 1)[-1]: a for a in articles_of(session, mfa.id)}
    # «به نقل از تسنیم»: Tasnim is on record, its newest article is linked.
    assert by_url["752188"].cites_id == newest.id != older.id
    assert by_url["752188"].cites_outlet is None
    # «به گزارش خبرگزاری ایرنا»: no IRNA article on record, the outlet's name is kept.
    assert by_url["752101"].cites_id is None and by_url["752101"].cites_outlet == "IRNA"
    [quoting_tass] = articles_of(session, wire.id)
    assert quoting_tass.cites_id is None and quoting_tass.cites_outlet == "TASS"


def test_an_entry_that_cannot_be_read_is_skipped_with_the_reason(session, session_factory):
    with FeedServer() as server:
        entries = [
            {"guid": "ok", "title": "Fine", "link": server.url("/ok"), "text": story(1)},
            # No text in the feed and its page is missing: skipped, the rest goes on.
            {"guid": "bad", "title": "Empty", "link": server.url("/missing-page"), "text": ""},
        ]
        feed = make_feed(
            session, server.add("/mixed.rss", rss("Mixed", entries), "application/rss+xml")
        )
        [result] = poll_round(session_factory, now=NOW, settings=settings(), feed_id=feed.id)
        assert result.outcome == "fetched" and result.new_articles == 1
        assert sum(result.skipped.values()) == 1
        assert "404" in next(iter(result.skipped))
        assert "1 entry skipped" in summary([result])


def test_a_paused_feed_is_not_fetched_even_by_hand(session, session_factory):
    with FeedServer() as server:
        feed = make_feed(session, server.url("/tass-ru.rdf"))
        feed.active, feed.paused_reason = False, "paused by an editor"
        session.commit()
        assert feed.id not in round_feed_ids(session, NOW)
        [result] = poll_round(session_factory, now=NOW, settings=settings(), feed_id=feed.id)
        assert result.outcome == "paused" and result.error == "paused by an editor"
        assert server.hits("/tass-ru.rdf") == []
        assert feed_row(session, feed.id).lease_owner is None


def test_a_feed_whose_lease_ran_out_while_fetching_leaves_it_to_the_new_holder(
    session, session_factory
):
    """A poller that held the feed past its lease stores nothing: the one holding it now
    does (no entry twice, no state overwritten)."""
    with FeedServer(slow_delay=1.0) as server:
        feed = make_feed(session, server.url("/slow/tass-ru.rdf"))
        taken = threading.Event()

        def steal() -> None:  # while the first poller waits for the slow answer
            time.sleep(0.5)
            with session_factory() as other:
                assert claim_lease(
                    other, feed.id, "another poller", utcnow() + timedelta(hours=1), 60
                )
            taken.set()

        thief = threading.Thread(target=steal)
        thief.start()
        [result] = poll_round(
            session_factory, now=NOW, settings=settings(lease_seconds=0), feed_id=feed.id
        )
        thief.join()
        assert taken.is_set()
        assert result.outcome == "busy" and result.new_articles == 0
        assert articles_of(session, feed.id) == []
        row = feed_row(session, feed.id)
        assert row.lease_owner == "another poller" and row.last_success_at is None
