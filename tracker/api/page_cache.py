"""List pages a worker has built, kept by what their ETag is made of, to answer the same
list again without reading or building it.

An answer of `GET /api/v1/agreements` is a function of its arguments, the newest change to
any agreement (`listing.stamp`), the day (a status turns stalled with time) and whether the
reader is the public: the ETag is made of exactly these, and a client holding that tag is
answered 304 without its page being read. This cache extends the same rule to a client
without the tag: a worker that built the page for those same values sends the bytes it
built, after one statement (the stamp), where building the page takes four statements and
the serialising of its rows. It is no staler than the 304: the stamp changes with any write
to any agreement or its claims. As a bound on what the stamp cannot see (a party renamed;
a write whose `updated_at` is older than a newer one already committed: two transactions
overlapping), an entry is kept at most `seconds` (TRACKER_LIST_CACHE_SECONDS, 60, as long
as a shared cache may keep a public answer), and a request asking for fresh data
(`Cache-Control: no-cache`, a browser's hard reload) is built afresh and replaces what was
kept. Each worker keeps its own pages, at most `size` of them (TRACKER_LIST_CACHE_SIZE, 256;
0 turns the cache off) and at most `megabytes` of JSON in all (TRACKER_LIST_CACHE_MB, 32),
the least recently used dropped first. Entries are keyed by the parsed arguments, not the
query string, so that parameters the list ignores make no new entries.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from tracker.db import asks_fresh

EXTENSION = "tracker.page_cache"


@dataclass(frozen=True, slots=True)
class Built:
    """A page as it was sent: its JSON and what its paging header says."""

    body: bytes
    total: int
    capped: bool
    next_cursor: str | None
    made: float  # now() when built


def now() -> float:
    """The clock of the entries' ages (monotonic seconds)."""
    return time.monotonic()


def built(body: bytes, total: int, capped: bool, next_cursor: str | None) -> Built:
    """A page built now."""
    return Built(body, total, capped, next_cursor, now())


class PageCache:
    """At most `size` pages and `most_bytes` of bodies, each for at most `seconds`, least
    recently used out first."""

    def __init__(self, size: int, seconds: float, most_bytes: int = 32 * 2**20) -> None:
        self.size = size
        self.seconds = seconds
        self.most_bytes = most_bytes
        self._pages: OrderedDict[tuple[Any, ...], Built] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def kept_bytes(self) -> int:
        return self._bytes

    def get(self, key: tuple[Any, ...]) -> Built | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            if now() - found.made > self.seconds:
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], built: Built) -> None:
        if self.size <= 0 or len(built.body) > self.most_bytes:
            return
        with self._lock:
            if key in self._pages:
                self._drop(key)
            self._pages[key] = built
            self._bytes += len(built.body)
            while len(self._pages) > self.size or self._bytes > self.most_bytes:
                self._drop(next(iter(self._pages)))

    def _drop(self, key: tuple[Any, ...]) -> None:
        self._bytes -= len(self._pages.pop(key).body)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = PageCache(
        app.config["LIST_CACHE_SIZE"],
        app.config["LIST_CACHE_SECONDS"],
        app.config["LIST_CACHE_MB"] * 2**20,
    )


def pages() -> PageCache | None:
    """This app's cache, or None when it is off."""
    cache: PageCache | None = current_app.extensions.get(EXTENSION)
    return None if cache is None or cache.size <= 0 else cache


def kept(cache: PageCache | None, key: tuple[Any, ...]) -> Built | None:
    """The page kept for `key`; None when there is none or the request asks for fresh data
    (the page it builds then replaces what was kept)."""
    if cache is None or asks_fresh():
        return None
    return cache.get(key)
