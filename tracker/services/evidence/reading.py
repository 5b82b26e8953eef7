"""One evidence article as a researcher reads it: the claims resting on its quotes, the
agreements they belong to, its `cites` chain both ways and its near-duplicate group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from tracker.models import (
    Agreement,
    AgreementRelation,
    EvidenceArticle,
    EvidenceLink,
    PrincipleStatement,
    StageEvent,
)
from tracker.services import fetch
from tracker.services.errors import NotFound

# How far the `cites` chain is followed each way, and how many of a list are read: a chain is
# a handful of reports in practice; these bound a pathological one.
MAX_DEPTH = 20
MAX_LISTED = 200


def article_title(article: EvidenceArticle, width: int = 80) -> str:
    """The article's title; without one, the start of its text (cut at a word), or its URL."""
    if article.title:
        return article.title
    lead = (article.text or "").strip().split("\n", 1)[0].strip()
    if len(lead) > width:
        cut = lead.rfind(" ", 0, width)
        lead = lead[: cut if cut > width // 2 else width].rstrip(" ،,;:") + "…"
    return lead or article.url or ""


def article_name(article: EvidenceArticle) -> str:
    """How messages name an article: its outlet and title ("Jamaran: وزارت دفاع روسیه …")."""
    outlet = article.outlet or "unknown outlet"
    title = article_title(article)
    return f"{outlet}: {title}" if title else outlet


@dataclass(frozen=True)
class Quote:
    """One quoted span of the article and the claim it backs."""

    link: EvidenceLink
    agreement: Agreement
    event: StageEvent | None = None
    statement: PrincipleStatement | None = None

    @property
    def kind(self) -> str:
        if self.event is not None:
            return "event"
        return "statement" if self.statement is not None else "agreement"


@dataclass(frozen=True)
class ArticlePage:
    article: EvidenceArticle
    quotes: list[Quote]  # by position in the text
    events: list[tuple[StageEvent, list[EvidenceLink]]]  # the claims, by agreement and date
    statements: list[tuple[PrincipleStatement, list[EvidenceLink]]]
    agreements: list[Agreement]  # every agreement a quote backs, by title
    cites: list[EvidenceArticle]  # what it cites, what that cites, ... (nearest first)
    cited_by: list[tuple[EvidenceArticle, int]]  # articles citing it, with their distance
    duplicates: list[EvidenceArticle]  # the rest of its near-duplicate group
    duplicate_count: int  # the whole group's size, this article included (1: none)


def read(session: Session, article_id: int, *, include_deleted: bool = False) -> ArticlePage:
    """The article and everything around it; NotFound (404) when it does not exist, or is
    deleted and `include_deleted` (an admin's view) is off.

    Claims, statements and agreements that are deleted are left out. A deleted article stays
    in a `cites` chain (its `is_deleted` says so: the chain goes on past it) and leaves the
    near-duplicate group unless `include_deleted`.
    """
    article = fetch(session, EvidenceArticle, article_id)
    if article is None or (article.is_deleted and not include_deleted):
        raise NotFound(f"article {article_id} does not exist")
    quotes = _quotes(session, article)
    events: dict[int, tuple[StageEvent, list[EvidenceLink]]] = {}
    statements: dict[int, tuple[PrincipleStatement, list[EvidenceLink]]] = {}
    agreements: dict[int, Agreement] = {}
    for quote in quotes:
        agreements[quote.agreement.id] = quote.agreement
        if quote.event is not None:
            events.setdefault(quote.event.id, (quote.event, []))[1].append(quote.link)
        elif quote.statement is not None:
            statements.setdefault(quote.statement.id, (quote.statement, []))[1].append(quote.link)
    duplicates, group_size = _duplicates(session, article, include_deleted)
    return ArticlePage(
        article=article,
        quotes=quotes,
        events=sorted(
            events.values(),
            key=lambda item: (
                item[0].agreement.title.casefold(),
                item[0].date_earliest is None,
                item[0].date_earliest or date.min,
                item[0].id,
            ),
        ),
        statements=sorted(
            statements.values(),
            key=lambda item: (item[0].agreement.title.casefold(), item[0].id),
        ),
        agreements=sorted(agreements.values(), key=lambda a: (a.title.casefold(), a.id)),
        cites=_cites(article),
        cited_by=_cited_by(session, article),
        duplicates=duplicates,
        duplicate_count=group_size,
    )


def _quotes(session: Session, article: EvidenceArticle) -> list[Quote]:
    links = session.scalars(
        select(EvidenceLink)
        .where(EvidenceLink.article_id == article.id)
        .options(
            selectinload(EvidenceLink.event).selectinload(StageEvent.agreement),
            selectinload(EvidenceLink.statement).selectinload(PrincipleStatement.agreement),
            selectinload(EvidenceLink.agreement),
            selectinload(EvidenceLink.relation).selectinload(AgreementRelation.subject),
        )
        .order_by(EvidenceLink.quote_start, EvidenceLink.quote_end.desc(), EvidenceLink.id)
    ).all()
    found = []
    for link in links:
        claim = link.event or link.statement
        agreement = claim.agreement if claim is not None else link.agreement
        if link.relation is not None:  # a relation's quote is the subject's
            claim, agreement = link.relation, link.relation.subject
        if agreement is None or agreement.is_deleted or (claim is not None and claim.is_deleted):
            continue
        found.append(Quote(link, agreement, event=link.event, statement=link.statement))
    return found


def _cites(article: EvidenceArticle) -> list[EvidenceArticle]:
    chain: list[EvidenceArticle] = []
    seen = {article.id}
    current = article.cites
    while current is not None and current.id not in seen and len(chain) < MAX_DEPTH:
        chain.append(current)
        seen.add(current.id)
        current = current.cites
    return chain


def _cited_by(session: Session, article: EvidenceArticle) -> list[tuple[EvidenceArticle, int]]:
    """Breadth first: those citing it (1), those citing them (2), ..."""
    found: list[tuple[EvidenceArticle, int]] = []
    seen = {article.id}
    frontier = [article.id]
    depth = 0
    while frontier and depth < MAX_DEPTH and len(found) < MAX_LISTED:
        depth += 1
        rows = session.scalars(
            select(EvidenceArticle)
            .where(EvidenceArticle.cites_id.in_(frontier), EvidenceArticle.id.not_in(seen))
            .order_by(EvidenceArticle.published_earliest, EvidenceArticle.id)
            .limit(MAX_LISTED - len(found))
        ).all()
        found += [(row, depth) for row in rows]
        seen.update(row.id for row in rows)
        frontier = [row.id for row in rows]
    return found


def _duplicates(
    session: Session, article: EvidenceArticle, include_deleted: bool
) -> tuple[list[EvidenceArticle], int]:
    root = article.duplicate_of_id or article.id
    group = or_(EvidenceArticle.id == root, EvidenceArticle.duplicate_of_id == root)
    live = [] if include_deleted else [EvidenceArticle.deleted_at.is_(None)]
    size = session.scalar(select(func.count()).select_from(EvidenceArticle).where(group, *live))
    others = session.scalars(
        select(EvidenceArticle)
        .where(group, EvidenceArticle.id != article.id, *live)
        .order_by(EvidenceArticle.id)
        .limit(MAX_LISTED)
    ).all()
    return list(others), max(size or 0, 1)
