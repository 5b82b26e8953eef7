"""Counting the SQL statements a piece of work sends: the suite's guard against N+1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def counted(connection) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """The statements sent on `connection` inside the block, in order."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)
