"""Agreements read for what is not a list or a page of one: the row itself (light, for forms
and checks), the deleted ones, their cached lifecycle, and counts for the dashboard."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import (
    Agreement,
    AgreementState,
    AgreementTopic,
    EvidenceLink,
    PrincipleStatement,
    StageEvent,
)
from tracker.models.vocab import EventStatus
from tracker.services import audit, require
from tracker.services.agreements import state
from tracker.services.agreements.lifecycle import STALLED_AFTER_DAYS, Lifecycle, status_on
from tracker.services.errors import NotFound


def get_agreement(
    session: Session, agreement_id: int, *, include_deleted: bool = False
) -> Agreement:
    """The agreement, or NotFound (404) when there is none or it is deleted."""
    return require(session, Agreement, agreement_id, "agreement", include_deleted=include_deleted)


@dataclass(frozen=True)
class Deleted:
    """A soft-deleted agreement, for the admins' list: when and by whom."""

    id: int
    title: str
    deleted_at: datetime
    deleted_by: str | None


def version_and_status(
    session: Session,
    agreement_id: int,
    *,
    today: date | None = None,
    stalled_after_days: int = STALLED_AFTER_DAYS,
) -> tuple[int, str]:
    """The agreement's version and its derived status on `today`, read from two rows: what
    tells one state of its detail from another, cheaply (the API's ETag). NotFound (404)."""
    row = session.execute(
        select(Agreement.version, AgreementState.base_status, AgreementState.last_activity)
        .outerjoin(AgreementState, AgreementState.agreement_id == Agreement.id)
        .where(Agreement.id == agreement_id, Agreement.deleted_at.is_(None))
    ).one_or_none()
    if row is None:
        raise NotFound(f"agreement {agreement_id} does not exist")
    if row.base_status is None:  # older than the cache: derive it now
        agreement = get_agreement(session, agreement_id)
        return row.version, lifecycle(session, agreement, today=today).status
    today = today or utcnow().date()
    return row.version, status_on(row.base_status, row.last_activity, today, stalled_after_days)


def deleted_agreements(session: Session, *, offset: int = 0, limit: int = 50) -> list[Deleted]:
    """Soft-deleted agreements, most recently deleted first, with who deleted each."""
    rows = session.execute(
        select(Agreement.id, Agreement.title, Agreement.deleted_at)
        .where(Agreement.deleted_at.is_not(None))
        .order_by(Agreement.deleted_at.desc(), Agreement.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    who = audit.deleted_by(session, "agreement", [r.id for r in rows])
    return [Deleted(r.id, r.title, r.deleted_at, who.get(r.id)) for r in rows]


def deleted_count(session: Session) -> int:
    query = select(func.count()).select_from(Agreement).where(Agreement.deleted_at.is_not(None))
    return session.scalar(query) or 0


def lifecycle(
    session: Session, agreement: Agreement, *, today: date | None = None, **kw: Any
) -> Lifecycle:
    """The agreement's derived lifecycle, from the cache (state.read, for many at once)."""
    return state.read(session, [agreement], today=today, **kw)[agreement.id]


def with_conflicts(session: Session, *, limit: int = 20) -> list[tuple[int, str, int]]:
    """(id, title, number of conflicts) of agreements with conflicts awaiting a decision."""
    rows = session.execute(
        select(Agreement.id, Agreement.title, AgreementState.derived)
        .join(AgreementState, AgreementState.agreement_id == Agreement.id)
        .where(AgreementState.has_conflicts.is_(True), Agreement.deleted_at.is_(None))
        .order_by(Agreement.updated_at.desc())
        .limit(limit)
    )
    return [(row.id, row.title, len(row.derived["conflicts"])) for row in rows]


def topics_in_use(session: Session, *, limit: int = 500) -> list[str]:
    """The topics agreements have, alphabetically (for the list's suggestions)."""
    query = select(AgreementTopic.topic).distinct().order_by(AgreementTopic.topic).limit(limit)
    return list(session.scalars(query))


@dataclass(frozen=True)
class Unsupported:
    """Claims without evidence across agreements: how many in all, and where (most first)."""

    total: int
    agreements: list[tuple[int, str, int]]  # (id, title, how many)


def unsupported_claims(session: Session, *, limit: int = 20) -> Unsupported:
    """Stage events (not retracted) with no evidence quoted, and principle statements with
    neither a quote nor a clause, on agreements not deleted (two grouped queries)."""
    live = (Agreement.deleted_at.is_(None),)
    events = (
        select(StageEvent.agreement_id, func.count())
        .join(Agreement, Agreement.id == StageEvent.agreement_id)
        .where(
            *live,
            StageEvent.deleted_at.is_(None),
            StageEvent.status != EventStatus.RETRACTED.value,
            ~exists().where(EvidenceLink.event_id == StageEvent.id),
        )
        .group_by(StageEvent.agreement_id)
    )
    statements = (
        select(PrincipleStatement.agreement_id, func.count())
        .join(Agreement, Agreement.id == PrincipleStatement.agreement_id)
        .where(
            *live,
            PrincipleStatement.deleted_at.is_(None),
            PrincipleStatement.clause == "",
            ~exists().where(EvidenceLink.statement_id == PrincipleStatement.id),
        )
        .group_by(PrincipleStatement.agreement_id)
    )
    counts: dict[int, int] = {}
    for query in (events, statements):
        for agreement_id, count in session.execute(query):
            counts[agreement_id] = counts.get(agreement_id, 0) + count
    worst = sorted(counts, key=lambda i: (-counts[i], i))[:limit]
    names = titles(session, worst)
    return Unsupported(sum(counts.values()), [(i, names.get(i, ""), counts[i]) for i in worst])


def titles(session: Session, agreement_ids: Iterable[int]) -> dict[int, str]:
    """The title of each of these agreements, by id (one query)."""
    ids = sorted(set(agreement_ids))
    if not ids:
        return {}
    query = select(Agreement.id, Agreement.title).where(Agreement.id.in_(ids))
    return {agreement_id: title for agreement_id, title in session.execute(query)}
