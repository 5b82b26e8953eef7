"""Full-text index DDL for each engine, used by the migrations (and their tests).

SQLite: an FTS5 table over `search_text` per indexed table, kept in step by triggers.
PostgreSQL: a stored generated `tsvector` column over `search_text` with a GIN index.
`search_text` is always text through tracker.text.normalise, so both engines index, and are
queried with, the same folded spelling.

SQLite's batch mode rebuilds a table it alters, which drops its triggers: a migration that
batch-alters `agreement` or `evidence_article` must call `drop` before and `create` after.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

# Indexed table -> its FTS5 table (SQLite).
INDEXED = {"agreement": "agreement_fts", "evidence_article": "article_fts"}


def _sqlite_create(table: str, fts: str) -> list[str]:
    add = f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text);"
    remove = (
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
    )
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF search_text ON {table} "
        f"BEGIN {remove} {add} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def _postgres_create(table: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
        f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)",
    ]


def create(connection: Connection) -> None:
    for table, fts in INDEXED.items():
        if connection.dialect.name == "sqlite":
            statements = _sqlite_create(table, fts)
        else:
            statements = _postgres_create(table)
        for statement in statements:
            connection.exec_driver_sql(statement)


def drop(connection: Connection) -> None:
    for table, fts in INDEXED.items():
        if connection.dialect.name == "sqlite":
            for suffix in ("insert", "delete", "update"):
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {fts}")
        else:
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS ix_{table}_search_vector")
            connection.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")


def is_fts_object(name: str | None, type_: str) -> bool:
    """Objects the models do not describe (for Alembic's comparison to skip)."""
    if name is None:
        return False
    if type_ == "table":
        return any(name == fts or name.startswith(fts + "_") for fts in INDEXED.values())
    return name == "search_vector" or name.endswith("_search_vector")
