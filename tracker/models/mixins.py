"""Columns shared by several aggregates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import utcnow

# Row ids are 32-bit integers on both engines: an id outside this range names no row.
MAX_ID = 2**31 - 1


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SoftDelete:
    """Deletes set `deleted_at`; the row stays and an admin can restore it."""

    deleted_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


def live_index(table: str, column: str) -> tuple[Index]:
    """A partial index on (column, id) over the rows not deleted.

    Both engines use it to read a sorted page of live rows in index order and to count
    them; a plain index led by deleted_at does not give PostgreSQL the order.
    """
    live = text("deleted_at IS NULL")
    return (
        Index(f"ix_{table}_live_{column}", column, "id", postgresql_where=live, sqlite_where=live),
    )


def deleted_index(table: str) -> Index:
    """A partial index of the soft-deleted rows: few, and found at once (search leaves them out)."""
    gone = text("deleted_at IS NOT NULL")
    return Index(f"ix_{table}_deleted", "id", postgresql_where=gone, sqlite_where=gone)
