"""news feeds and the evidence inbox

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 14:18:27.814100

News feeds (their conditional-GET validators, back-off and lease), the entries already taken
from each, the inbox items stories wait in, and two article columns: the outlet a story cites
when no article of it is on record, and whether a dismissed or off-topic story is hidden.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "news_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("url_canonical", sa.String(length=2000), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("poll_every_minutes", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(length=500), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=2000), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("paused_reason", sa.String(length=500), nullable=True),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("consecutive_failures >= 0", name=op.f("ck_news_feed_failures")),
        sa.CheckConstraint(
            "poll_every_minutes BETWEEN 5 AND 10080", name=op.f("ck_news_feed_poll_every")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_news_feed_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_feed")),
        sa.UniqueConstraint("url_canonical", name=op.f("uq_news_feed_url_canonical")),
    )
    with op.batch_alter_table("news_feed", schema=None) as batch_op:
        batch_op.create_index("ix_news_feed_due", ["active", "next_poll_at"], unique=False)

    op.create_table(
        "inbox_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("snippet", sa.Text(), nullable=False),
        sa.Column(
            "suggestions", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "extracted", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("top_agreement_id", sa.Integer(), nullable=True),
        sa.Column("top_score", sa.Float(), nullable=True),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('new', 'accepted', 'dismissed', 'not_about_agreements')",
            name=op.f("ck_inbox_item_state"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_inbox_item_agreement_id_agreement"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["evidence_article.id"],
            name=op.f("fk_inbox_item_article_id_evidence_article"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_inbox_item_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["news_feed.id"],
            name=op.f("fk_inbox_item_feed_id_news_feed"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["top_agreement_id"],
            ["agreement.id"],
            name=op.f("fk_inbox_item_top_agreement_id_agreement"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_item")),
        sa.UniqueConstraint("article_id", name=op.f("uq_inbox_item_article_id")),
    )
    with op.batch_alter_table("inbox_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbox_item_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inbox_item_feed_id"), ["feed_id"], unique=False)
        batch_op.create_index(
            "ix_inbox_item_state_created", ["state", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inbox_item_top_agreement_id"), ["top_agreement_id"], unique=False
        )

    op.create_table(
        "news_feed_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["evidence_article.id"],
            name=op.f("fk_news_feed_entry_article_id_evidence_article"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["news_feed.id"],
            name=op.f("fk_news_feed_entry_feed_id_news_feed"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_feed_entry")),
    )
    with op.batch_alter_table("news_feed_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_news_feed_entry_article_id"), ["article_id"], unique=False
        )
        batch_op.create_index("ux_news_feed_entry_key", ["feed_id", "key"], unique=True)

    with op.batch_alter_table("evidence_article", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cites_outlet", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("hidden", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    _article_search_triggers()


def downgrade() -> None:
    with op.batch_alter_table("evidence_article", schema=None) as batch_op:
        batch_op.drop_column("hidden")
        batch_op.drop_column("cites_outlet")
    _article_search_triggers()

    with op.batch_alter_table("news_feed_entry", schema=None) as batch_op:
        batch_op.drop_index("ux_news_feed_entry_key")
        batch_op.drop_index(batch_op.f("ix_news_feed_entry_article_id"))

    op.drop_table("news_feed_entry")
    with op.batch_alter_table("inbox_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_item_top_agreement_id"))
        batch_op.drop_index("ix_inbox_item_state_created")
        batch_op.drop_index(batch_op.f("ix_inbox_item_feed_id"))
        batch_op.drop_index(batch_op.f("ix_inbox_item_agreement_id"))

    op.drop_table("inbox_item")
    with op.batch_alter_table("news_feed", schema=None) as batch_op:
        batch_op.drop_index("ix_news_feed_due")

    op.drop_table("news_feed")


def _article_search_triggers() -> None:
    """SQLite drops a table's triggers when a batch copies it: those keeping the articles'
    full-text index (made by 0003, as they were there) come back."""
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    table, fts = "evidence_article", "article_fts"
    add = f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text);"
    remove = (
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
    )
    for statement in (
        f"DROP TRIGGER IF EXISTS {table}_fts_insert",
        f"DROP TRIGGER IF EXISTS {table}_fts_delete",
        f"DROP TRIGGER IF EXISTS {table}_fts_update",
        f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF search_text ON {table} "
        f"BEGIN {remove} {add} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ):
        connection.exec_driver_sql(statement)
