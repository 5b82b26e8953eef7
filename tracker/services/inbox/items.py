"""Inbox items: a story (an article or its group of near-duplicates) waiting for triage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models.evidence import EvidenceArticle
from tracker.models.inbox import InboxItem, NewsFeed
from tracker.models.vocab import InboxState

SNIPPET = 300


def take(
    session: Session,
    article: EvidenceArticle,
    *,
    feed: NewsFeed | None = None,
    now: datetime | None = None,
) -> InboxItem | None:
    """The inbox item of `article`'s story: a new one when the article starts a group, the
    group's item when it is a near-duplicate of one already in."""
    root_id = article.duplicate_of_id or article.id
    item = session.scalar(select(InboxItem).where(InboxItem.article_id == root_id))
    if item is not None or article.duplicate_of_id is not None:
        return item
    item = InboxItem(
        article_id=article.id,
        feed_id=feed.id if feed is not None else None,
        language=article.language,
        snippet=article.text[:SNIPPET],
        state=InboxState.NEW.value,
    )
    session.add(item)
    session.flush()
    return item
