"""List pages a worker has built, kept by what their ETag is made of, to answer the same
list again without reading or building it.

An answer of `GET /api/v1/agreements` is a function of its query string, the newest change
to any agreement (`listing.stamp`), the day (a status turns stalled with time) and whether
the reader is the public: the ETag is made of exactly these, and a client holding that tag
is answered 304 without its page being read. This cache extends the same rule to a client
without the tag: a worker that built the page for those same values sends the bytes it
built, after one statement (the stamp), where building the page takes four statements and
the serialising of its rows. It is no staler than the 304: the stamp changes with any write
to any agreement or its claims. As a bound on what the ETag cannot see (a write whose
`updated_at` is older than a newer one already committed: two transactions overlapping),
an entry is kept at most `seconds` (TRACKER_LIST_CACHE_SECONDS, 60, as long as a shared
cache may keep a public answer), and a request with `Cache-Control: no-cache` (a browser's
hard reload) is built afresh. Each worker keeps its own `size` pages (TRACKER_LIST_CACHE_SIZE,
256; 0 turns the cache off), the least recently used dropped first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request

EXTENSION = "tracker.page_cache"


@dataclass(frozen=True, slots=True)
class Built:
    """A page as it was sent: its JSON and what its paging header says."""

    body: bytes
    total: int
    capped: bool
    next_cursor: str | None
    made: float  # time.monotonic() when built


class PageCache:
    """At most `size` pages, each for at most `seconds`, least recently used out first."""

    def __init__(self, size: int, seconds: float) -> None:
        self.size = size
        self.seconds = seconds
        self._pages: OrderedDict[tuple[Any, ...], Built] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Built | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            if time.monotonic() - found.made > self.seconds:
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], built: Built) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._pages[key] = built
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = PageCache(
        app.config.get("LIST_CACHE_SIZE", 256), app.config.get("LIST_CACHE_SECONDS", 60)
    )


def pages() -> PageCache | None:
    """This app's cache, or None when it is off or the request asks for a fresh answer."""
    cache: PageCache | None = current_app.extensions.get(EXTENSION)
    if cache is None or cache.size <= 0:
        return None
    if "no-cache" in request.headers.get("Cache-Control", "").lower():
        return None
    return cache
