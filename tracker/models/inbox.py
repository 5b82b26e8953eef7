"""News feeds watched for new stories, and the inbox the stories wait in (SPEC §2c)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, utcnow
from tracker.models.mixins import Timestamps
from tracker.models.vocab import MAX_LANGUAGE_CODE, InboxState, sql_in

if TYPE_CHECKING:
    from tracker.models.agreement import Agreement
    from tracker.models.evidence import EvidenceArticle
    from tracker.models.user import User


class FeedLimits:
    """The longest values a news feed takes, and its polling interval's bounds."""

    URL = 2000
    TITLE = 300
    ETAG = 500
    LAST_MODIFIED = 100
    ERROR = 2000
    PAUSED_REASON = 500
    LEASE_OWNER = 100
    MIN_EVERY = 5  # minutes
    MAX_EVERY = 7 * 24 * 60


class NewsFeed(Timestamps, Base):
    """An RSS or Atom feed polled for new stories. Pausing sets `active` false and says why
    in `paused_reason`; `lease_owner`/`lease_until` keep two pollers (the scheduler and a
    hand-run poll) from fetching one feed at once."""

    __tablename__ = "news_feed"
    __table_args__ = (
        CheckConstraint(
            f"poll_every_minutes BETWEEN {FeedLimits.MIN_EVERY} AND {FeedLimits.MAX_EVERY}",
            name="poll_every",
        ),
        CheckConstraint("consecutive_failures >= 0", name="failures"),
        Index("ix_news_feed_due", "active", "next_poll_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(FeedLimits.URL))
    # The URL canonicalised (tracker.text.urls.canonical_url): one feed per address.
    url_canonical: Mapped[str] = mapped_column(String(FeedLimits.URL), unique=True)
    title: Mapped[str] = mapped_column(String(FeedLimits.TITLE), default="")
    # A hint for stories that do not say their language.
    language: Mapped[str | None] = mapped_column(String(MAX_LANGUAGE_CODE))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    poll_every_minutes: Mapped[int] = mapped_column(Integer, default=60)
    # Validators of the last answer, sent back for a conditional GET.
    etag: Mapped[str | None] = mapped_column(String(FeedLimits.ETAG))
    last_modified: Mapped[str | None] = mapped_column(String(FeedLimits.LAST_MODIFIED))
    last_polled_at: Mapped[datetime | None] = mapped_column()
    last_success_at: Mapped[datetime | None] = mapped_column()
    # When the feed is next due; later than the interval after failures (back-off).
    next_poll_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(FeedLimits.ERROR))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    paused_reason: Mapped[str | None] = mapped_column(String(FeedLimits.PAUSED_REASON))
    lease_owner: Mapped[str | None] = mapped_column(String(FeedLimits.LEASE_OWNER))
    lease_until: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Raised by every edit a user makes (the API's ETag); polling leaves it alone.
    version: Mapped[int] = mapped_column(Integer, default=1)

    created_by: Mapped[User | None] = relationship()


class NewsFeedEntry(Base):
    """An entry of a feed already taken in: a feed's entries are read once each."""

    __tablename__ = "news_feed_entry"
    __table_args__ = (Index("ux_news_feed_entry_key", "feed_id", "key", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("news_feed.id", ondelete="CASCADE"))
    # sha256 of the entry's id (its guid, else its link, else its title and date).
    key: Mapped[str] = mapped_column(String(64))
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_article.id", ondelete="SET NULL"), index=True
    )
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboxItem(Timestamps, Base):
    """A story waiting for triage: one article, or the group of its near-duplicates (the
    articles whose `duplicate_of_id` is `article_id`), with the agreements it may be about."""

    __tablename__ = "inbox_item"
    __table_args__ = (
        CheckConstraint(sql_in("state", InboxState), name="state"),
        Index("ix_inbox_item_state_created", "state", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(30), default=InboxState.NEW.value)
    # The first article seen of the story; later near-duplicates join through it.
    article_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_article.id", ondelete="CASCADE"), unique=True
    )
    feed_id: Mapped[int | None] = mapped_column(
        ForeignKey("news_feed.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str | None] = mapped_column(String(MAX_LANGUAGE_CODE))
    snippet: Mapped[str] = mapped_column(Text, default="")
    # [{agreement_id, new_agreement, score, reasons: [{code, text}]}], best first.
    suggestions: Mapped[list[Any]] = mapped_column(default=list)
    # The extractor's answer for the story (POST /extract's shape), kept as it was read.
    extracted: Mapped[dict[str, Any] | None] = mapped_column()
    # The best suggestion's agreement and score, for the filters and the list.
    top_agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreement.id", ondelete="SET NULL"), index=True
    )
    top_score: Mapped[float | None] = mapped_column(Float)
    # The agreement the story was accepted for (or created from it).
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreement.id", ondelete="SET NULL"), index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=1)

    article: Mapped[EvidenceArticle] = relationship(foreign_keys=[article_id])
    feed: Mapped[NewsFeed | None] = relationship()
    top_agreement: Mapped[Agreement | None] = relationship(foreign_keys=[top_agreement_id])
    agreement: Mapped[Agreement | None] = relationship(foreign_keys=[agreement_id])
    decided_by: Mapped[User | None] = relationship()
