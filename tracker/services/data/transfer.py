"""Everything in one JSON file, and back: `tracker export PATH`, `tracker import PATH`.

The file holds every table of the record, row by row, in plain JSON: agreements with their
parties and topics, stage events, articles with their full text, evidence links, principle
statements, reminders, digests, the audit trail, the derived caches (lifecycle state, each
party's participation, near-duplicate buckets), the vocabulary (parties, aliases, principles,
the organisations' members) and the users, without their secrets: no password hashes, no feed
tokens, no API tokens (users set a password and make tokens again), and no sign-in attempts.

Import goes into an empty database at the same schema revision (`tracker db upgrade` first)
and keeps every id, so links, URLs and citations stay valid; on PostgreSQL the id sequences
are moved past the imported ids. Every value is checked first against what both engines can
store (PostgreSQL is the stricter: no NUL in text, no lone surrogates, text within its
column's length, integers within 32 or 64 bits, time stamps with their time zone), so a file
that imports into SQLite imports into PostgreSQL too; a refusal names the table, the row and
the column, and nothing is imported. Exporting the imported database gives the same file (but for
`exported_at`), on either engine: `tests/test_transfer.py` checks SQLite -> PostgreSQL ->
SQLite.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import IO, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Integer,
    SmallInteger,
    String,
    Table,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, StatementError

from tracker import migrate
from tracker.db import Base, utcnow
from tracker.services.errors import ServiceError
from tracker.text.dates import OUT_OF_RANGE, in_range

FORMAT = "treaty-tracker-export"
VERSION = 1
# Not exported: secrets, and a security log that is no part of the record.
SKIPPED_TABLES = {"api_token", "login_attempt"}
SECRET_COLUMNS = {"user_account": {"password_hash", "feed_token_hash"}}
BATCH = 1000  # rows inserted at a time


class TransferError(ServiceError):
    status = 409


def tables() -> list[Table]:
    """The exported tables, parents before children."""
    import tracker.models  # noqa: F401  (every table registered on Base.metadata)

    return [t for t in Base.metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def _columns(table: Table) -> list[Column]:
    secret = SECRET_COLUMNS.get(table.name, set())
    return [c for c in table.columns if c.name not in secret and c.computed is None]


def _out(value: Any) -> Any:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def export(engine: Engine, out: IO[str]) -> dict[str, int]:
    """Write the whole record as JSON to `out`; returns the number of rows per table."""
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":  # one snapshot for every table
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        connection.begin()  # SQLite: one read transaction is one snapshot too
        revision = migrate.revision_of(connection)
        out.write(
            "{"
            f'"format": "{FORMAT}", "version": {VERSION}, '
            f'"schema": {json.dumps(revision)}, '
            f'"exported_at": {json.dumps(utcnow().isoformat())}, "tables": {{'
        )
        for number, table in enumerate(tables()):
            columns = _columns(table)
            order = list(table.primary_key.columns) or columns
            rows = connection.execute(select(*columns).order_by(*order))
            out.write(("," if number else "") + f"\n{json.dumps(table.name)}: ")
            out.write(f'{{"columns": {json.dumps([c.name for c in columns])}, "rows": [')
            count = 0
            for row in rows:
                line = json.dumps([_out(v) for v in row], ensure_ascii=False)
                out.write(("," if count else "") + "\n" + line)
                count += 1
            out.write("]}")
            counts[table.name] = count
        out.write("\n}}\n")
    return counts


def _in(column: Column, value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    impl = getattr(kind, "impl", kind)
    if isinstance(kind, DateTime) or isinstance(impl, DateTime):
        return _supported(column, datetime.fromisoformat(value))
    if isinstance(kind, Date) or isinstance(impl, Date):
        return _supported(column, date.fromisoformat(value))
    return value


def _supported(column: Column, value: date) -> date:
    """The day or instant, or ValueError naming the column when outside years 1000 to 2999."""
    if not in_range(value if type(value) is date else value.date()):  # type: ignore[attr-defined]
        raise ValueError(f"{column.name}: {value.isoformat()} {OUT_OF_RANGE}")
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _text_problem(value: str) -> str | None:
    if "\x00" in value:
        return "contains a NUL character, which PostgreSQL cannot store"
    if _SURROGATE.search(value):
        return "contains a lone surrogate (\\ud800 to \\udfff), which is no character"
    return None


def _json_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return _text_problem(value)
    if isinstance(value, float) and not math.isfinite(value):
        return f"holds {value}, which JSON (and PostgreSQL) cannot"
    if isinstance(value, Mapping):
        for key, item in value.items():
            if problem := _text_problem(str(key)) or _json_problem(item):
                return problem
    if isinstance(value, list):
        for item in value:
            if problem := _json_problem(item):
                return problem
    return None


_INTEGER_BITS = ((BigInteger, 64), (SmallInteger, 16), (Integer, 32))


def _problem(column: Column, value: Any) -> str | None:
    """Why `value` (as `_in` made it) cannot go into `column` on both engines, if it cannot."""
    if value is None:
        return None
    kind = column.type
    impl = getattr(kind, "impl", kind)
    if isinstance(kind, JSON):
        return _json_problem(value)
    if isinstance(kind, DateTime) or isinstance(impl, DateTime):
        return "has no time zone" if value.tzinfo is None else None
    if isinstance(kind, Date):
        return None
    if isinstance(kind, Boolean):
        return None if isinstance(value, bool) else f"{value!r} is not true or false"
    for integer, bits in _INTEGER_BITS:
        if isinstance(kind, integer):
            if isinstance(value, bool) or not isinstance(value, int):
                return f"{str(value)[:40]!r} is not a whole number"
            if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
                return f"{value} does not fit in {bits} bits"
            return None
    if isinstance(kind, String):  # and Text
        if not isinstance(value, str):
            return f"{str(value)[:40]!r} is not text"
        if kind.length and len(value) > kind.length:
            return f"is longer than {kind.length} characters ({len(value)})"
        return _text_problem(value)
    return None


def _row_name(table: Table, number: int, row: Mapping[str, Any]) -> str:
    key = ", ".join(
        f"{name} {row[name]}" for name in table.primary_key.columns.keys() if name in row
    )
    return f"table {table.name}, row {number}" + (f" ({key})" if key else "")


def _refusal(exc: DBAPIError) -> str:
    """The database's reason, on one line."""
    reason = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
    return reason[0] if reason else type(exc).__name__


def _insert(connection: Connection, table: Table, rows: list[dict[str, Any]], first: int) -> None:
    """Insert a batch (`first`: the file's number of its first row); when the database
    refuses it, find the row it refuses and name it."""
    try:
        with connection.begin_nested():
            connection.execute(insert(table), rows)
        return
    except (DBAPIError, StatementError) as exc:
        batch_error = exc
    for offset, row in enumerate(rows):
        try:
            with connection.begin_nested():
                connection.execute(insert(table), [row])
        except (DBAPIError, StatementError) as exc:
            reason = _refusal(exc) if isinstance(exc, DBAPIError) else str(exc.orig or exc)
            raise TransferError(
                f"{_row_name(table, first + offset, row)}: the database refuses it ({reason})"
            ) from None
    raise TransferError(f"table {table.name}: the database refuses the rows ({batch_error})")


def import_(engine: Engine, source: IO[str]) -> dict[str, int]:
    """Load an export into this empty database; returns the number of rows per table.

    Refused (TransferError) when the file is not an export, when its schema revision is not
    the database's, or when the database holds anything already. All or nothing: one
    transaction.
    """
    try:
        document = json.load(source)
    except ValueError as exc:
        raise TransferError(f"the file is not JSON ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise TransferError("the file is not a Treaty Tracker export")
    if document.get("version") != VERSION:
        raise TransferError(f"export format version {document.get('version')} is not {VERSION}")
    known = {t.name: t for t in tables()}
    data = document.get("tables") or {}
    if not isinstance(data, dict):
        raise TransferError("the file's tables are not as an export has them")
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise TransferError(f"unknown tables in the file: {', '.join(unknown)}")
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        revision = migrate.revision_of(connection)
        if document.get("schema") != revision:
            raise TransferError(
                f"the file is at schema revision {document.get('schema')}, the database at "
                f"{revision}: migrate the database to the file's revision first"
            )
        busy = [
            name
            for name, table in known.items()
            if connection.execute(select(func.count()).select_from(table)).scalar()
        ]
        if busy:
            raise TransferError(
                f"the database is not empty ({', '.join(busy)}): import only into a new one"
            )
        for name, table in known.items():
            block = data.get(name) or {"columns": [], "rows": []}
            allowed = {c.name for c in _columns(table)}
            if (
                not isinstance(block, dict)
                or not isinstance(block.get("columns"), list)
                or not isinstance(block.get("rows"), list)
                or not set(map(str, block["columns"])) <= allowed
                or len(set(map(str, block["columns"]))) != len(block["columns"])
            ):
                raise TransferError(f"table {name}: columns or rows not as an export has them")
            columns = [table.columns[c] for c in block["columns"]]
            # A table pointing at itself (an article citing another) gets those links after
            # all its rows are in.
            later = [
                c.name for c in columns if any(fk.column.table is table for fk in c.foreign_keys)
            ]
            rows = []
            for number, row in enumerate(block["rows"], start=1):
                if not isinstance(row, list) or len(row) != len(columns):
                    raise TransferError(
                        f"{_row_name(table, number, {})}: a row is not as an export has it "
                        f"(a list of {len(columns)} values)"
                    )
                try:
                    values = {c.name: _in(c, v) for c, v in zip(columns, row, strict=True)}
                except (TypeError, ValueError) as exc:
                    raise TransferError(
                        f"{_row_name(table, number, {})}: a row is not as an export has it ({exc})"
                    ) from None
                for column in columns:
                    if problem := _problem(column, values[column.name]):
                        raise TransferError(
                            f"{_row_name(table, number, values)}: {column.name}: {problem}"
                        )
                rows.append(values)
            # The update keeps the row's own time stamps (no `onupdate` on the way in).
            kept = later + [c.name for c in columns if c.onupdate is not None]
            links = [
                (
                    number,
                    {k: r[k] for k in table.primary_key.columns.keys()},
                    {k: r[k] for k in kept},
                )
                for number, r in enumerate(rows, start=1)
                if any(r[k] is not None for k in later)
            ]
            for start in range(0, len(rows), BATCH):
                batch = rows[start : start + BATCH]
                _insert(
                    connection,
                    table,
                    [r | {k: None for k in later} for r in batch] if later else batch,
                    start + 1,
                )
            for number, key, values in links:
                where = [table.columns[k] == v for k, v in key.items()]
                try:  # a refusal ends the import: no savepoint needed
                    connection.execute(update(table).where(*where).values(**values))
                except DBAPIError as exc:
                    raise TransferError(
                        f"{_row_name(table, number, key)}: the database refuses it "
                        f"({_refusal(exc)})"
                    ) from None
            counts[name] = len(rows)
        if connection.dialect.name == "postgresql":
            for name, table in known.items():
                if "id" in table.columns and table.columns["id"].autoincrement and counts[name]:
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT max(id) FROM {name}))"
                        )
                    )
    return counts
