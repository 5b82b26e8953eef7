"""Politeness: one request at a time per host and port with a gap between them, hosts apart
fetched at once (seen in the feed server's own request log); robots.txt read once per site."""

from __future__ import annotations

import threading
from ipaddress import ip_network

from tests.feedserver import FeedServer
from tracker.services.feeds.polite import HostGate, Robots
from tracker.services.feeds.reading import fetch_feed
from tracker.services.infra.fetching import FetchSettings

LOOPBACK = FetchSettings(timeout=5, allowed_networks=(ip_network("127.0.0.0/8"),))


def fetch_all(urls: list[str], gate: HostGate) -> list:
    robots = Robots(LOOPBACK, gate)
    results: list = [None] * len(urls)

    def run(index: int, url: str) -> None:
        results[index] = fetch_feed(url, LOOPBACK, gate, robots)

    threads = [threading.Thread(target=run, args=item) for item in enumerate(urls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_one_host_one_request_at_a_time_with_the_gap():
    with FeedServer() as server:
        server.delay = 0.15
        gate = HostGate(0.3)
        names = ["mfa-fa.rss", "tass-ru.rdf", "aljazeera-ar.atom", "fcdo-en.rss"]
        results = fetch_all([server.url(name) for name in names], gate)
        assert all(result.error is None for result in results)
        hits = sorted(server.hits("/"), key=lambda hit: hit.start)
    assert [hit.path for hit in hits].count("/robots.txt") == 1
    assert len(hits) == 5
    for before, after in zip(hits, hits[1:], strict=False):
        assert after.start >= before.end + 0.25, (before, after)  # never overlap, gap kept


def test_hosts_apart_are_fetched_at_once():
    with FeedServer() as one, FeedServer() as two:
        one.delay = two.delay = 0.4
        one.robots = two.robots = ""
        gate = HostGate(0.5)
        fetch_all([one.url("fcdo-en.rss"), two.url("fcdo-en.rss")], gate)
        a = one.hits("/fcdo-en.rss")[0]
        b = two.hits("/fcdo-en.rss")[0]
    assert a.start < b.end and b.start < a.end  # overlapping: two ports, two hosts


def test_robots_read_once_per_site_and_what_it_allows():
    with FeedServer() as server:
        server.robots = "User-agent: *\nDisallow: /pages/\nAllow: /pages/open.html\n"
        gate = HostGate(0)
        robots = Robots(LOOPBACK, gate)
        assert robots.allowed(server.url("fcdo-en.rss"))
        assert not robots.allowed(server.url("pages/majlis-fa.html"))
        assert robots.allowed(server.url("pages/open.html"))
        assert len(server.hits("/robots.txt")) == 1
        assert robots.reason(server.url("x")) is None
        # no robots.txt (404): everything allowed
        server.robots = None
        fresh = Robots(LOOPBACK, gate)
        assert fresh.allowed(server.url("pages/majlis-fa.html"))
    # unreachable (refused by the guard here): allowed, with the reason kept
    closed = Robots(FetchSettings(timeout=1), HostGate(0))
    assert closed.allowed("http://127.0.0.1:9/feed.rss")
    assert "robots.txt could not be read" in closed.reason("http://127.0.0.1:9/feed.rss")
