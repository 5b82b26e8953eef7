"""Managing news feeds: the checks of an address, one feed per canonical URL, pausing and
resuming, versions, the audit log, and removing a feed while its stories stay."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests import factories
from tracker.models import AuditEntry
from tracker.models.inbox import InboxItem, NewsFeed, NewsFeedEntry
from tracker.services.accounts.users import create_user
from tracker.services.errors import InvalidInput, NotFound, Stale
from tracker.services.feeds import manage

IRNA = "https://www.irna.ir/rss/politics"


def errors_of(call) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        call()
    return caught.value.errors


def test_a_feed_is_added_with_its_host_as_title_and_due_at_once(session):
    editor = create_user(session, "feeds-editor@example.org", role="editor")
    feed = manage.add_feed(session, {"url": IRNA, "language": "fa"}, actor=editor)
    assert (feed.title, feed.language, feed.active, feed.poll_every_minutes) == (
        "irna.ir",
        "fa",
        True,
        60,
    )
    assert feed.url == IRNA and feed.url_canonical == "https://irna.ir/rss/politics"
    assert feed.next_poll_at is None and feed.consecutive_failures == 0
    assert feed.created_by_id == editor.id and feed.version == 1
    entry = session.scalar(
        select(AuditEntry).where(
            AuditEntry.entity == "news_feed", AuditEntry.entity_id == str(feed.id)
        )
    )
    assert (entry.action, entry.actor, entry.after["url"]) == ("create", editor.email, IRNA)


def test_the_same_address_written_otherwise_is_already_watched(session):
    first = manage.add_feed(session, {"url": IRNA, "title": "ایرنا — سیاسی"})
    for again in (
        "HTTPS://irna.ir:443/rss/politics?utm_source=x",
        "https://www.irna.ir/rss/politics#top",
    ):
        errors = errors_of(lambda url=again: manage.add_feed(session, {"url": url}))
        assert errors == {"url": [f"already watched: ایرنا — سیاسی (feed {first.id})"]}
    assert session.scalar(select(NewsFeed).where(NewsFeed.url_canonical.like("%irna%"))) is first


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://irna.ir/rss", "only http:// and https://"),
        ("irna.ir/rss", "only http:// and https://"),
        ("javascript:alert(1)", "only http:// and https://"),
        ("https://irna.ir:99999/rss", "not valid"),
        ("https://irna.ir/\u202erss", "control or text-direction"),
        ("https://irna.ir/r\x07ss", "control or text-direction"),
        ("https://irna .ir/rss", "spaces"),
        ("https://" + "a" * 2000 + ".ir/", "1 to 2000 characters"),
    ],
)
def test_bad_addresses_are_refused_on_url(session, url, words):
    errors = errors_of(lambda: manage.add_feed(session, {"url": url}))
    assert list(errors) == ["url"] and words in " ".join(errors["url"]), errors


def test_every_field_is_checked_and_every_error_given_at_once(session):
    errors = errors_of(
        lambda: manage.add_feed(
            session,
            {"title": "x" * 301, "language": "Persian", "poll_every_minutes": 4},
        )
    )
    assert set(errors) == {"url", "title", "language", "poll_every_minutes"}
    assert "Missing data" in errors["url"][0]
    assert errors["language"] == ["Not a language code such as fa, ru, ar or en."]
    assert "5 to 10080 minutes" in errors["poll_every_minutes"][0]
    for every in (5, 10080):
        feed = manage.add_feed(
            session, {"url": f"https://tass.ru/rss/v2.xml?e={every}", "poll_every_minutes": every}
        )
        assert feed.poll_every_minutes == every
    too_long = errors_of(
        lambda: manage.add_feed(session, {"url": "https://tass.ru/x", "poll_every_minutes": 10081})
    )
    assert list(too_long) == ["poll_every_minutes"]
    assert session.scalar(select(NewsFeed).where(NewsFeed.url == "https://tass.ru/x")) is None


def test_a_title_is_one_line_without_control_characters(session):
    feed = manage.add_feed(
        session, {"url": "https://ria.ru/export/rss2/index.xml", "title": "РИА\nНовости\u202e"}
    )
    assert feed.title == "РИА Новости"


def test_update_checks_the_version_and_raises_it(session):
    feed = manage.add_feed(session, {"url": IRNA})
    changed = manage.update_feed(
        session, feed.id, {"title": "IRNA politics", "poll_every_minutes": 30}, version=1
    )
    assert (changed.title, changed.poll_every_minutes, changed.version) == (
        "IRNA politics",
        30,
        2,
    )
    with pytest.raises(Stale):
        manage.update_feed(session, feed.id, {"title": "Lost update"}, version=1)
    assert manage.get_feed(session, feed.id).title == "IRNA politics"
    # an empty title is the host again
    assert manage.update_feed(session, feed.id, {"title": ""}).title == "irna.ir"
    with pytest.raises(NotFound):
        manage.update_feed(session, 2**31 - 1, {"title": "x"})
    with pytest.raises(NotFound):
        manage.get_feed(session, 0)


def test_moving_to_another_feeds_address_is_refused_and_a_new_address_forgets_validators(
    session,
):
    one = manage.add_feed(session, {"url": "https://tass.ru/rss/v2.xml", "title": "TASS"})
    two = manage.add_feed(session, {"url": IRNA})
    errors = errors_of(
        lambda: manage.update_feed(session, two.id, {"url": "https://tass.ru/rss/v2.xml"})
    )
    assert errors == {"url": [f"already watched: TASS (feed {one.id})"]}
    # its own address again is no clash
    assert (
        manage.update_feed(session, one.id, {"url": "https://www.tass.ru/rss/v2.xml"}).etag is None
    )
    one.etag, one.last_modified = '"abc"', "Wed, 02 Dec 2026 10:00:00 GMT"
    one.next_poll_at = datetime(2026, 12, 2, 11, tzinfo=UTC)
    session.commit()
    moved = manage.update_feed(session, one.id, {"url": "https://tass.com/rss/v2.xml"})
    assert (moved.etag, moved.last_modified, moved.next_poll_at) == (None, None, None)
    assert moved.url_canonical == "https://tass.com/rss/v2.xml"


def test_resuming_a_paused_feed_clears_its_failures_and_back_off(session):
    feed = manage.add_feed(session, {"url": IRNA})
    feed.active = False
    feed.paused_reason = "the feed answered 410 Gone"
    feed.consecutive_failures = 10
    feed.last_error = "the page answered 410"
    feed.next_poll_at = datetime(2026, 12, 9, tzinfo=UTC)
    session.commit()
    resumed = manage.update_feed(session, feed.id, {"active": True})
    assert resumed.active is True
    assert (
        resumed.paused_reason,
        resumed.consecutive_failures,
        resumed.last_error,
        resumed.next_poll_at,
    ) == (None, 0, None, None)
    paused = manage.update_feed(session, feed.id, {"active": False})
    assert (paused.active, paused.paused_reason) == (False, "paused by hand")
    # an active feed's failures (backing off) are left alone by an edit of its title
    paused.active, paused.paused_reason, paused.consecutive_failures = True, None, 3
    session.commit()
    assert (
        manage.update_feed(session, feed.id, {"title": "x", "active": True}).consecutive_failures
        == 3
    )


def test_list_by_title_filtered_by_activity_and_paged(session):
    made = [
        manage.add_feed(session, {"url": f"https://feeds.example.org/{n}", "title": title})
        for n, title in enumerate(["b feed", "A feed", "c feed"])
    ]
    manage.update_feed(session, made[2].id, {"active": False})
    ours = {f.id for f in made}
    rows, _ = manage.list_feeds(session, limit=500)
    assert [f.title for f in rows if f.id in ours] == ["A feed", "b feed", "c feed"]
    active, total_active = manage.list_feeds(session, active=True, limit=500)
    paused, total_paused = manage.list_feeds(session, active=False, limit=500)
    assert made[2] in paused and made[2] not in active
    assert all(f.active for f in active) and not any(f.active for f in paused)
    everything, total = manage.list_feeds(session, limit=1)
    assert len(everything) == 1 and total == total_active + total_paused >= 3


def test_removing_a_feed_keeps_its_articles_and_inbox_items(session):
    admin = create_user(session, "feeds-admin@example.org", role="admin")
    feed = manage.add_feed(session, {"url": IRNA})
    article = factories.article(session, "Tehran and Moscow exchanged instruments of ratification.")
    session.add(NewsFeedEntry(feed_id=feed.id, key="a" * 64, article_id=article.id))
    session.add(InboxItem(article_id=article.id, feed_id=feed.id))
    session.commit()
    feed_id = feed.id
    manage.remove_feed(session, feed_id, actor=admin)
    session.expire_all()
    assert session.get(NewsFeed, feed_id) is None
    assert session.scalar(select(NewsFeedEntry).where(NewsFeedEntry.feed_id == feed_id)) is None
    item = session.scalar(select(InboxItem).where(InboxItem.article_id == article.id))
    assert item is not None and item.feed_id is None
    entry = session.scalar(
        select(AuditEntry).where(
            AuditEntry.entity == "news_feed",
            AuditEntry.entity_id == str(feed_id),
            AuditEntry.action == "delete",
        )
    )
    assert entry.actor == admin.email and entry.before["url"] == IRNA
    with pytest.raises(NotFound):
        manage.remove_feed(session, feed_id)
