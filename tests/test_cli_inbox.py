"""`tracker inbox purge`: old dismissed and off-topic stories go, with their articles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests import factories
from tests.services.test_inbox_items import SPORT, WEATHER
from tracker.models import EvidenceArticle
from tracker.models.inbox import InboxItem
from tracker.services.inbox import items


def test_purge_counts_from_the_retention_setting(runner, session, app):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    old = factories.article(session, SPORT)
    old_item = items.take(session, old, now=now - timedelta(days=40))
    ids = (old_item.id, old.id)
    recent = factories.article(session, WEATHER)
    items.take(session, recent, now=now - timedelta(days=20))
    assert app.config["INBOX_RETENTION_DAYS"] == 90

    result = runner.invoke(args=["tracker", "inbox", "purge", "--now", "2026-01-01"])
    assert result.exit_code == 0, result.output
    assert "0 stories removed (older than 90 days)" in result.output

    result = runner.invoke(
        args=["tracker", "inbox", "purge", "--now", "2026-01-01", "--days", "30"]
    )
    assert result.exit_code == 0, result.output
    assert "1 story removed (older than 30 days)" in result.output
    session.expunge_all()
    assert session.get(InboxItem, ids[0]) is None
    assert session.get(EvidenceArticle, ids[1]) is None
    assert session.get(EvidenceArticle, recent.id) is not None

    result = runner.invoke(args=["tracker", "inbox", "purge", "--days", "0"])
    assert result.exit_code == 2 and "--days" in result.output
    help_text = runner.invoke(args=["tracker", "inbox", "purge", "--help"]).output
    assert "TRACKER_INBOX_RETENTION_DAYS" in help_text
