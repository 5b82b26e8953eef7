"""indexes that count a filtered agreements list from the index alone

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 08:00:00.000000

A list's total is counted exactly up to 10,000 matches (tracker.services.agreements.listing).
Counted through the filters' single-column indexes, every match cost a visit to its row;
with the agreement's id (or the day of last activity) in the index, the count reads the
index alone: a party's or a topic's agreements, the lifecycle cache by status and day of last
activity, and the live agreements by kind. The single-column indexes these extend go.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_agreement_party_party_agreement", "agreement_party", ["party_code", "agreement_id"]
    )
    op.drop_index("ix_agreement_party_party_code", table_name="agreement_party")
    op.create_index(
        "ix_agreement_topic_topic_agreement", "agreement_topic", ["topic", "agreement_id"]
    )
    op.drop_index("ix_agreement_topic_topic", table_name="agreement_topic")
    op.create_index(
        "ix_agreement_state_status", "agreement_state", ["base_status", "last_activity"]
    )
    op.drop_index("ix_agreement_state_base_status", table_name="agreement_state")
    live = sa.text("deleted_at IS NULL")
    op.create_index(
        "ix_agreement_live_kind",
        "agreement",
        ["kind", "id"],
        postgresql_where=live,
        sqlite_where=live,
    )


def downgrade() -> None:
    op.drop_index("ix_agreement_live_kind", table_name="agreement")
    op.create_index("ix_agreement_state_base_status", "agreement_state", ["base_status"])
    op.drop_index("ix_agreement_state_status", table_name="agreement_state")
    op.create_index("ix_agreement_topic_topic", "agreement_topic", ["topic"])
    op.drop_index("ix_agreement_topic_topic_agreement", table_name="agreement_topic")
    op.create_index("ix_agreement_party_party_code", "agreement_party", ["party_code"])
    op.drop_index("ix_agreement_party_party_agreement", table_name="agreement_party")
