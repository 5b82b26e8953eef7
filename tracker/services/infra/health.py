"""Is the database there, and can it be written? For the health check."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tracker.db import begin_write

# A write that changes nothing but still needs the right to write: refused by a read-only
# database (a SQLite file opened read-only, a PostgreSQL standby or a read-only default
# transaction), and always rolled back.
WRITE_PROBE = text("UPDATE alembic_version SET version_num = version_num WHERE 1 = 0")


def database_error(session: Session) -> Exception | None:
    """None when the database answers a `SELECT 1` and accepts a write (rolled back at once);
    else the error. The session is rolled back either way, so nothing is ever written."""
    try:
        begin_write(session)
        session.execute(text("SELECT 1"))
        session.execute(WRITE_PROBE)
    except Exception as exc:  # any failure to reach or write the database counts
        return exc
    finally:
        session.rollback()
    return None


def replica_error(engine: Engine) -> Exception | None:
    """None when the read replica answers a `SELECT 1`; else the error."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach it counts
        return exc
    return None
