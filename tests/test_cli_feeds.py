"""`tracker feeds add URL` (refusals exit with 2) and `tracker feeds poll` (one round by hand,
a progress bar, a summary line per outcome)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from tests.feedserver import FeedServer
from tests.feedtools import make_feed, rss, story
from tracker.models.inbox import NewsFeed

RIA = "https://ria.ru/export/rss2/archive/index.xml"


def test_feeds_add_prints_the_new_feeds_id_and_title(runner, session):
    result = runner.invoke(
        args=[
            "tracker",
            "feeds",
            "add",
            RIA,
            "--title",
            "РИА Новости",
            "--language",
            "ru",
            "--every",
            "20",
        ]
    )
    assert result.exit_code == 0, result.output
    feed = session.scalar(select(NewsFeed).where(NewsFeed.url == RIA))
    assert result.stdout == f"Added feed {feed.id}: РИА Новости\n"
    assert (feed.language, feed.poll_every_minutes, feed.active) == ("ru", 20, True)
    plain = runner.invoke(args=["tracker", "feeds", "add", "https://www.irna.ir/rss"])
    assert plain.exit_code == 0 and plain.stdout.endswith(": irna.ir\n")


def test_a_duplicate_or_bad_feed_is_refused_with_its_message_and_exit_2(runner, session):
    assert runner.invoke(args=["tracker", "feeds", "add", RIA, "--title", "RIA"]).exit_code == 0
    feed = session.scalar(select(NewsFeed).where(NewsFeed.url == RIA))
    again = runner.invoke(args=["tracker", "feeds", "add", RIA.replace("https://", "https://www.")])
    assert again.exit_code == 2
    assert again.stderr == f"Error: url: already watched: RIA (feed {feed.id})\n"
    bad = runner.invoke(
        args=[
            "tracker",
            "feeds",
            "add",
            "gopher://ria.ru/rss",
            "--every",
            "1",
            "--language",
            "Russian",
        ]
    )
    assert bad.exit_code == 2
    assert "Error: url: only http:// and https:// addresses can be fetched" in bad.stderr
    assert "Error: poll_every_minutes: Poll every 5 to 10080 minutes" in bad.stderr
    assert "Error: language: Not a language code" in bad.stderr
    assert session.scalar(select(NewsFeed).where(NewsFeed.url == "gopher://ria.ru/rss")) is None


def test_feeds_add_help_says_what_it_does(runner):
    result = runner.invoke(args=["tracker", "feeds", "add", "--help"])
    assert result.exit_code == 0
    for words in (
        "Watch the RSS or Atom feed at URL",
        "--title",
        "--language",
        "--every MINUTES",
        "exit status 2",
    ):
        assert words in result.output
    assert "add" in runner.invoke(args=["tracker", "feeds", "--help"]).output


def _entries(server: FeedServer, count: int) -> list[dict[str, str]]:
    return [
        {
            "guid": f"cli-{n}",
            "title": f"Story {n}",
            "link": server.url(f"/cli/{n}"),
            "text": story(900 + n),
        }
        for n in range(count)
    ]


def test_poll_by_hand_prints_what_came_of_each_feed(runner, session):
    with FeedServer() as server:
        good = make_feed(
            session, server.add("/cli.rss", rss("CLI", _entries(server, 3)), "application/rss+xml")
        )
        bad = make_feed(session, server.url("/no-such-feed.rss"))
        result = runner.invoke(args=["tracker", "feeds", "poll", "--now", "2026-03-02T12:00"])
        assert result.exit_code == 0, result.output
        summary = result.output.strip().splitlines()[-1]
        assert "1 fetched" in summary and "3 new articles" in summary
        assert f"1 failed: feed {bad.id} (HTTP 404 from 127.0.0.1:{server.port})" in summary
        assert "Polling feeds" in result.output  # the progress bar

        # Again at once, feed by feed: nothing is due, but --feed polls it anyway.
        again = runner.invoke(args=["tracker", "feeds", "poll", "--feed", str(good.id)])
        assert again.exit_code == 0, again.output
        assert "1 not modified" in again.output and "0 new articles" in again.output
    session.expire_all()
    feed = session.scalar(select(NewsFeed).where(NewsFeed.id == bad.id))
    assert feed.consecutive_failures == 1
    assert feed.next_poll_at == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_poll_misused_is_refused_with_the_reason(runner):
    result = runner.invoke(args=["tracker", "feeds", "poll", "--feed", "999999"])
    assert result.exit_code == 2 and "feed 999999 does not exist" in result.output
    result = runner.invoke(args=["tracker", "feeds", "poll", "--now", "yesterday"])
    assert result.exit_code == 2 and "not an ISO date" in result.output
    result = runner.invoke(args=["tracker", "feeds", "poll", "--help"])
    assert result.exit_code == 0
    assert "Poll the news feeds that are due" in result.output and "--feed" in result.output
