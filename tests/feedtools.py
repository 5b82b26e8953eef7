"""Feeds for polling tests and the bench: NewsFeed rows and generated RSS documents."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

from sqlalchemy.orm import Session

from tracker.models.inbox import NewsFeed
from tracker.text.urls import canonical_url


def make_feed(
    session: Session, url: str, *, title: str = "", language: str | None = None, every: int = 60
) -> NewsFeed:
    """A feed as a user adds it (active, never polled), committed."""
    feed = NewsFeed(
        url=url,
        url_canonical=canonical_url(url),
        title=title,
        language=language,
        poll_every_minutes=every,
    )
    session.add(feed)
    session.commit()
    return feed


def rss(
    title: str,
    entries: list[dict[str, str]],
    *,
    language: str = "en",
    link: str = "http://127.0.0.1/",
) -> str:
    """An RSS 2.0 document; each entry: guid, title, link, text (the story, in the feed)."""
    items = []
    for entry in entries:
        published = entry.get("published") or format_datetime(datetime(2025, 3, 1, 9, tzinfo=UTC))
        items.append(
            "<item>"
            f"<title>{escape(entry['title'])}</title>"
            + (f"<link>{escape(entry['link'])}</link>" if entry.get("link") else "")
            + f'<guid isPermaLink="false">{escape(entry["guid"])}</guid>'
            f"<pubDate>{published}</pubDate>"
            f"<description>{escape(entry['text'])}</description>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<description>{escape(title)}</description><language>{language}</language>"
        + "".join(items)
        + "</channel></rss>"
    )


# Words for generated stories: each story is different enough not to be a near-duplicate.
_WORDS = (
    "ministers delegation agreement treaty talks capital signed protocol committee "
    "parliament ratification cooperation energy transport customs border trade tariff "
    "security defence culture education health science water railway pipeline port grain "
    "shipping bank currency investment visa tourism archive memorandum round session "
    "chairman envoy summit declaration annex article clause provision schedule review"
).split()


def story(seed: int, words: int = 80) -> str:
    """A story of `words` words, the same for the same seed, unlike other seeds' stories."""
    state = seed * 2654435761 % 2**32 or 1
    out = []
    for _ in range(words):
        state = (1103515245 * state + 12345) % 2**31
        out.append(_WORDS[state % len(_WORDS)])
    return f"Story {seed}: " + " ".join(out) + "."
