"""Evidence articles and the quoted spans linking them to claims."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import EvidenceArticle, EvidenceLink, User
from tracker.services import audit, checks, fetch, transactional
from tracker.services.errors import FieldErrors, NotFound
from tracker.text.normalise import locate, normalise

ARTICLE_FIELDS = {"url", "title", "outlet", "author", "language", "published", "text", "cites"}
MAX_TEXT = 2_000_000


def content_hash(text: str) -> str:
    """sha256 of the normalised text: spelling variants of one text hash alike."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def get_article(session: Session, article_id: int) -> EvidenceArticle:
    """The article, or NotFound (404)."""
    article = fetch(session, EvidenceArticle, article_id)
    if article is None or article.is_deleted:
        raise NotFound(f"article {article_id} does not exist")
    return article


@transactional
def add_article(
    session: Session, data: Mapping[str, Any], *, actor: User | None = None
) -> EvidenceArticle:
    """Store an article as supplied; raise ValidationError (422) naming each bad field."""
    errors = FieldErrors()
    for unknown in sorted(set(data) - ARTICLE_FIELDS):
        errors.add(unknown, "is not a field of an article")
    url = (checks.text(errors, "url", data.get("url"), max_length=2000) or "").split("#", 1)[
        0
    ] or None
    if url and not url.startswith(("http://", "https://")):
        errors.add("url", "must start with http:// or https://")
    text = checks.text(errors, "text", data.get("text"), max_length=MAX_TEXT)
    title = checks.text(errors, "title", data.get("title"), max_length=1000)
    outlet = checks.text(errors, "outlet", data.get("outlet"), max_length=200)
    if not (url or text or title or outlet):
        errors.add("text", "give the article's text, or at least its URL, title or outlet")
    published = checks.edtf(errors, "published", data.get("published"))
    cites_id = data.get("cites")
    if cites_id is not None:
        if isinstance(cites_id, bool) or not isinstance(cites_id, int):
            errors.add("cites", "must be an article id")
        elif fetch(session, EvidenceArticle, cites_id) is None:
            errors.add("cites", f"article {cites_id} does not exist")
    article = EvidenceArticle(
        url=url,
        title=title,
        outlet=outlet,
        author=checks.text(errors, "author", data.get("author"), max_length=200),
        language=checks.language(errors, "language", data.get("language")),
        published=published.text if published else None,
        published_earliest=published.earliest if published else None,
        published_latest=published.latest if published else None,
        retrieved_at=utcnow(),
        text=text,
        content_hash=content_hash(text),
        cites_id=cites_id,
    )
    errors.raise_if_any()
    session.add(article)
    audit.record(session, actor=actor, action="create", obj=article, before=None)
    return article


def check_quotes(
    session: Session, evidence: Any, errors: FieldErrors, field: str = "evidence"
) -> list[tuple[EvidenceArticle, str, int, int]]:
    """Each {article_id, quote} located in its article's text; bad ones reported on `field`.

    A quote must be an exact substring of the article's text after normalisation; the
    stored quote is the span as the article spells it.
    """
    if evidence is None:
        return []
    if isinstance(evidence, Mapping) or not isinstance(evidence, Sequence):
        errors.add(field, "must be a list of {article_id, quote}")
        return []
    found = []
    for item in evidence:
        if not isinstance(item, Mapping):
            errors.add(field, "each item must be {article_id, quote}")
            continue
        located = locate_quote(session, item.get("article_id"), item.get("quote"), errors, field)
        if located:
            found.append(located)
    return found


def locate_quote(
    session: Session, article_id: Any, quote: Any, errors: FieldErrors, field: str
) -> tuple[EvidenceArticle, str, int, int] | None:
    if isinstance(article_id, bool) or not isinstance(article_id, int):
        errors.add(field, "article_id must be an article id")
        return None
    article = fetch(session, EvidenceArticle, article_id)
    if article is None or article.is_deleted:
        errors.add(field, f"article {article_id} does not exist")
        return None
    if not isinstance(quote, str) or not quote.strip():
        errors.add("quote", "a quote from the article is required")
        return None
    span = locate(article.text, quote)
    if span is None:
        errors.add("quote", f"is not in the text of article {article_id}")
        return None
    start, end = span
    return article, article.text[start:end], start, end


def make_links(
    located: list[tuple[EvidenceArticle, str, int, int]],
    *,
    actor: User | None,
    **target: Any,
) -> list[EvidenceLink]:
    return [
        EvidenceLink(
            article=article,
            quote=quote,
            quote_start=start,
            quote_end=end,
            created_by_id=actor.id if actor else None,
            **target,
        )
        for article, quote, start, end in located
    ]


def find_by_url(session: Session, url: str) -> EvidenceArticle | None:
    """The stored article with this URL (fragment ignored), if any."""
    bare = url.split("#", 1)[0]
    return session.scalar(
        select(EvidenceArticle)
        .where(EvidenceArticle.url == bare, EvidenceArticle.deleted_at.is_(None))
        .order_by(EvidenceArticle.id)
        .limit(1)
    )


_ARTICLE_SORTS = {
    "updated": EvidenceArticle.updated_at,
    "published": EvidenceArticle.published_earliest,
}


def list_articles(
    session: Session,
    *,
    language: str | None = None,
    outlet: str | None = None,
    updated_since: datetime | None = None,
    sort: str = "-updated",
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[EvidenceArticle], int]:
    """One page of articles and how many match."""
    query = select(EvidenceArticle).where(EvidenceArticle.deleted_at.is_(None))
    if language:
        query = query.where(EvidenceArticle.language == language)
    if outlet:
        query = query.where(func.lower(EvidenceArticle.outlet) == outlet.strip().lower())
    if updated_since:
        query = query.where(EvidenceArticle.updated_at >= updated_since)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    column = _ARTICLE_SORTS[sort.lstrip("-")]
    descending = sort.startswith("-")
    order = column.desc().nulls_last() if descending else column.asc().nulls_last()
    tiebreak = EvidenceArticle.id.desc() if descending else EvidenceArticle.id.asc()
    page = session.scalars(query.order_by(order, tiebreak).offset(offset).limit(limit)).all()
    return list(page), total
