"""Is the database there? For the health check."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def database_error(session: Session) -> Exception | None:
    """None when a `SELECT 1` succeeds; else the error (the session is rolled back)."""
    try:
        session.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database counts
        session.rollback()
        return exc
    return None
