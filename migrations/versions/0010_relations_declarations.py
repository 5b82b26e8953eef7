"""relations between agreements, and parties' declarations and reservations

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The vocabularies as they are at this revision (a migration imports no application code).
_RELATION_TYPES = ("supersedes", "amends", "protocol_to", "implements", "extends", "suspends")
_DECLARATION_KINDS = ("reservation", "declaration", "understanding", "objection")
_MADE_AT = ("signature", "consent")
_TARGETS_BEFORE = ("event_id", "statement_id", "agreement_id")
_TARGETS = (*_TARGETS_BEFORE, "relation_id", "declaration_id")


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _one_of(columns: Sequence[str]) -> str:
    return " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in columns) + " = 1"


def _dated() -> list[sa.Column]:
    return [
        sa.Column("date", sa.String(length=100), nullable=True),
        sa.Column("date_earliest", sa.Date(), nullable=True),
        sa.Column("date_latest", sa.Date(), nullable=True),
    ]


def _kept(table: str) -> list[sa.Column | sa.Constraint]:
    """What every claim table has: note, author, version, timestamps, soft delete."""
    return [
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "date_earliest IS NULL OR date_latest IS NULL OR date_earliest <= date_latest",
            name=op.f(f"ck_{table}_date_order"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f(f"fk_{table}_recorded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


# Declarations' words are searched like agreements' and articles' (0003's DDL, frozen here):
# SQLite an external-content FTS5 table kept by triggers, PostgreSQL a generated tsvector.
_FTS = "declaration_fts"


def _search_create(connection: sa.engine.Connection) -> None:
    if connection.dialect.name == "sqlite":
        add = f"INSERT INTO {_FTS}(rowid, search_text) VALUES (new.id, new.search_text);"
        remove = (
            f"INSERT INTO {_FTS}({_FTS}, rowid, search_text) "
            "VALUES ('delete', old.id, old.search_text);"
        )
        statements = [
            f"CREATE VIRTUAL TABLE {_FTS} USING fts5(search_text, content='declaration', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
            f"CREATE TRIGGER declaration_fts_insert AFTER INSERT ON declaration BEGIN {add} END",
            f"CREATE TRIGGER declaration_fts_delete AFTER DELETE ON declaration BEGIN {remove} END",
            "CREATE TRIGGER declaration_fts_update AFTER UPDATE OF search_text ON declaration "
            f"BEGIN {remove} {add} END",
        ]
    else:
        statements = [
            "ALTER TABLE declaration ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
            "CREATE INDEX ix_declaration_search_vector ON declaration USING gin (search_vector)",
        ]
    for statement in statements:
        connection.exec_driver_sql(statement)


def _search_drop(connection: sa.engine.Connection) -> None:
    if connection.dialect.name == "sqlite":
        for suffix in ("insert", "delete", "update"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS declaration_fts_{suffix}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {_FTS}")
    else:
        connection.exec_driver_sql("DROP INDEX IF EXISTS ix_declaration_search_vector")
        connection.exec_driver_sql("ALTER TABLE declaration DROP COLUMN IF EXISTS search_vector")


def upgrade() -> None:
    op.create_table(
        "agreement_relation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        *_dated(),
        *_kept("agreement_relation"),
        sa.CheckConstraint(_in("type", _RELATION_TYPES), name=op.f("ck_agreement_relation_type")),
        sa.CheckConstraint(
            "subject_id <> target_id", name=op.f("ck_agreement_relation_not_itself")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_relation_subject_id_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["agreement.id"], name=op.f("fk_agreement_relation_target_id_agreement")
        ),
    )
    op.create_index(op.f("ix_agreement_relation_subject_id"), "agreement_relation", ["subject_id"])
    op.create_index(op.f("ix_agreement_relation_target_id"), "agreement_relation", ["target_id"])

    op.create_table(
        "declaration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("party_code", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("made_at", sa.String(length=20), nullable=True),
        *_dated(),
        sa.Column("objects_to_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_on", sa.String(length=100), nullable=True),
        sa.Column("withdrawn_earliest", sa.Date(), nullable=True),
        *_kept("declaration"),
        sa.CheckConstraint(_in("kind", _DECLARATION_KINDS), name=op.f("ck_declaration_kind")),
        sa.CheckConstraint(
            f"made_at IS NULL OR {_in('made_at', _MADE_AT)}", name=op.f("ck_declaration_made_at")
        ),
        sa.CheckConstraint(
            "objects_to_id IS NULL OR kind = 'objection'", name=op.f("ck_declaration_objects_to")
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_declaration_agreement_id_agreement")
        ),
        sa.ForeignKeyConstraint(
            ["party_code"], ["party.code"], name=op.f("fk_declaration_party_code_party")
        ),
        sa.ForeignKeyConstraint(
            ["objects_to_id"],
            ["declaration.id"],
            name=op.f("fk_declaration_objects_to_id_declaration"),
        ),
    )
    op.create_index(op.f("ix_declaration_agreement_id"), "declaration", ["agreement_id"])
    op.create_index(op.f("ix_declaration_party_code"), "declaration", ["party_code"])
    op.create_index(op.f("ix_declaration_objects_to_id"), "declaration", ["objects_to_id"])

    _search_create(op.get_bind())

    with op.batch_alter_table("evidence_link", schema=None) as batch_op:
        batch_op.add_column(sa.Column("relation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("declaration_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_link_relation_id_agreement_relation"),
            "agreement_relation",
            ["relation_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_link_declaration_id_declaration"),
            "declaration",
            ["declaration_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(batch_op.f("ix_evidence_link_relation_id"), ["relation_id"])
        batch_op.create_index(batch_op.f("ix_evidence_link_declaration_id"), ["declaration_id"])
        batch_op.drop_constraint(op.f("ck_evidence_link_one_target"), type_="check")
        batch_op.create_check_constraint(op.f("ck_evidence_link_one_target"), _one_of(_TARGETS))


def downgrade() -> None:
    # quotes backing what did not exist before go with it
    op.execute(
        "DELETE FROM evidence_link WHERE relation_id IS NOT NULL OR declaration_id IS NOT NULL"
    )
    with op.batch_alter_table("evidence_link", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_evidence_link_one_target"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_evidence_link_one_target"), _one_of(_TARGETS_BEFORE)
        )
        batch_op.drop_index(batch_op.f("ix_evidence_link_declaration_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_link_relation_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_evidence_link_declaration_id_declaration"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_evidence_link_relation_id_agreement_relation"), type_="foreignkey"
        )
        batch_op.drop_column("declaration_id")
        batch_op.drop_column("relation_id")
    _search_drop(op.get_bind())
    op.drop_index(op.f("ix_declaration_objects_to_id"), table_name="declaration")
    op.drop_index(op.f("ix_declaration_party_code"), table_name="declaration")
    op.drop_index(op.f("ix_declaration_agreement_id"), table_name="declaration")
    op.drop_table("declaration")
    op.drop_index(op.f("ix_agreement_relation_target_id"), table_name="agreement_relation")
    op.drop_index(op.f("ix_agreement_relation_subject_id"), table_name="agreement_relation")
    op.drop_table("agreement_relation")
