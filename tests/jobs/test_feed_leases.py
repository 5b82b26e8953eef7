"""The scheduler's feeds job and a hand-run `tracker feeds poll`, started at once against
one database, never fetch one feed at once, and each due feed is fetched once in the round:
the per-feed lease. Each feed answers slowly (1.5 s) so that, without the lease, the two
rounds would fetch the same feeds side by side. Runs on both engines."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.feedserver import FeedServer
from tests.feedtools import make_feed, rss, story
from tests.jobs.test_scheduler import _closed_port, _handle, _wait_for
from tracker import migrate
from tracker.db import make_engine

ROOT = Path(__file__).resolve().parents[2]
FEEDS = 12


def _env(url: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")},
        "TRACKER_DATABASE_URL": url,
        "TRACKER_SECRET_KEY": "feed-lease-test",
        "TRACKER_SMTP_HOST": "127.0.0.1",
        "TRACKER_SMTP_PORT": str(_closed_port()),
        # Loopback only: the feed server; nothing past the machine is even looked up.
        "TRACKER_FETCH_ALLOW_NETWORKS": "127.0.0.0/8",
        "TRACKER_FETCH_ONLY_NETWORKS": "127.0.0.0/8",
        "TRACKER_FEEDS_HOST_GAP": "0",
        "TRACKER_FEEDS_CONCURRENCY": "2",
    }


def _flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "app", "tracker", *args]


def _fetched(line: str) -> int:
    match = re.search(r"(\d+) fetched", line)
    assert match, line
    return int(match.group(1))


def test_the_scheduler_and_a_hand_run_poll_never_fetch_one_feed_at_once(scratch_url, tmp_path):
    engine = make_engine(scratch_url)
    migrate.upgrade(engine)
    handles: list = []
    scheduler = poll = None
    # 1.5 s a feed: the scheduler's round alone takes 9 s, longer than the hand-run command
    # takes to start on a busy machine, so the two rounds overlap (at 0.5 s a loaded machine
    # let the scheduler finish every feed before the command had started).
    with FeedServer(slow_delay=1.5) as server:
        with Session(engine, expire_on_commit=False) as session:
            for n in range(FEEDS):
                entries = [
                    {"guid": f"{n}-{k}", "title": f"Feed {n} story {k}", "text": story(n * 10 + k)}
                    for k in range(2)
                ]
                server.add(f"/feed-{n}.rss", rss(f"Feed {n}", entries), "application/rss+xml")
                make_feed(session, server.url(f"/slow/feed-{n}.rss"), title=f"Feed {n}")
        engine.dispose()
        scheduler_log, poll_log = tmp_path / "scheduler.log", tmp_path / "poll.log"
        try:
            scheduler = subprocess.Popen(
                _flask("scheduler", "--poll", "0.3"),
                cwd=ROOT,
                env=_env(scratch_url),
                stdout=_handle(scheduler_log, handles),
                stderr=subprocess.STDOUT,
            )
            _wait_for(scheduler_log, "holding the lock")
            poll = subprocess.Popen(
                _flask("feeds", "poll", "--quiet"),
                cwd=ROOT,
                env=_env(scratch_url),
                stdout=_handle(poll_log, handles),
                stderr=subprocess.STDOUT,
            )
            assert poll.wait(timeout=120) == 0, poll_log.read_text()
            logged = _wait_for(scheduler_log, "job feeds ran", timeout=120)
        finally:
            for process in (scheduler, poll):
                if process is not None and process.poll() is None:
                    process.terminate()
                    process.wait(timeout=10)
            for handle in handles:
                handle.close()
        hits = server.hits("/slow/")

    by_path: dict[str, list] = defaultdict(list)
    for hit in hits:
        by_path[hit.path].append(hit)
    # Every feed fetched, each exactly once in the round: never two requests for one feed.
    assert sorted(by_path) == sorted(f"/slow/feed-{n}.rss" for n in range(FEEDS))
    assert all(len(fetches) == 1 for fetches in by_path.values()), by_path
    for fetches in by_path.values():
        ordered = sorted(fetches, key=lambda hit: hit.start)
        assert all(a.end <= b.start for a, b in zip(ordered, ordered[1:], strict=False))
    # Both pollers worked at the same time, each on feeds the other left alone.
    by_hand = poll_log.read_text().strip().splitlines()[-1]
    by_job = next(line for line in logged.splitlines() if "feeds: " in line)
    assert _fetched(by_hand) + _fetched(by_job) == FEEDS, (by_hand, by_job)
    assert _fetched(by_hand) > 0 and _fetched(by_job) > 0, (by_hand, by_job)
    assert "busy" in by_hand and "busy" in by_job
    # Each story became one article.
    engine = make_engine(scratch_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM evidence_article")).scalar()
    engine.dispose()
    assert stored == FEEDS * 2
