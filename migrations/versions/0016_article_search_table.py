"""PostgreSQL: the articles' search vectors in a narrow table of their own

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 02:00:00.000000

PostgreSQL only; SQLite's FTS5 table `article_fts` is already an index apart from the rows.

A search over 100,000 articles spent most of its time in the articles' own table: the GIN
index names the matching rows, and finding which of them are live meant visiting nearly
every page of the table (8,779 pages for a word in 40,000 articles), and ranking the newest
2,000 unpacked 2,000 vectors of about 4.4 kB from TOAST. The vectors now live in
`article_fts` (id, hidden, search_vector, lead_vector), one row per article not deleted,
kept by a trigger on `evidence_article`:

- its rows are narrow (the vectors are stored out of line, `toast_tuple_target`), so counting
  a word's matches visits about 860 pages;
- one GIN index over (id, search_vector), with btree_gin for the id, finds the matches above
  an id at once: the newest matches without reading the others. The id is indexed there as
  a bigint (`CAST(id AS bigint)`), an expression the primary key cannot serve: with the
  plain id, the planner walked the primary key down from the top testing each row's vector,
  unpacking it from TOAST (10 ms for 1,900 rows, where the GIN index answers in 2). The
  primary key serves what looks an article up by id (a list's page testing its rows, the
  trigger);
- `lead_vector` is the vector of the article's lead: the first LEAD characters of the search
  text (the folded title, then the text), cut back to a whole word; about 1 kB where the
  whole text's vector is 4.4 kB: ts_rank over the newest matches takes half the time or less.

The generated column `evidence_article.search_vector` and its GIN index are dropped: the
vectors are kept once. Downgrading puts them back and drops the table.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The lead that ranks an article: the first LEAD characters of its search text (its title,
# then its text, folded), cut back to the last whole word.
LEAD = 600
_LEAD_OF = (
    "CASE WHEN length({text}) <= {lead} THEN {text} "
    "ELSE regexp_replace(left({text}, {lead} + 1), '\\S*$', '') END"
)

_SYNC = f"""
CREATE FUNCTION article_fts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.deleted_at IS NULL AND OLD.deleted_at IS NULL
           AND NEW.search_text = OLD.search_text THEN
            UPDATE article_fts SET hidden = NEW.hidden WHERE id = NEW.id;
            RETURN NULL;
        END IF;
        DELETE FROM article_fts WHERE id = NEW.id;
    END IF;
    IF NEW.deleted_at IS NULL THEN
        INSERT INTO article_fts (id, hidden, search_vector, lead_vector)
        VALUES (NEW.id, NEW.hidden, to_tsvector('simple', NEW.search_text),
                to_tsvector('simple', {_LEAD_OF.format(text="NEW.search_text", lead=LEAD)}));
    END IF;
    RETURN NULL;
END
$$
"""


def _on_postgresql(*statements: str) -> None:
    """Run `statements` on PostgreSQL; nothing on SQLite."""
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        for statement in statements:
            connection.exec_driver_sql(statement)


def upgrade() -> None:
    _on_postgresql(
        # A trusted extension (PostgreSQL 13 and later): the database's owner may create it.
        "CREATE EXTENSION IF NOT EXISTS btree_gin",
        "CREATE TABLE article_fts ("
        "  id integer NOT NULL, hidden boolean NOT NULL,"
        "  search_vector tsvector NOT NULL, lead_vector tsvector NOT NULL,"
        "  CONSTRAINT pk_article_fts PRIMARY KEY (id),"
        "  CONSTRAINT fk_article_fts_id_evidence_article FOREIGN KEY (id)"
        "    REFERENCES evidence_article (id) ON DELETE CASCADE"
        ") WITH (toast_tuple_target = 128)",
        "INSERT INTO article_fts (id, hidden, search_vector, lead_vector) "
        "SELECT id, hidden, search_vector, "
        f"  to_tsvector('simple', {_LEAD_OF.format(text='search_text', lead=LEAD)}) "
        "FROM evidence_article WHERE deleted_at IS NULL ORDER BY id",
        "CREATE INDEX ix_article_fts_match ON article_fts "
        "USING gin ((CAST(id AS bigint)), search_vector)",
        _SYNC,
        "CREATE TRIGGER evidence_article_fts AFTER INSERT OR UPDATE OF search_text, deleted_at, "
        "hidden ON evidence_article FOR EACH ROW EXECUTE FUNCTION article_fts_sync()",
        "DROP INDEX IF EXISTS ix_evidence_article_search_vector",
        "ALTER TABLE evidence_article DROP COLUMN IF EXISTS search_vector",
    )


def downgrade() -> None:
    _on_postgresql(
        "DROP TRIGGER IF EXISTS evidence_article_fts ON evidence_article",
        "DROP FUNCTION IF EXISTS article_fts_sync()",
        "DROP TABLE IF EXISTS article_fts",
        "ALTER TABLE evidence_article ADD COLUMN search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
        "CREATE INDEX ix_evidence_article_search_vector ON evidence_article "
        "USING gin (search_vector)",
    )
