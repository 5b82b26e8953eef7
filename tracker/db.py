"""Declarative base with a naming convention, engines, and one session per app context."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# Named constraints, so Alembic batch mode on SQLite can find and alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every engine (SQLite hands back naive ones otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware one (UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# JSON everywhere, stored as jsonb on PostgreSQL (indexable, compared by value). None is
# SQL NULL, never a JSON null: "no value" is one thing in every row, and an export (where
# both read null) brings it back the same.
JSONType = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSONType, list[Any]: JSONType, datetime: UTCDateTime}


# How long a SQLite writer waits for another's lock before "database is locked".
BUSY_TIMEOUT_MS = 5000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
    # SAVEPOINTs and transactional DDL (Alembic) work as on PostgreSQL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A transaction that reads and then writes fails at once ("database is locked") if
    # another writer committed in between; one known to write takes the write lock first.
    # Every transaction of a request that may write (POST, PATCH, DELETE) is such a one:
    # it reads (the token, the ETag's current version) before it writes, and two editors
    # saving at once must queue, so that the second sees the first's change (412), not fail.
    options = connection.get_execution_options()
    immediate = options.get(WRITE_OPTION) or _writing_request()
    wait = options.get(LOCK_WAIT_OPTION)
    if not immediate or wait is None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        return
    # A writer that would rather give up than wait long (bookkeeping a read can do without).
    connection.exec_driver_sql(f"PRAGMA busy_timeout={int(wait * 1000)}")
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _writing_request() -> bool:
    return has_request_context() and request.method not in {"GET", "HEAD", "OPTIONS"}


WRITE_OPTION = "tracker_writes"
LOCK_WAIT_OPTION = "tracker_lock_wait"


def begin_write(session: Session, *, lock_wait: float | None = None) -> None:
    """Start the session's transaction as a writer (SQLite: BEGIN IMMEDIATE), if none is open.

    With `lock_wait` (seconds), its writes wait at most that long for another writer's lock
    and then fail with OperationalError, instead of the usual busy timeout (SQLite: the
    write lock itself; PostgreSQL: `lock_timeout` for this transaction's row locks).
    """
    if session.in_transaction():
        return
    options: dict[str, Any] = {WRITE_OPTION: True}
    if lock_wait is not None:
        options[LOCK_WAIT_OPTION] = lock_wait
    connection = session.connection(execution_options=options)
    if lock_wait is not None and connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(lock_wait * 1000)}")


def read_snapshot(session: Session) -> None:
    """End the session's transaction and begin one that reads a single snapshot, for reads
    in several statements that must agree (a download paged in batches). PostgreSQL:
    REPEATABLE READ, read only; SQLite: any transaction already reads one snapshot."""
    session.commit()
    bind = session.get_bind()
    # A session joined to an outer connection (the tests' harness) keeps that one's level.
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with SQLite pragmas set on every connection and pre-ping on servers."""
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["tracker.engine"] = engine
    app.extensions["tracker.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The session of the current app context, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["tracker.sessionmaker"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
