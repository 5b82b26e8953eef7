"""Feeds for polling tests and the bench: NewsFeed rows and generated RSS documents."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
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


class FailingServer:
    """A feed server that answers every request with `status` (a 503 while it is down), on
    127.0.0.1 at a free port; a context manager."""

    def __init__(self, status: int = 503) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                owner.paths.append(self.path)
                body = b"down for maintenance"
                try:
                    self.send_response(owner.status)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client left
                    pass

        self.status = status
        self.paths: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def __enter__(self) -> FailingServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
