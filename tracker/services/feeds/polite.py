"""Fetching politely: one request at a time per host and port with a gap between them
(`HostGate`), and what a site's robots.txt allows (`Robots`).

Both are shared by the threads of one polling round: the gate keeps the threads that fetch
from one host in a queue, while hosts apart are fetched at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from tracker.services.infra.fetching import USER_AGENT, FetchRefused, FetchSettings, fetch

# What a robots.txt may be served as (many servers declare none or the wrong one).
ROBOTS_TYPES = frozenset({"text/plain", "", "text/html", "application/octet-stream"})


def host_key(url: str) -> tuple[str, int]:
    """The (host, port) a URL is fetched from: the unit of politeness."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    return (parts.hostname or "").lower(), port


class _Host:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.free_at = 0.0  # time.monotonic() from which the next request may start


class HostGate:
    """One request at a time per (host, port), across threads, and at least `min_gap`
    seconds between the end of one request and the start of the next.

        with gate.turn(url):
            fetch(url, ...)
    """

    def __init__(self, min_gap: float) -> None:
        self.min_gap = max(0.0, float(min_gap))
        self._hosts: dict[tuple[str, int], _Host] = {}
        self._lock = threading.Lock()

    def _host(self, url: str) -> _Host:
        key = host_key(url)
        with self._lock:
            host = self._hosts.get(key)
            if host is None:
                host = self._hosts[key] = _Host()
            return host

    @contextmanager
    def turn(self, url: str) -> Iterator[None]:
        host = self._host(url)
        with host.lock:
            wait = host.free_at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                yield
            finally:
                host.free_at = time.monotonic() + self.min_gap


class Robots:
    """What each site's robots.txt allows `user_agent` to fetch (the longest matching rule
    decides, as RFC 9309 says; the wildcards * and $ inside paths are not understood).

    robots.txt is fetched once per origin (scheme, host, port) for the life of this object,
    through the guarded fetcher and the gate. A missing robots.txt (404, any 4xx) allows
    everything; so does one that cannot be fetched (refused, 5xx, too slow), with the reason
    kept in `reasons` for the feed's page to show.
    """

    def __init__(
        self, settings: FetchSettings, gate: HostGate, user_agent: str = USER_AGENT
    ) -> None:
        self.settings = settings
        self.gate = gate
        self.user_agent = user_agent
        self.reasons: dict[str, str] = {}
        self._parsers: dict[str, RobotFileParser | None] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    @staticmethod
    def origin(url: str) -> str:
        parts = urlsplit(url)
        host, port = host_key(url)
        literal = f"[{host}]" if ":" in host else host
        return f"{parts.scheme.lower()}://{literal}:{port}"

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets `user_agent` fetch `url` (True when it says nothing)."""
        origin = self.origin(url)
        with self._lock:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:  # one fetch of robots.txt per origin, however many threads ask
            if origin not in self._parsers:
                self._parsers[origin] = self._load(origin)
            parser = self._parsers[origin]
        return parser is None or parser.can_fetch(self.user_agent, url)

    def reason(self, url: str) -> str | None:
        """Why robots.txt of `url`'s site could not be read (None when it was, or was absent)."""
        return self.reasons.get(self.origin(url))

    def _load(self, origin: str) -> RobotFileParser | None:
        robots_url = origin + "/robots.txt"
        try:
            with self.gate.turn(robots_url):
                page = fetch(
                    robots_url,
                    self.settings,
                    accept=ROBOTS_TYPES,
                    headers={"User-Agent": self.user_agent},
                )
        except FetchRefused as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                return None  # no robots.txt: everything is allowed
            self.reasons[origin] = f"robots.txt could not be read: {exc}"
            return None
        if page.status != 200 or page.content_type == "text/html":
            # An HTML page in its place is a site's "not found" page, not rules.
            return None
        parser = RobotFileParser(robots_url)
        parser.parse(page.body.splitlines())
        _longest_match_first(parser)
        return parser


def _longest_match_first(parser: RobotFileParser) -> None:
    """Order each group's rules so that urllib's first match is RFC 9309's: the longest
    path wins, and Allow wins a tie ("Disallow: /news/" with "Allow: /news/feed.xml")."""
    entries = [*getattr(parser, "entries", [])]
    default = getattr(parser, "default_entry", None)
    if default is not None:
        entries.append(default)
    for entry in entries:
        entry.rulelines.sort(key=lambda line: (-len(line.path), not line.allowance))
