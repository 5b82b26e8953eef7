"""Reading news feeds: RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom through feedparser, fetched with
the guarded fetcher, conditionally (ETag / Last-Modified), politely (`polite.HostGate`,
`polite.Robots`).

`fetch_feed` never raises for what the network, the server or the document may do: the
answer says it in words (`FeedFetch.error`), `gone` when the server says the feed is no more
(410). `entry_article` turns an entry into the data `add_article` takes: the entry's own
text when it carries the story, else the page it links to.

One module: fetching and parsing a feed answer one question (what is in this feed now), and
their errors are worded together for the feed's page.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

import feedparser

from tracker.models.evidence import ArticleLimits
from tracker.services.feeds.polite import HostGate, Robots
from tracker.services.infra.fetching import (
    ACCEPTED_TYPES,
    FetchRefused,
    FetchSettings,
    clean_text,
    fetch,
    from_html,
    url_problem,
)

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/x-rss+xml",
        "application/xml",
        "text/xml",
        # Accepted only to say that the address is a web page, not a feed.
        "text/html",
        "application/xhtml+xml",
    }
)
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
# An entry whose own text has fewer words than this only announces the story: the linked
# page is read instead.
MIN_ARTICLE_WORDS = 60


class FeedUnreadable(Exception):
    """The document is not a feed, or too broken to read; the message says why."""


@dataclass
class FeedEntry:
    key: str
    link: str | None
    title: str
    published: str | None
    text: str
    language: str | None
    author: str = ""


@dataclass
class ParsedFeed:
    title: str
    language: str | None
    link: str | None
    entries: list[FeedEntry] = field(default_factory=list)


@dataclass
class FeedFetch:
    status: int
    not_modified: bool
    feed: ParsedFeed | None
    etag: str | None
    last_modified: str | None
    final_url: str
    error: str | None
    gone: bool = False


# --- HTML of entries as text ---------------------------------------------------------------

_BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "tr", "table", "section", "article", "header", "footer", "pre", "hr", "dd", "dt", "figure",
    "figcaption",
}  # fmt: skip
_SKIP = {"script", "style", "template", "noscript"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The text of an HTML fragment: paragraphs as lines, spaces squeezed, cleaned."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = clean_text("".join(parser.parts))
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# --- parsing --------------------------------------------------------------------------------


def _language(value: Any) -> str | None:
    """'fa-IR', 'ru_RU', 'AR' -> 'fa', 'ru', 'ar'; None for nothing usable."""
    if not isinstance(value, str):
        return None
    code = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def _date(entry: Any) -> str | None:
    """The entry's date as the outlet wrote it (its own time zone: a story of Tehran
    01:30 is of that day, not of the day before in UTC), else feedparser's UTC reading."""
    for name in ("published", "updated", "created"):
        written = entry.get(name)
        if isinstance(written, str) and written.strip():
            local = _local_date(written.strip())
            if local:
                return local
        value = entry.get(f"{name}_parsed")
        if isinstance(value, time.struct_time):
            return time.strftime("%Y-%m-%d", value)
    return None


def _local_date(written: str) -> str | None:
    try:
        return parsedate_to_datetime(written).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(written).date().isoformat()
    except ValueError:
        return None


def _entry_text(entry: Any) -> tuple[str, str | None]:
    """The entry's text (its content, else its summary) and the language it declares."""
    for detail in [*(entry.get("content") or []), entry.get("summary_detail")]:
        if not detail or not (detail.get("value") or "").strip():
            continue
        value = detail["value"]
        if detail.get("type") == "text/plain":
            text = clean_text(value).strip()
        else:
            text = html_text(value)
        if text:
            return text, _language(detail.get("language"))
    return "", None


def _plain(value: Any, detail: Any) -> str:
    """A title as text: HTML ones (Atom type="html", RSS titles with markup) read as HTML,
    plain ones kept as they are ("Growth < 2%")."""
    if not isinstance(value, str):
        return ""
    if (detail or {}).get("type") in {"text/html", "application/xhtml+xml"}:
        return html_text(value).replace("\n", " ")
    return re.sub(r"\s+", " ", clean_text(value)).strip()


def _author(entry: Any) -> str:
    """The author's name ("desk@example.org (Amelia Hart)" in RSS 2.0 is Amelia Hart)."""
    detail = entry.get("author_detail") or {}
    return clean_text(detail.get("name") or entry.get("author") or "").strip()[:200]


def _key(entry: Any, title: str, published: str | None) -> str:
    identity = entry.get("id") or entry.get("link") or f"{title}\n{published or ''}"
    return hashlib.sha256(identity.strip().encode("utf-8")).hexdigest()


def parse_feed(raw: bytes, url: str) -> ParsedFeed:
    """The feed in `raw` (fetched from `url`, which relative links are resolved against).

    Raise FeedUnreadable when it is no feed at all or too broken to find any entry in.
    """
    parsed = feedparser.parse(raw, response_headers={"content-location": url}, sanitize_html=True)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.get("version"):
        if _HTML.search(raw[:2000]):
            raise FeedUnreadable("the document is a web page (HTML), not a feed")
        raise FeedUnreadable("the document is not a feed (no RSS or Atom found in it)")
    if problem is not None and _broken(problem):
        # What a lenient reading would make of it is a guess: entries cut short or glued
        # together. The feed's owner is told where it breaks instead.
        raise FeedUnreadable(f"the feed is not well-formed XML ({_words(problem)})")
    meta = parsed.feed
    language = _language(meta.get("language"))
    if language is None:
        language = _language((meta.get("title_detail") or {}).get("language"))
    entries = []
    for entry in parsed.entries:
        title = _plain(entry.get("title"), entry.get("title_detail"))
        published = _date(entry)
        text, text_language = _entry_text(entry)
        entries.append(
            FeedEntry(
                key=_key(entry, title, published),
                link=(entry.get("link") or "").strip() or None,
                title=title,
                published=published,
                text=text,
                language=_language(entry.get("language"))
                or text_language
                or _language((entry.get("title_detail") or {}).get("language"))
                or language,
                author=_author(entry),
            )
        )
    return ParsedFeed(
        title=_plain(meta.get("title"), meta.get("title_detail")),
        language=language,
        link=(meta.get("link") or "").strip() or None,
        entries=entries,
    )


_HTML = re.compile(rb"<!doctype\s+html|<html[\s>]", re.IGNORECASE)


def _broken(problem: Exception) -> bool:
    return not isinstance(
        problem, (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    )


def _words(problem: Exception) -> str:
    message = str(getattr(problem, "getMessage", lambda: problem)())
    line = getattr(problem, "getLineNumber", lambda: None)()
    return f"line {line}: {message}" if line else message or type(problem).__name__


# --- fetching -------------------------------------------------------------------------------

_ALTERNATE = re.compile(
    r"<link\b[^>]*type=[\"']application/(?:rss|atom)\+xml[\"'][^>]*>", re.IGNORECASE
)
_HREF = re.compile(r"href=[\"']([^\"']+)[\"']", re.IGNORECASE)


def _web_page(body: str) -> str:
    found = _ALTERNATE.search(body)
    href = _HREF.search(found.group(0)) if found else None
    hint = f"; the page names a feed at {href.group(1)[:300]}" if href else ""
    return f"the address is a web page, not a feed{hint}"


def fetch_feed(
    url: str,
    settings: FetchSettings,
    gate: HostGate,
    robots: Robots,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FeedFetch:
    """Fetch and read the feed at `url`, conditionally when `etag` / `last_modified` are
    those of the last fetch. Never raises for network, HTTP or document problems."""

    def failed(error: str, status: int = 0, gone: bool = False) -> FeedFetch:
        return FeedFetch(status, False, None, etag, last_modified, url, error, gone)

    problem = url_problem(url)
    if problem:
        return failed(problem)
    if not robots.allowed(url):
        return failed("the site's robots.txt does not allow fetching this feed")
    headers = {"Accept": FEED_ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with gate.turn(url):
            page = fetch(url, settings, accept=FEED_TYPES, headers=headers)
    except FetchRefused as exc:
        if exc.status == 410:
            return failed("the feed is gone (the server answered 410)", 410, gone=True)
        return failed(str(exc), exc.status or 0)
    if page.status == 304:
        return FeedFetch(
            304,
            True,
            None,
            page.etag or etag,
            page.last_modified or last_modified,
            page.url,
            None,
        )
    result = FeedFetch(
        page.status, False, None, page.etag, page.last_modified, page.url, None, False
    )
    try:
        if page.content_type in {"text/html", "application/xhtml+xml"}:
            # Some servers send feeds as HTML; a real web page has no RSS or Atom in it.
            try:
                result.feed = parse_feed(page.raw, page.url)
            except FeedUnreadable:
                result.error = _web_page(page.body)
            return result
        result.feed = parse_feed(page.raw, page.url)
    except FeedUnreadable as exc:
        result.error = str(exc)
    except Exception as exc:  # noqa: BLE001 - the parser's own failure on a hostile document
        result.error = f"the feed could not be read ({type(exc).__name__})"
    return result


def entry_article(
    entry: FeedEntry,
    *,
    feed_language: str | None,
    outlet: str,
    settings: FetchSettings,
    gate: HostGate,
    robots: Robots,
) -> dict[str, Any]:
    """The data for `add_article` (url, title, text, language, published, outlet, author).

    The entry's own text when it carries the story (at least MIN_ARTICLE_WORDS words); else
    the linked page, fetched through the gate when robots.txt allows it and read with
    trafilatura; when that fails, the entry's shorter text if it has one. FetchRefused when
    neither gives any text.
    """
    data: dict[str, Any] = {
        "url": entry.link,
        "title": entry.title,
        "text": entry.text,
        "language": entry.language or _language(feed_language),
        "published": entry.published,
        "outlet": outlet,
    }
    if entry.author:
        data["author"] = entry.author
    if len(entry.text.split()) >= MIN_ARTICLE_WORDS:
        return _fit(data)
    if not entry.link:
        if entry.text:
            return _fit(data)
        raise FetchRefused("the entry has no text and no link to its story")
    try:
        problem = url_problem(entry.link)
        if problem:
            raise FetchRefused(f"the story's link cannot be fetched: {problem}")
        if not robots.allowed(entry.link):
            raise FetchRefused("the site's robots.txt does not allow fetching the story's page")
        with gate.turn(entry.link):
            page = fetch(entry.link, settings, accept=ACCEPTED_TYPES)
        if page.status == 304:
            raise FetchRefused("the page answered 304")
        if page.content_type == "text/plain":
            found: dict[str, Any] = {"text": page.body.strip()}
        else:
            found = from_html(page.body, page.url)
        if not found.get("text"):
            raise FetchRefused("no article text could be found on the story's page")
    except FetchRefused:
        if entry.text:
            return _fit(data)
        raise
    data["url"] = page.url
    data["text"] = clean_text(found["text"]).strip()
    data["title"] = entry.title or found.get("title", "")
    data["published"] = entry.published or found.get("published")
    data["outlet"] = outlet or found.get("outlet", "")
    if not entry.author and found.get("author"):
        data["author"] = found["author"]
    return _fit(data)


def _fit(data: dict[str, Any]) -> dict[str, Any]:
    """The data held to what an article takes: no link that is not http(s) or too long (the
    story is kept without it), fields cut to their longest."""
    url = data.get("url")
    if url and (url_problem(url) or len(url) > ArticleLimits.URL):
        data["url"] = None
    for key, limit in (
        ("title", ArticleLimits.TITLE),
        ("outlet", ArticleLimits.OUTLET),
        ("author", ArticleLimits.AUTHOR),
        ("text", ArticleLimits.TEXT),
    ):
        if isinstance(data.get(key), str):
            data[key] = data[key][:limit].strip()
    return data
