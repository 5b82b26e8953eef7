"""Evidence articles and the quoted spans that link them to claims."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, utcnow
from tracker.models.mixins import SoftDelete, Timestamps, deleted_index, live_index
from tracker.models.vocab import MAX_LANGUAGE_CODE

if TYPE_CHECKING:
    from tracker.models.agreement import Agreement
    from tracker.models.event import StageEvent
    from tracker.models.principle import PrincipleStatement
    from tracker.models.relation import AgreementRelation, Declaration
    from tracker.models.user import User


class ArticleLimits:
    """The longest text an evidence article and a quote of it take."""

    URL = 2000
    OUTLET = 200
    AUTHOR = 200
    TITLE = 1000
    PUBLISHED = 100
    TEXT = 2_000_000
    QUOTE = 5000


class EvidenceArticle(Timestamps, SoftDelete, Base):
    __tablename__ = "evidence_article"
    __table_args__ = (
        *live_index("evidence_article", "updated_at"),
        *live_index("evidence_article", "published_earliest"),
        deleted_index("evidence_article"),
        # The articles the inbox hid: few, and found at once (search leaves them out).
        Index(
            "ix_evidence_article_hidden",
            "id",
            postgresql_where=text("hidden"),
            sqlite_where=text("hidden"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str | None] = mapped_column(String(ArticleLimits.URL))
    # The URL without fragment, tracking parameters, default port or case in the host:
    # the same page posted twice is found by it.
    url_canonical: Mapped[str | None] = mapped_column(String(ArticleLimits.URL), index=True)
    outlet: Mapped[str] = mapped_column(String(ArticleLimits.OUTLET), default="")
    author: Mapped[str] = mapped_column(String(ArticleLimits.AUTHOR), default="")
    title: Mapped[str] = mapped_column(String(ArticleLimits.TITLE), default="")
    language: Mapped[str | None] = mapped_column(String(MAX_LANGUAGE_CODE))
    published: Mapped[str | None] = mapped_column(String(ArticleLimits.PUBLISHED))
    published_earliest: Mapped[date | None] = mapped_column(Date)
    published_latest: Mapped[date | None] = mapped_column(Date)
    retrieved_at: Mapped[datetime | None] = mapped_column()
    # The full text as supplied; quotes are located in it.
    text: Mapped[str] = mapped_column(Text, default="")
    # sha256 of the normalised text: equal for the same story with spelling variants.
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    # Title and text through tracker.text.normalise: what full-text search indexes.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # MinHash signature of the normalised text's word shingles (near-duplicate detection).
    minhash: Mapped[list[Any] | None] = mapped_column()
    # This report quotes that one (Jamaran -> Tasnim -> RIA Novosti).
    cites_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_article.id"), index=True)
    # The first article seen of a group of near-duplicates (the same story republished).
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_article.id"), index=True
    )
    # The outlet the text says it reports from ("according to TASS") when no article of that
    # outlet is on record to link as `cites`.
    cites_outlet: Mapped[str | None] = mapped_column(String(ArticleLimits.OUTLET))
    # A story dismissed in the inbox or filtered out as not about agreements: left out of
    # search unless asked for, and removed after the inbox's retention period.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    cites: Mapped[EvidenceArticle | None] = relationship(
        remote_side=[id], foreign_keys=[cites_id], back_populates="cited_by"
    )
    cited_by: Mapped[list[EvidenceArticle]] = relationship(
        foreign_keys=[cites_id], back_populates="cites"
    )
    duplicate_of: Mapped[EvidenceArticle | None] = relationship(
        remote_side=[id], foreign_keys=[duplicate_of_id]
    )
    links: Mapped[list[EvidenceLink]] = relationship(back_populates="article")

    __mapper_args__ = {"version_id_col": version}


class ArticleBand(Base):
    """One LSH band of an article's MinHash: articles sharing a band are duplicate candidates."""

    __tablename__ = "article_band"
    __table_args__ = (Index("ix_article_band_bucket", "band", "bucket"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_article.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger)


class EvidenceLink(Base):
    """An exact span of an article backing one event, principle statement, agreement,
    relation between agreements or declaration."""

    __tablename__ = "evidence_link"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN event_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN statement_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN agreement_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN relation_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN declaration_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
        CheckConstraint("quote_start >= 0 AND quote_end >= quote_start", name="offsets"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("evidence_article.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("stage_event.id", ondelete="CASCADE"), index=True
    )
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("principle_statement.id", ondelete="CASCADE"), index=True
    )
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    relation_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreement_relation.id", ondelete="CASCADE"), index=True
    )
    declaration_id: Mapped[int | None] = mapped_column(
        ForeignKey("declaration.id", ondelete="CASCADE"), index=True
    )
    # The quote exactly as it stands in the article, and its character offsets there.
    quote: Mapped[str] = mapped_column(Text)
    quote_start: Mapped[int] = mapped_column(Integer)
    quote_end: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    article: Mapped[EvidenceArticle] = relationship(back_populates="links", lazy="joined")
    event: Mapped[StageEvent | None] = relationship(back_populates="evidence")
    statement: Mapped[PrincipleStatement | None] = relationship(back_populates="evidence")
    agreement: Mapped[Agreement | None] = relationship()
    relation: Mapped[AgreementRelation | None] = relationship(back_populates="evidence")
    declaration: Mapped[Declaration | None] = relationship(back_populates="evidence")
    created_by: Mapped[User | None] = relationship()
