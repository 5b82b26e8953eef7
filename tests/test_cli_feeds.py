"""`tracker feeds add URL`: a feed watched from the command line; refusals exit with 2."""

from __future__ import annotations

from sqlalchemy import select

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
