"""The full-text index objects the models do not describe, for Alembic's comparison to skip.

SQLite: an FTS5 table over `search_text` per indexed table, kept in step by triggers.
PostgreSQL: for agreements and declarations, a stored generated `tsvector` column over
`search_text` with a GIN index; for articles, the table `article_fts` (the vectors of the
search text and of its lead, kept by a trigger, with a GIN index over the id and the vector).
`search_text` is always text through tracker.text.normalise, so both engines index, and are
queried with, the same folded spelling.

The DDL is written in migration 0003, which made them (0010 made `declaration`'s, and 0016
PostgreSQL's `article_fts` in place of the articles' generated column). SQLite's
batch mode rebuilds a table it alters, which drops its triggers: a migration that batch-alters
`agreement`, `evidence_article` or `declaration` must drop them before and create them after,
with its own copy of that DDL.
"""

from __future__ import annotations

# Indexed table -> its FTS5 table (SQLite).
INDEXED = {
    "agreement": "agreement_fts",
    "evidence_article": "article_fts",
    "declaration": "declaration_fts",
}


def is_fts_object(name: str | None, type_: str) -> bool:
    """Objects the models do not describe (for Alembic's comparison to skip)."""
    if name is None:
        return False
    if type_ == "table":
        return any(name == fts or name.startswith(fts + "_") for fts in INDEXED.values())
    return name == "search_vector" or name.endswith("_search_vector")
