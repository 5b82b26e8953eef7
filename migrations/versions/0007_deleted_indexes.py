"""partial indexes of deleted rows

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 05:22:24.549655
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.create_index(
            "ix_agreement_deleted",
            ["id"],
            unique=False,
            postgresql_where=sa.text("deleted_at IS NOT NULL"),
            sqlite_where=sa.text("deleted_at IS NOT NULL"),
        )

    with op.batch_alter_table("evidence_article", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evidence_article_deleted",
            ["id"],
            unique=False,
            postgresql_where=sa.text("deleted_at IS NOT NULL"),
            sqlite_where=sa.text("deleted_at IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence_article", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_evidence_article_deleted",
            postgresql_where=sa.text("deleted_at IS NOT NULL"),
            sqlite_where=sa.text("deleted_at IS NOT NULL"),
        )

    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_agreement_deleted",
            postgresql_where=sa.text("deleted_at IS NOT NULL"),
            sqlite_where=sa.text("deleted_at IS NOT NULL"),
        )
