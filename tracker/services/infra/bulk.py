"""Rows inserted in bulk at the driver: many audit entries, reminders or LSH bands at once.

SQLAlchemy's own executemany builds each row's parameters in general-purpose code, some tens
of microseconds a row, and on PostgreSQL an executemany is one INSERT a row however psycopg
pipelines them. A rules run over 100,000 agreements inserts as many reminders and audit
entries, an import of 10,000 articles 160,000 bands: here they cost a small part of that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Column, Connection, String, Table, TypeDecorator, insert
from sqlalchemy.orm import Session


def column_defaults(table: Table) -> dict[str, Any]:
    """The Python-side default of each column of `table` that has one (SQLAlchemy's
    `default=`), as an INSERT through SQLAlchemy would take it; a callable's called once
    here, so rows given these share one time."""
    found: dict[str, Any] = {}
    for column in table.c:
        default = column.default
        if default is None or not (default.is_scalar or default.is_callable):
            continue
        found[column.key] = default.arg if default.is_scalar else default.arg(None)
    return found


@cache
def _insert_for(
    table: Table, keys: tuple[str, ...], dialect: Any
) -> tuple[Any, dict[str, Callable[[Any], Any] | None]]:
    """The INSERT of `keys` into `table` compiled for `dialect`, and each key's bind
    processor: made once, not on every run (the one-agreement runs of web requests too)."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
    convert = {key: table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in keys}
    return compiled, convert


def insert_many(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    defaults: dict[str, Any] | None = None,
) -> None:
    """INSERT `rows` (dicts of the same columns), each with `defaults` added, in one
    executemany at the driver (on PostgreSQL, in statements of many rows each).

    Each value goes through its column's bind processor, the conversion SQLAlchemy itself
    applies, so the stored values are the same; a column given neither in the rows nor in
    `defaults` takes its Python-side default (`column_defaults`), as through SQLAlchemy.
    """
    if not rows:
        return
    given = {**rows[0], **(defaults or {})}
    defaults = {
        **{k: v for k, v in column_defaults(table).items() if k not in given},
        **(defaults or {}),
    }
    connection = session.connection()
    dialect = connection.dialect
    keys = [*rows[0], *defaults]
    compiled, convert = _insert_for(table, tuple(keys), dialect)
    fixed = {
        key: value if convert[key] is None else convert[key](value)
        for key, value in defaults.items()
    }
    # Only some columns have a processor (times, JSON; dates on SQLite): the rest go as given.
    processed = [(key, process) for key in rows[0] if (process := convert[key]) is not None]
    # SQLite's "?" takes the values in the statement's order, psycopg's named ones a dict;
    # PostgreSQL's statements of many rows take them in the order of `keys`.
    # (the rows have several columns: itemgetter of several keys gives a tuple)
    postgresql = dialect.name == "postgresql"
    if postgresql:
        ordered = itemgetter(*keys)
    else:
        ordered = itemgetter(*compiled.positiontup) if compiled.positiontup else None
    params: list[Any] = []
    for row in rows:
        values = {**row, **fixed}
        for key, process in processed:
            values[key] = process(values[key])
        params.append(values if ordered is None else ordered(values))
    if postgresql:
        _insert_in_statements(connection, table, keys, params)
    else:
        connection.exec_driver_sql(compiled.string, params)


# PostgreSQL: the rows a statement of `_insert_in_statements` inserts at most, and the
# characters of their text at most. The server refuses a message of 1 GiB or more (and
# closes the connection): 200 articles of two million Russian characters, their text and
# search text, were one. A character takes at most 4 bytes of UTF-8.
ROWS_PER_INSERT = 1000
CHARACTERS_PER_INSERT = 64 * 1024 * 1024


def _insert_in_statements(
    connection: Connection, table: Table, keys: list[str], params: list[tuple[Any, ...]]
) -> None:
    """INSERT the rows `params` (values in the order of `keys`) into `table`, ROWS_PER_INSERT
    rows a statement (fewer when their text passes CHARACTERS_PER_INSERT), in their order
    (the ids follow it, as in one executemany).

    On PostgreSQL an executemany is one INSERT a row, however psycopg pipelines them: over
    200,000 rows (a first run over 100,000 agreements) the driver's work per statement and
    the server's were more than half of the run. Here a statement takes each column's values
    as one array, unnested into rows: a short statement of one parameter a column, which
    psycopg parses once (a VALUES list of a parameter a value it would parse every time),
    the arrays sent in binary (psycopg quotes a text array's values one by one in Python).
    The values are the ones the executemany was given, converted by the columns' bind
    processors. Strings go as text, so that a value too long for its column fails as in an
    INSERT (a cast to the column's own type would cut it short).
    """
    dialect = connection.dialect
    preparer = dialect.identifier_preparer
    columns = [table.c[key] for key in keys]

    def kind(column: Column[Any]) -> Any:
        return column.type.impl if isinstance(column.type, TypeDecorator) else column.type

    def array(column: Column[Any]) -> str:
        return "%b::" + (
            "TEXT" if isinstance(kind(column), String) else kind(column).compile(dialect=dialect)
        )

    statement = (
        f"INSERT INTO {preparer.format_table(table)} "
        f"({', '.join(preparer.quote(column.name) for column in columns)}) "
        f"SELECT * FROM unnest({', '.join(array(column) + '[]' for column in columns)})"
    )
    texts = [n for n, column in enumerate(columns) if isinstance(kind(column), String | JSON)]
    for rows in _statements(params, texts):
        arrays = zip(*rows, strict=True)  # a column's values
        connection.exec_driver_sql(statement, tuple(list(values) for values in arrays))


def _statements(params: list[tuple[Any, ...]], texts: list[int]) -> Iterator[list[tuple[Any, ...]]]:
    """`params` cut into runs of at most ROWS_PER_INSERT rows and, but for a run of one
    row, CHARACTERS_PER_INSERT characters in the values at `texts` (text and JSON)."""
    run: list[tuple[Any, ...]] = []
    characters = 0
    for row in params:
        size = 0
        for n in texts:
            value = row[n]
            size += len(value) if type(value) is str else _characters(value)
        if run and (len(run) >= ROWS_PER_INSERT or characters + size > CHARACTERS_PER_INSERT):
            yield run
            run, characters = [], 0
        run.append(row)
        characters += size
    if run:
        yield run


def _characters(value: Any) -> int:
    """The characters of the strings in a value to send: text, or JSON (as psycopg's
    wrapper holds it, its object not yet written). By exact type, one loop a container:
    a signature's 64 numbers are in every article's row and audit entry."""
    kind = type(value)
    if kind is str or kind is bytes:
        return len(value)
    if kind is dict:
        value = [*value, *value.values()]
    elif kind is not list and kind is not tuple:
        inner = getattr(value, "obj", None)  # psycopg's Json and Jsonb
        return 0 if inner is None else _characters(inner)
    total = 0
    for item in value:
        kind = type(item)
        if kind is str:
            total += len(item)
        elif kind is dict or kind is list or kind is tuple:
            total += _characters(item)
    return total
