"""Stored digests: a subscriber reads their own (building and sending them: digests.weekly)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from tracker.models import Digest, User
from tracker.models.vocab import Role
from tracker.services import fetch
from tracker.services.errors import NotFound


def list_digests(
    session: Session,
    reader: User | None,
    *,
    week: str | None = None,
    user_email: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Digest], int]:
    """Digests the reader may see (their own; an admin sees all), newest week first."""
    query = select(Digest)
    if reader is None or reader.role != Role.ADMIN:
        query = query.where(Digest.user_id == (reader.id if reader else -1))
    if user_email:
        query = query.join(User, Digest.user_id == User.id).where(
            func.lower(User.email) == user_email.lower()
        )
    if week:
        query = query.where(Digest.week == week)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(
        query.order_by(Digest.week.desc(), Digest.id.desc())
        .offset(offset)
        .limit(limit)
        .options(selectinload(Digest.user))
    ).all()
    return list(page), total


def get_digest(session: Session, reader: User | None, digest_id: int) -> Digest:
    """A digest the reader may see; NotFound (404) otherwise, so others' digests stay private."""
    digest = fetch(session, Digest, digest_id)
    mine = reader is not None and (
        reader.role == Role.ADMIN or digest is not None and digest.user_id == reader.id
    )
    if digest is None or not mine:
        raise NotFound(f"digest {digest_id} does not exist")
    return digest
