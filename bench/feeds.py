"""Polling 200 news feeds served from loopback, twice, on SQLite.

    python -m bench.feeds [--feeds 200]

Generated RSS documents (5 entries each, the story's text in the feed, so no page is
fetched) on a local HTTP server that answers conditional requests with 304, as feed servers
do. Round one takes every entry in (articles, inbox items); round two, due an hour later,
must be all 304s and create nothing. One host serves every feed, so the per-host gap is 0
for the bench (a real round waits TRACKER_FEEDS_HOST_GAP between two requests to one host).
"""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import random
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bench.dataset import fresh_database
from tracker import migrate
from tracker.models.evidence import EvidenceArticle
from tracker.models.inbox import NewsFeed
from tracker.services.data.seed import load_seed
from tracker.services.feeds.polling import PollSettings, poll_round
from tracker.services.infra.fetching import FetchSettings
from tracker.text.urls import canonical_url

TARGET_SECONDS = 30.0
ENTRIES = 5
MODIFIED = formatdate(1_767_225_600, usegmt=True)
WORDS = (
    "ministers delegation agreement treaty talks capital signed protocol committee parliament "
    "ratification cooperation energy transport customs border trade tariff security defence "
    "culture education health science water railway pipeline port grain shipping bank "
    "currency investment visa tourism archive memorandum round session chairman envoy summit "
    "declaration annex article clause provision schedule review harbour corridor"
).split()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        body = self.server.documents.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        fresh = self.headers.get("If-None-Match") == etag
        self.send_response(304 if fresh else 200)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", MODIFIED)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", "0" if fresh else str(len(body)))
        self.end_headers()
        if not fresh:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    documents: dict[str, bytes]


def _document(n: int, rng: random.Random) -> bytes:
    items = []
    for k in range(ENTRIES):
        text = " ".join(rng.choice(WORDS) for _ in range(90))
        items.append(
            f"<item><title>Feed {n} story {k}</title>"
            f"<link>http://news{n}.example/story/{k}</link>"
            f'<guid isPermaLink="false">feed-{n}-{k}</guid>'
            f"<pubDate>{formatdate(1_767_225_600 - k * 3600, usegmt=True)}</pubDate>"
            f"<description>{escape(f'Story {n}.{k}: {text}.')}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Feed {n}</title><link>http://news{n}.example/</link>"
        "<description>generated</description><language>en</language>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def measure(feeds: int = 200, concurrency: int = 4) -> dict[str, Any]:
    rng = random.Random(18)
    server = _Server(("127.0.0.1", 0), _Handler)
    server.documents = {f"/feed-{n}.rss": _document(n, rng) for n in range(feeds)}
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    loopback = (ipaddress.ip_network("127.0.0.0/8"),)
    settings = PollSettings(
        fetch=FetchSettings(timeout=10, allowed_networks=loopback, only_networks=loopback),
        min_gap=0.0,
        concurrency=concurrency,
        pause_after=10,
    )
    try:
        with fresh_database(None) as (_url, engine):
            migrate.upgrade(engine)
            with Session(engine) as session:
                load_seed(session)
                for n in range(feeds):
                    url = f"http://127.0.0.1:{port}/feed-{n}.rss"
                    session.add(
                        NewsFeed(url=url, url_canonical=canonical_url(url), title=f"Feed {n}")
                    )
                session.commit()
            factory = sessionmaker(bind=engine, expire_on_commit=False)
            now = datetime.now(UTC)

            def articles() -> int:
                with Session(engine) as session:
                    return session.scalar(select(func.count()).select_from(EvidenceArticle)) or 0

            before = articles()
            started = time.perf_counter()
            first = poll_round(factory, now=now, settings=settings)
            first_seconds = time.perf_counter() - started
            made = articles() - before
            started = time.perf_counter()
            second = poll_round(factory, now=now + timedelta(hours=1), settings=settings)
            second_seconds = time.perf_counter() - started
            again = articles() - before - made
    finally:
        server.shutdown()
        server.server_close()
    return {
        "feeds": feeds,
        "first": first_seconds,
        "second": second_seconds,
        "articles": made,
        "first_fetched": sum(r.outcome == "fetched" for r in first),
        "all_304": len(second) == feeds and all(r.outcome == "not_modified" for r in second),
        "created_twice": again,
    }


def report(feeds: int = 200) -> list[str]:
    m = measure(feeds)
    met = m["first"] <= TARGET_SECONDS and m["second"] <= TARGET_SECONDS
    return [
        f"feeds: {m['feeds']} feeds, round 1 {m['first']:.1f} s ({m['articles']} articles), "
        f"round 2 {m['second']:.1f} s (all 304: {'yes' if m['all_304'] else 'no'}), "
        f"target <= {TARGET_SECONDS:.0f} s {'met' if met else 'not met'}",
        f"(SQLite; one loopback host, so the per-host gap is 0 for the bench; "
        f"{m['first_fetched']} feeds fetched in round 1, {m['created_twice']} articles "
        f"created in round 2)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    args = parser.parse_args()
    print("\n".join(report(args.feeds)))


if __name__ == "__main__":
    main()
