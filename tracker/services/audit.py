"""The audit log: every change a service makes is written here in the same transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, joinedload

from tracker.models import AuditEntry, User

# Never copied into the log: the log is readable by more people than the secrets are.
SECRET_COLUMNS = {"password_hash", "token_hash", "feed_token_hash"}


def snapshot(obj: Any) -> dict[str, Any]:
    """The row's column values as JSON-ready data (dates as ISO strings, secrets redacted)."""
    values: dict[str, Any] = {}
    for attr in inspect(obj).mapper.column_attrs:
        value = getattr(obj, attr.key)
        if attr.key in SECRET_COLUMNS:
            value = "[redacted]" if value else None
        if isinstance(value, datetime | date):
            value = value.isoformat()
        values[attr.key] = value
    return values


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    obj: Any,
    before: dict[str, Any] | None,
    agreement_id: int | None = None,
    extra: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Add an audit entry for `obj` (flushed, so it has its id) with its state now as `after`."""
    session.flush()
    after = snapshot(obj) if action != "purge" else None
    if extra:
        after = (after or {}) | extra
    entry = AuditEntry(
        user_id=actor.id if actor else None,
        actor=actor.email if actor else actor_label or "system",
        action=action,
        entity=obj.__tablename__,
        entity_id=str(inspect(obj).identity[0] if inspect(obj).identity else ""),
        agreement_id=agreement_id,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


def history(
    session: Session, agreement_id: int, *, offset: int = 0, limit: int = 100
) -> list[AuditEntry]:
    """The agreement's changes, newest first: its own, its events', statements' and reminders'."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.agreement_id == agreement_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .options(joinedload(AuditEntry.user))
            .offset(offset)
            .limit(limit)
        )
    )


def history_count(session: Session, agreement_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.agreement_id == agreement_id)
        )
        or 0
    )


def deleted_by(session: Session, entity: str, ids: list[int]) -> dict[int, str]:
    """Who deleted each of these rows of `entity` (its latest delete entry), by id."""
    if not ids:
        return {}
    entries = session.execute(
        select(AuditEntry.entity_id, AuditEntry.actor)
        .where(
            AuditEntry.entity == entity,
            AuditEntry.action == "delete",
            AuditEntry.entity_id.in_([str(i) for i in ids]),
        )
        .order_by(AuditEntry.id)
    )
    return {int(entity_id): actor for entity_id, actor in entries}


def system_row(
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: int,
    agreement_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    at: datetime,
) -> dict[str, Any]:
    """An audit_entry row for a change the system made in bulk (insert them in one batch)."""
    return {
        "at": at,
        "user_id": None,
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "agreement_id": agreement_id,
        "before": before,
        "after": {k: v.isoformat() if isinstance(v, date) else v for k, v in after.items()},
    }
