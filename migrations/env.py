"""Alembic environment: runs against the engine the app (or a test) hands over."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context

import tracker.models  # noqa: F401  (registers every table on Base.metadata)
from tracker.db import Base, UTCDateTime
from tracker.migrate import unmodelled

config = context.config


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write the project's column types as plain SQLAlchemy types in new migrations."""
    if type_ != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, sa.JSON):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'
    return False


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Leave objects no model describes (full-text indexes, the job store) out of comparisons."""
    return not (reflected and unmodelled(name, type_))


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration copies a table and drops the old one; with foreign keys on,
            # SQLite refuses to drop a table others refer to (or cascades the delete). They
            # are off while migrating (the pragma only takes outside a transaction) and
            # checked after.
            raw = connection.connection.dbapi_connection
            assert raw is not None and not connection.in_transaction()
            raw.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,  # SQLite alters tables by copying them
            compare_type=True,
            render_item=render_item,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            connection.commit()
            broken = raw.execute("PRAGMA foreign_key_check").fetchall()
            raw.execute("PRAGMA foreign_keys=ON")
            if broken:
                raise RuntimeError(f"foreign keys broken by the migration: {broken[:10]}")


if context.is_offline_mode():
    raise SystemExit(
        "Offline (SQL script) migrations are not supported; run them against a database."
    )
run_migrations_online()
