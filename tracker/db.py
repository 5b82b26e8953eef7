"""Declarative base with a naming convention, engines, and one session per app context."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request, session
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    MetaData,
    TypeDecorator,
    any_,
    bindparam,
    create_engine,
    event,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

log = logging.getLogger(__name__)

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


class among(ColumnElement[bool]):
    """SQL: `column` is one of the values of the list given as the parameter `name`, in a
    statement built once and run with lists of any length.

    PostgreSQL: `column = ANY(:name)`, the list sent as one array. An expanding IN writes a
    parameter per value instead (`IN (%(ids_1)s, … %(ids_50)s)`), which psycopg parses anew
    for every run, a list of more than 50 values being past what it keeps parsed, and which
    SQLAlchemy rewrites for every run. Other engines: the expanding IN.
    """

    inherit_cache = True
    type = Boolean()
    # A condition as it stands (where SQLite, lacking booleans, would otherwise test `= 1`).
    _is_implicitly_boolean = True
    _traverse_internals = [
        ("expanding", InternalTraversal.dp_clauseelement),
        ("array", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: Any, name: str) -> None:
        self.expanding = column.in_(bindparam(name, expanding=True))
        self.array = column == any_(bindparam(name, type_=ARRAY(column.type)))


@compiles(among)
def _among(element: among, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.expanding, **kw)


@compiles(among, "postgresql")
def _among_postgresql(element: among, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.array, **kw)


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
    use_primary(session)
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


def json_text(value: Any) -> str:
    """JSON columns' text: Persian, Russian and Arabic written as themselves, not as
    \\uXXXX escapes, which made the JSON of an article's audit entry (its text, and its
    search text) nearly three times as long to write and to store on SQLite. A value holding
    a lone surrogate, which UTF-8 cannot encode, keeps the escapes."""
    written = _JSON_AS_WRITTEN.encode(value)
    if written.isascii():
        return written
    try:
        written.encode()
    except UnicodeEncodeError:
        return json.dumps(value)
    return written


# Made once: json.dumps with an argument makes an encoder on every call (a third of the
# time of a small value's).
_JSON_AS_WRITTEN = json.JSONEncoder(ensure_ascii=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with SQLite pragmas set on every connection, pre-ping on servers, and JSON
    written as `json_text`."""
    kwargs.setdefault("json_serializer", json_text)
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


# Read replica (TRACKER_READ_DATABASE_URL). A request that only reads (GET, HEAD, OPTIONS)
# gets a session that reads from the replica; everything else, and every session outside a
# request (the scheduler, the CLI), uses the primary. See docs/scaling.md for the rules.

READ_BIND = "tracker.read_bind"
WROTE_PRIMARY = "tracker.wrote_primary"
# After an unreachable replica, how long reads go to the primary before it is tried again:
# a dead replica costs one failed connection per worker this often, not one per request.
READ_RETRY_SECONDS = 30.0
# A replica on a server that does not answer (a dropped packet, not a refusal) would hold a
# request for the operating system's connect timeout (minutes) before the fallback.
READ_CONNECT_TIMEOUT = 2
# The signed session cookie's key: until when (epoch seconds) this browser reads the primary.
PRIMARY_UNTIL = "_primary_until"


class ReadSession(Session):
    """A session that reads from the replica while `info[READ_BIND]` holds its engine.

    Writes never go there: a flush or an INSERT/UPDATE/DELETE statement is sent to the
    primary (the session's own bind), and `begin_write` (which every service that writes
    calls first) turns the whole session over to the primary, so that what a write reads
    (versions to check, rows to lock) is the primary's current data, never a lagging copy.
    """

    def get_bind(self, mapper: Any = None, *, clause: Any = None, **kw: Any) -> Any:
        read = self.info.get(READ_BIND)
        if read is None or kw.get("bind") is not None:
            return super().get_bind(mapper, clause=clause, **kw)
        if self._flushing or getattr(clause, "is_dml", False):
            self.info[WROTE_PRIMARY] = True  # this transaction is no longer a read alone
            return super().get_bind(mapper, clause=clause, **kw)
        return read


@event.listens_for(ReadSession, "after_commit")
@event.listens_for(ReadSession, "after_rollback")
def _transaction_ended(session: Session) -> None:
    session.info.pop(WROTE_PRIMARY, None)


def reads_replica(session: Session) -> bool:
    """True while `session` reads from the read replica."""
    return session.info.get(READ_BIND) is not None


def use_primary(session: Session) -> None:
    """From now on, `session` reads from the primary too (no-op for a primary session).

    The replica's read transaction is ended (it wrote nothing) and the objects read from
    it are expired, so that a write that follows reads and checks the primary's rows; with
    changes pending in the session, or written to the primary in this transaction, the
    transaction is left open (to end as one) and the objects as they are."""
    if session.info.pop(READ_BIND, None) is None:
        return
    if session.info.pop(WROTE_PRIMARY, False) or session.new or session.dirty or session.deleted:
        return
    if session.in_transaction():
        session.commit()
    session.expire_all()


@contextmanager
def bookkeeping(session: Session) -> Iterator[Session]:
    """The session to write a request's bookkeeping with (a token's last use): `session`
    itself, or, while it reads the replica, a primary session of its own, so that a small
    write does not turn the rest of the request over to the primary."""
    if not reads_replica(session):
        yield session
        return
    with current_app.extensions["tracker.sessionmaker"]() as own:
        yield own


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["tracker.engine"] = engine
    app.extensions["tracker.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    read_url = app.config.get("READ_DATABASE_URL") or ""
    if read_url:
        kwargs: dict[str, Any] = {}
        if read_url.startswith("postgresql"):
            kwargs["connect_args"] = {"connect_timeout": READ_CONNECT_TIMEOUT}
        app.extensions["tracker.read_engine"] = make_engine(read_url, **kwargs)
        app.extensions["tracker.read_down_until"] = 0.0
        app.after_request(_note_write)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The session of the current app context, opened on first use: on the read replica
    for a request that only reads (when one is configured and reachable), else the primary."""
    if "db_session" not in g:
        g.db_session = _read_session() or current_app.extensions["tracker.sessionmaker"]()
    return g.db_session


def _read_session() -> Session | None:
    """A session reading the replica, with its connection open; None when the request must
    or should use the primary (see `_may_read_replica`), or the replica is unreachable."""
    engine: Engine | None = current_app.extensions.get("tracker.read_engine")
    if engine is None or not _may_read_replica():
        return None
    if time.monotonic() < current_app.extensions["tracker.read_down_until"]:
        return None
    primary: sessionmaker[Session] = current_app.extensions["tracker.sessionmaker"]
    read = ReadSession(**primary.kw)
    read.info[READ_BIND] = engine
    try:
        read.connection()  # fails here, not in the middle of a view, when it is down
    except DBAPIError as exc:
        read.close()
        current_app.extensions["tracker.read_down_until"] = time.monotonic() + READ_RETRY_SECONDS
        log.warning(
            "read replica unreachable: reading from the primary for %g s",
            READ_RETRY_SECONDS,
            extra={"error": repr(exc)},
        )
        return None
    return read


def asks_fresh() -> bool:
    """The request asks for fresh data: `Cache-Control: no-cache` (a browser's hard reload)
    or HTTP/1.0's `Pragma: no-cache`."""
    if "no-cache" in request.headers.get("Cache-Control", "").lower():
        return True
    return request.headers.get("Pragma", "").lower() == "no-cache"


def _may_read_replica() -> bool:
    """A request may read the replica when it only reads (GET, HEAD, OPTIONS), did not ask
    for fresh data (`Cache-Control: no-cache`, which a browser's hard reload sends), and
    its browser has not written in the last TRACKER_READ_AFTER_WRITE seconds."""
    if not has_request_context() or _writing_request():
        return False
    if asks_fresh():
        return False
    # The session is looked at only when the browser sent one: touching it would add
    # `Vary: Cookie` to answers that a cache in front may share.
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return True
    until = session.get(PRIMARY_UNTIL)
    if isinstance(until, int | float):
        if time.time() < until:
            return False
        session.pop(PRIMARY_UNTIL, None)
    return True


def _note_write(response: Response) -> Response:
    """After a request that may have written, its browser reads the primary for the next
    TRACKER_READ_AFTER_WRITE seconds, so that it sees its own change at once (the page a
    form redirects to, the list after a delete) although the replica may lag behind. Only
    a browser that holds a session (signed in, or with a form's CSRF token) is marked: a
    script with a bearer token gets no cookie, and reads what the write answered."""
    has_session = current_app.config["SESSION_COOKIE_NAME"] in request.cookies
    # A sign-in starts a session: the page it redirects to is read from the primary too.
    seconds = float(current_app.config.get("READ_AFTER_WRITE", 10))
    if seconds > 0 and _writing_request() and (has_session or session.modified):
        session[PRIMARY_UNTIL] = time.time() + seconds
    return response


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
