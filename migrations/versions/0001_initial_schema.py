"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 03:49:10.615160
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column(
            "titles", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("entry_into_force_days", sa.Integer(), nullable=True),
        sa.Column("duration_years", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('treaty', 'agreement', 'memorandum', 'declaration', 'protocol', 'roadmap')",
            name=op.f("ck_agreement_kind"),
        ),
        sa.CheckConstraint(
            "entry_into_force_days IS NULL OR entry_into_force_days >= 0",
            name=op.f("ck_agreement_entry_into_force_days"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement")),
        sa.UniqueConstraint("ref", name=op.f("uq_agreement_ref")),
    )
    op.create_table(
        "evidence_article",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("outlet", sa.String(length=200), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("published", sa.String(length=100), nullable=True),
        sa.Column("published_earliest", sa.Date(), nullable=True),
        sa.Column("published_latest", sa.Date(), nullable=True),
        sa.Column("retrieved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("cites_id", sa.Integer(), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cites_id"],
            ["evidence_article.id"],
            name=op.f("fk_evidence_article_cites_id_evidence_article"),
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["evidence_article.id"],
            name=op.f("fk_evidence_article_duplicate_of_id_evidence_article"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_article")),
    )
    with op.batch_alter_table("evidence_article", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_article_cites_id"), ["cites_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evidence_article_content_hash"), ["content_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evidence_article_duplicate_of_id"), ["duplicate_of_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evidence_article_published_earliest"),
            ["published_earliest"],
            unique=False,
        )

    op.create_table(
        "party",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(
            "names", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.CheckConstraint("kind IN ('state', 'organisation')", name=op.f("ck_party_kind")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_party")),
    )
    op.create_table(
        "principle",
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column(
            "labels", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_principle")),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("show_jalali", sa.Boolean(), nullable=False),
        sa.Column("digest_mode", sa.String(length=10), nullable=False),
        sa.Column(
            "digest_watchlist",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("digest_send_empty", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "digest_mode IN ('everything', 'watchlist', 'none')",
            name=op.f("ck_user_account_digest_mode"),
        ),
        sa.CheckConstraint(
            "role IN ('viewer', 'editor', 'admin')", name=op.f("ck_user_account_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    op.create_table(
        "agreement_party",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("party_code", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_party_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["party_code"], ["party.code"], name=op.f("fk_agreement_party_party_code_party")
        ),
        sa.PrimaryKeyConstraint("agreement_id", "party_code", name=op.f("pk_agreement_party")),
    )
    with op.batch_alter_table("agreement_party", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_party_party_code"), ["party_code"], unique=False
        )

    op.create_table(
        "agreement_topic",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_topic_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agreement_id", "topic", name=op.f("pk_agreement_topic")),
    )
    with op.batch_alter_table("agreement_topic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_topic_topic"), ["topic"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_api_token_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.String(length=50), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column(
            "before", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("after", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_audit_entry_agreement_id_agreement")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_audit_entry_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_entry_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index("ix_audit_entry_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "sections", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_digest_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest")),
        sa.UniqueConstraint("user_id", "week", name="user_week"),
    )
    op.create_table(
        "party_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_code", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.Column("normalised", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_code"], ["party.code"], name=op.f("fk_party_alias_party_code_party")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_alias")),
        sa.UniqueConstraint("language", "normalised", name="language_normalised"),
    )
    with op.batch_alter_table("party_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_party_alias_party_code"), ["party_code"], unique=False)

    op.create_table(
        "principle_statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("principle_code", sa.String(length=50), nullable=False),
        sa.Column("party_code", sa.String(length=16), nullable=True),
        sa.Column("clause", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_principle_statement_agreement_id_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["party_code"], ["party.code"], name=op.f("fk_principle_statement_party_code_party")
        ),
        sa.ForeignKeyConstraint(
            ["principle_code"],
            ["principle.code"],
            name=op.f("fk_principle_statement_principle_code_principle"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_principle_statement_recorded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_principle_statement")),
    )
    with op.batch_alter_table("principle_statement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_principle_statement_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_principle_statement_principle_code"), ["principle_code"], unique=False
        )

    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=True),
        sa.Column("party_code", sa.String(length=16), nullable=True),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("rule", sa.String(length=50), nullable=True),
        sa.Column("rule_key", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("snoozed_until", sa.Date(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "stage IS NULL OR stage IN ('preparation', 'announcement', 'signing', 'ratification', 'entry_into_force', 'suspension', 'withdrawal', 'termination')",
            name=op.f("ck_reminder_stage"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'done', 'snoozed', 'dismissed')", name=op.f("ck_reminder_status")
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_reminder_agreement_id_agreement")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user_account.id"], name=op.f("fk_reminder_assignee_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_reminder_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["party_code"], ["party.code"], name=op.f("fk_reminder_party_code_party")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder")),
        sa.UniqueConstraint("rule_key", name=op.f("uq_reminder_rule_key")),
    )
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reminder_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reminder_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminder_due"), ["due"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminder_status"), ["status"], unique=False)

    op.create_table(
        "stage_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("step", sa.String(length=30), nullable=True),
        sa.Column("party_code", sa.String(length=16), nullable=True),
        sa.Column("body", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("date", sa.String(length=100), nullable=True),
        sa.Column("date_earliest", sa.Date(), nullable=True),
        sa.Column("date_latest", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "stage IN ('preparation', 'announcement', 'signing', 'ratification', 'entry_into_force', 'suspension', 'withdrawal', 'termination')",
            name=op.f("ck_stage_event_stage"),
        ),
        sa.CheckConstraint(
            "status IN ('expected', 'reported', 'confirmed', 'disputed', 'retracted')",
            name=op.f("ck_stage_event_status"),
        ),
        sa.CheckConstraint(
            "step IS NULL OR step IN ('submitted', 'committee', 'lower_house', 'upper_house', 'constitutional_review', 'head_of_state', 'promulgation', 'notification')",
            name=op.f("ck_stage_event_step"),
        ),
        sa.CheckConstraint(
            "date_earliest IS NULL OR date_latest IS NULL OR date_earliest <= date_latest",
            name=op.f("ck_stage_event_date_order"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_stage_event_agreement_id_agreement")
        ),
        sa.ForeignKeyConstraint(
            ["party_code"], ["party.code"], name=op.f("fk_stage_event_party_code_party")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_stage_event_recorded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_event")),
    )
    with op.batch_alter_table("stage_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stage_event_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stage_event_date_earliest"), ["date_earliest"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stage_event_date_latest"), ["date_latest"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_stage_event_party_code"), ["party_code"], unique=False)

    op.create_table(
        "evidence_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("statement_id", sa.Integer(), nullable=True),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("quote_start", sa.Integer(), nullable=False),
        sa.Column("quote_end", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN event_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN statement_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN agreement_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_evidence_link_one_target"),
        ),
        sa.CheckConstraint(
            "quote_start >= 0 AND quote_end >= quote_start", name=op.f("ck_evidence_link_offsets")
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_evidence_link_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["evidence_article.id"],
            name=op.f("fk_evidence_link_article_id_evidence_article"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_evidence_link_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["stage_event.id"],
            name=op.f("fk_evidence_link_event_id_stage_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["principle_statement.id"],
            name=op.f("fk_evidence_link_statement_id_principle_statement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_link")),
    )
    with op.batch_alter_table("evidence_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_link_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evidence_link_article_id"), ["article_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_evidence_link_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_evidence_link_statement_id"), ["statement_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_link_statement_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_link_event_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_link_article_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_link_agreement_id"))

    op.drop_table("evidence_link")
    with op.batch_alter_table("stage_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stage_event_party_code"))
        batch_op.drop_index(batch_op.f("ix_stage_event_date_latest"))
        batch_op.drop_index(batch_op.f("ix_stage_event_date_earliest"))
        batch_op.drop_index(batch_op.f("ix_stage_event_agreement_id"))

    op.drop_table("stage_event")
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_status"))
        batch_op.drop_index(batch_op.f("ix_reminder_due"))
        batch_op.drop_index(batch_op.f("ix_reminder_assignee_id"))
        batch_op.drop_index(batch_op.f("ix_reminder_agreement_id"))

    op.drop_table("reminder")
    with op.batch_alter_table("principle_statement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_principle_statement_principle_code"))
        batch_op.drop_index(batch_op.f("ix_principle_statement_agreement_id"))

    op.drop_table("principle_statement")
    with op.batch_alter_table("party_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_party_alias_party_code"))

    op.drop_table("party_alias")
    op.drop_table("digest")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_entity")
        batch_op.drop_index(batch_op.f("ix_audit_entry_agreement_id"))

    op.drop_table("audit_entry")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("agreement_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_topic_topic"))

    op.drop_table("agreement_topic")
    with op.batch_alter_table("agreement_party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_party_party_code"))

    op.drop_table("agreement_party")
    op.drop_table("user_account")
    op.drop_table("principle")
    op.drop_table("party")
    with op.batch_alter_table("evidence_article", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_article_published_earliest"))
        batch_op.drop_index(batch_op.f("ix_evidence_article_duplicate_of_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_article_content_hash"))
        batch_op.drop_index(batch_op.f("ix_evidence_article_cites_id"))

    op.drop_table("evidence_article")
    op.drop_table("agreement")
