"""A local HTTP server for feed tests: serves the documents of tests/data/feeds/ (and any
added with `add`) on 127.0.0.1 at a free port, the way feed servers answer.

    with FeedServer() as server:
        fetch_feed(server.url("/mfa-fa.rss"), ...)

- every document has an ETag and a Last-Modified, and a conditional request that matches
  (If-None-Match, else If-Modified-Since) is answered 304 with no body;
- `/gone/<anything>` answers 410, `/moved/<path>` 301 to `/<path>`, `/slow/<path>` the
  document after `slow_delay` seconds, `/missing...` and unknown paths 404;
- `/robots.txt` answers `robots` (404 while it is None); `redirect(path, location)` makes
  `path` answer 302 to `location` (anywhere: the fetcher's guards are to refuse it);
- `log` holds a `Hit(path, start, end, thread)` per request (times from time.monotonic(),
  taken in the server), `headers` the request headers seen (names in lower case) and
  `answers` the (path, status) sent, per request, in the order the requests came and ended;
  `clear()` empties all three.
"""

from __future__ import annotations

import hashlib
import threading
import time
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple

FEEDS = Path(__file__).parent / "data" / "feeds"
TYPES = {
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".rdf": "application/rdf+xml",
    ".xml": "application/xml",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
# The Last-Modified of every served document (a fixed moment in the past).
MODIFIED = formatdate(1_767_225_600, usegmt=True)  # Thu, 01 Jan 2026 00:00:00 GMT


class Hit(NamedTuple):
    path: str
    start: float
    end: float
    thread: str


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        start = time.monotonic()
        owner: FeedServer = self.server.owner
        with owner.lock:
            owner.headers.append({k.lower(): v for k, v in self.headers.items()})
        try:
            self._answer(owner)
        except OSError:  # the client left (a timeout on its side)
            pass
        finally:
            hit = Hit(self.path, start, time.monotonic(), threading.current_thread().name)
            with owner.lock:
                owner.log.append(hit)
                owner.logged.notify_all()

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        owner = self.server.owner
        with owner.lock:
            owner.answers.append((self.path, status))
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _answer(self, owner: FeedServer) -> None:
        path = self.path.split("?", 1)[0]
        if owner.delay:
            time.sleep(owner.delay)
        if path == "/robots.txt":
            if owner.robots is None:
                return self._send(404, b"not found", {"Content-Type": "text/plain"})
            return self._send(200, owner.robots.encode(), {"Content-Type": "text/plain"})
        with owner.lock:
            location = owner.redirects.get(path)
        if location is not None:
            return self._send(302, b"", {"Location": location})
        if path.startswith("/gone/"):
            return self._send(410, b"gone", {"Content-Type": "text/plain"})
        if path.startswith("/moved/"):
            return self._send(301, b"", {"Location": path[len("/moved") :]})
        if path.startswith("/slow/"):
            time.sleep(owner.slow_delay)
            path = path[len("/slow") :]
        document = owner.document(path)
        if document is None:
            return self._send(404, b"not found", {"Content-Type": "text/plain"})
        body, content_type = document
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        headers = {"ETag": etag, "Last-Modified": MODIFIED}
        if self._not_modified(etag):
            return self._send(304, b"", headers)
        return self._send(200, body, {**headers, "Content-Type": content_type})

    def _not_modified(self, etag: str) -> bool:
        tags = self.headers.get("If-None-Match")
        if tags is not None:
            return etag in [tag.strip() for tag in tags.split(",")] or tags.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return parsedate_to_datetime(since) >= parsedate_to_datetime(MODIFIED)
            except (TypeError, ValueError):
                return False
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: FeedServer


class FeedServer:
    """The server, as a context manager (started on enter, stopped on exit)."""

    def __init__(self, slow_delay: float = 2.0) -> None:
        self.slow_delay = slow_delay
        self.delay = 0.0  # added to every answer (politeness tests)
        self.robots: str | None = None
        self.log: list[Hit] = []
        self.headers: list[dict[str, str]] = []
        self.answers: list[tuple[str, int]] = []
        self.lock = threading.Lock()
        # Signalled as each request is logged: its client may have read the answer first.
        self.logged = threading.Condition(self.lock)
        self._added: dict[str, tuple[bytes, str]] = {}
        self.redirects: dict[str, str] = {}
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def add(self, path: str, body: bytes | str, content_type: str) -> str:
        """Serve `body` at `path` too (generated documents); returns its URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self.lock:
            self._added["/" + path.lstrip("/")] = (data, content_type)
        return self.url(path)

    def redirect(self, path: str, location: str) -> str:
        """Answer `path` with a 302 to `location`; returns the URL of `path`."""
        with self.lock:
            self.redirects["/" + path.lstrip("/")] = location
        return self.url(path)

    def document(self, path: str) -> tuple[bytes, str] | None:
        with self.lock:
            if path in self._added:
                return self._added[path]
        file = (FEEDS / path.lstrip("/")).resolve()
        if not file.is_relative_to(FEEDS.resolve()) or not file.is_file():
            return None
        return file.read_bytes(), TYPES.get(file.suffix, "application/octet-stream")

    def clear(self) -> None:
        with self.lock:
            self.log.clear()
            self.headers.clear()
            self.answers.clear()

    def hits(self, prefix: str = "/") -> list[Hit]:
        """The requests logged under `prefix`, once every request answered so far is logged
        (a request is logged after its answer is written, so its client can read the answer
        before the log has it)."""
        with self.lock:
            self.logged.wait_for(lambda: len(self.log) >= len(self.answers), timeout=5)
            return [hit for hit in self.log if hit.path.startswith(prefix)]

    def __enter__(self) -> FeedServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
