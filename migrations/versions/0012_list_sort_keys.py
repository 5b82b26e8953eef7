"""sort keys of the agreements list, indexed

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 17:50:00.000000

Three columns of the lifecycle cache that lists sort by (the current stage's place in the
lifecycle, the first day of signing, of entry into force or else its expected day), filled
here from the claims and the cache, and an index per sort key with the agreement's id after
it, so that a sorted page is read in index order and stops at the page. The two single
indexes on last_activity and next_expected_date give way to those. And an index of each
party's participation, for the list's `party` + `participation` filter.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As of this revision (tracker.models.vocab.LIFECYCLE and HAPPENED): written out, so that
# the migration means the same whatever the code becomes.
LIFECYCLE = [
    "preparation",
    "announcement",
    "adoption",
    "signing",
    "ratification",
    "entry_into_force",
]
SORT_COLUMNS = ["last_activity", "next_expected_date", "stage_rank", "signed_on", "in_force_on"]


def _first_day(stage: str) -> str:
    return (
        "(SELECT min(e.date_earliest) FROM stage_event e"
        " WHERE e.agreement_id = agreement_state.agreement_id"
        f" AND e.stage = '{stage}' AND e.status IN ('reported', 'confirmed')"
        " AND e.deleted_at IS NULL)"
    )


def upgrade() -> None:
    # ALTER TABLE, not a batch copy: nothing here needs the table rebuilt.
    op.add_column("agreement_state", sa.Column("stage_rank", sa.SmallInteger(), nullable=True))
    op.add_column("agreement_state", sa.Column("signed_on", sa.Date(), nullable=True))
    op.add_column("agreement_state", sa.Column("in_force_on", sa.Date(), nullable=True))
    ranks = " ".join(f"WHEN '{stage}' THEN {rank}" for rank, stage in enumerate(LIFECYCLE))
    if op.get_bind().dialect.name == "postgresql":
        expected_stage = "derived -> 'next_expected' ->> 'stage'"
    else:
        expected_stage = "json_extract(derived, '$.next_expected.stage')"
    op.execute(
        f"UPDATE agreement_state SET stage_rank = CASE current_stage {ranks} END,"
        f" signed_on = {_first_day('signing')},"
        f" in_force_on = coalesce({_first_day('entry_into_force')},"
        f" CASE WHEN {expected_stage} = 'entry_into_force' THEN next_expected_date END)"
    )
    op.drop_index("ix_agreement_state_last_activity", table_name="agreement_state")
    op.drop_index("ix_agreement_state_next_expected_date", table_name="agreement_state")
    for column in SORT_COLUMNS:
        op.create_index(
            f"ix_agreement_state_sort_{column}", "agreement_state", [column, "agreement_id"]
        )
    op.create_index(
        "ix_agreement_participation_party",
        "agreement_participation",
        ["party_code", "participation", "agreement_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_agreement_participation_party", table_name="agreement_participation")
    for column in SORT_COLUMNS:
        op.drop_index(f"ix_agreement_state_sort_{column}", table_name="agreement_state")
    op.create_index("ix_agreement_state_last_activity", "agreement_state", ["last_activity"])
    op.create_index(
        "ix_agreement_state_next_expected_date", "agreement_state", ["next_expected_date"]
    )
    # SQLite drops a column in place since 3.35 (these are in no constraint any more).
    op.drop_column("agreement_state", "in_force_on")
    op.drop_column("agreement_state", "signed_on")
    op.drop_column("agreement_state", "stage_rank")
