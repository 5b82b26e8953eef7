"""reminders may name every stage a claim may have

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 17:30:00.000000

Revision 0009 added the stages `adoption` and `resumption` to the claims' check but not to
the reminders': a passed expected adoption (or resumption) made the reminder rules fail on
the reminder they wanted to create, and the whole run with it. The reminders' check now
names the same stages as the claims'. Downgrading removes the reminders of those stages,
which the older check cannot hold.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The vocabulary as it is at this revision (a migration imports no application code).
_STAGES_BEFORE = (
    "preparation",
    "announcement",
    "signing",
    "ratification",
    "entry_into_force",
    "suspension",
    "withdrawal",
    "termination",
)
_STAGES = (*_STAGES_BEFORE[:2], "adoption", *_STAGES_BEFORE[2:], "resumption")


def _check(stages: Sequence[str]) -> str:
    return f"stage IS NULL OR stage IN ({', '.join(repr(s) for s in stages)})"


def upgrade() -> None:
    with op.batch_alter_table("reminder") as batch_op:
        batch_op.drop_constraint(op.f("ck_reminder_stage"), type_="check")
        batch_op.create_check_constraint(op.f("ck_reminder_stage"), _check(_STAGES))


def downgrade() -> None:
    op.execute("DELETE FROM reminder WHERE stage IN ('adoption', 'resumption')")
    with op.batch_alter_table("reminder") as batch_op:
        batch_op.drop_constraint(op.f("ck_reminder_stage"), type_="check")
        batch_op.create_check_constraint(op.f("ck_reminder_stage"), _check(_STAGES_BEFORE))
