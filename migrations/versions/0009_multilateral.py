"""multilateral agreements: rules, depositary, consent types, memberships, participation

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 07:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The vocabularies as they are at this revision (a migration imports no application code).
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
_STEPS_BEFORE = (
    "submitted",
    "committee",
    "lower_house",
    "upper_house",
    "constitutional_review",
    "head_of_state",
    "promulgation",
    "notification",
)
_STEPS = (*_STEPS_BEFORE, "revocation")
_CONSENT_TYPES = (
    "ratification",
    "accession",
    "acceptance",
    "approval",
    "formal_confirmation",
    "succession",
    "definitive_signature",
)
_PARTICIPATION = (
    "not_signed",
    "signed",
    "in_progress",
    "consented",
    "bound",
    "withdrawn",
    "suspended",
)


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("instruments_required", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("days_after_instrument", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("days_after_own_instrument", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("withdrawal_period", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("withdrawal_unit", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("bilateral", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("depositary_code", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("signature_opens", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("signature_closes", sa.String(length=100), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_agreement_depositary_code_party"), "party", ["depositary_code"], ["code"]
        )
        batch_op.create_check_constraint(
            op.f("ck_agreement_one_entry_into_force_rule"),
            "entry_into_force_days IS NULL OR instruments_required IS NULL",
        )
        batch_op.create_check_constraint(
            op.f("ck_agreement_instruments"),
            "instruments_required IS NULL OR instruments_required >= 1",
        )
        batch_op.create_check_constraint(
            op.f("ck_agreement_days_after_instrument"),
            "days_after_instrument IS NULL OR days_after_instrument >= 0",
        )
        batch_op.create_check_constraint(
            op.f("ck_agreement_days_after_own_instrument"),
            "days_after_own_instrument IS NULL OR days_after_own_instrument >= 0",
        )
        batch_op.create_check_constraint(
            op.f("ck_agreement_withdrawal_rule"),
            "(withdrawal_period IS NULL AND withdrawal_unit IS NULL) OR "
            f"(withdrawal_period >= 0 AND {_in('withdrawal_unit', ('days', 'months', 'years'))})",
        )
    _agreement_search_triggers()
    # Bilateral was guessed from the party count; it is stored from now on, with that guess.
    op.execute(
        "UPDATE agreement SET bilateral = "
        "((SELECT count(*) FROM agreement_party WHERE agreement_party.agreement_id = agreement.id)"
        " = 2)"
    )

    with op.batch_alter_table("stage_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_type", sa.String(length=30), nullable=True))
        batch_op.drop_constraint(op.f("ck_stage_event_stage"), type_="check")
        batch_op.drop_constraint(op.f("ck_stage_event_step"), type_="check")
        batch_op.create_check_constraint(op.f("ck_stage_event_stage"), _in("stage", _STAGES))
        batch_op.create_check_constraint(
            op.f("ck_stage_event_step"), f"step IS NULL OR {_in('step', _STEPS)}"
        )
        batch_op.create_check_constraint(
            op.f("ck_stage_event_consent_type"),
            f"consent_type IS NULL OR (step = 'notification' AND "
            f"{_in('consent_type', _CONSENT_TYPES)})",
        )
    # Every instrument recorded so far was a ratification's.
    op.execute("UPDATE stage_event SET consent_type = 'ratification' WHERE step = 'notification'")

    op.create_table(
        "party_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_code", sa.String(length=16), nullable=False),
        sa.Column("member_code", sa.String(length=16), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "until IS NULL OR since IS NULL OR since <= until",
            name=op.f("ck_party_membership_span"),
        ),
        sa.ForeignKeyConstraint(
            ["member_code"], ["party.code"], name=op.f("fk_party_membership_member_code_party")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_code"],
            ["party.code"],
            name=op.f("fk_party_membership_organisation_code_party"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_membership")),
        sa.UniqueConstraint(
            "organisation_code",
            "member_code",
            "since",
            name="member_since",
        ),
    )
    op.create_index(
        op.f("ix_party_membership_member_code"), "party_membership", ["member_code"], unique=False
    )
    op.create_index(
        op.f("ix_party_membership_organisation_code"),
        "party_membership",
        ["organisation_code"],
        unique=False,
    )
    op.create_table(
        "agreement_participation",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("party_code", sa.String(length=16), nullable=False),
        sa.Column("participation", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            _in("participation", _PARTICIPATION),
            name=op.f("ck_agreement_participation_participation"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_participation_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["party_code"], ["party.code"], name=op.f("fk_agreement_participation_party_code_party")
        ),
        sa.PrimaryKeyConstraint(
            "agreement_id", "party_code", name=op.f("pk_agreement_participation")
        ),
    )
    # The derivation learned participation and the rule of instruments: the cache is built
    # again (`tracker db upgrade` does it after reaching head; a read does it when missing).
    op.execute("DELETE FROM agreement_state")


def downgrade() -> None:
    op.drop_table("agreement_participation")
    op.drop_index(op.f("ix_party_membership_organisation_code"), table_name="party_membership")
    op.drop_index(op.f("ix_party_membership_member_code"), table_name="party_membership")
    op.drop_table("party_membership")
    # claims of what did not exist before cannot be kept under the old constraints
    op.execute(
        "DELETE FROM evidence_link WHERE event_id IN (SELECT id FROM stage_event WHERE "
        "stage IN ('adoption', 'resumption') OR step = 'revocation')"
    )
    op.execute(
        "DELETE FROM stage_event WHERE stage IN ('adoption', 'resumption') OR step = 'revocation'"
    )
    with op.batch_alter_table("stage_event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_stage_event_consent_type"), type_="check")
        batch_op.drop_constraint(op.f("ck_stage_event_stage"), type_="check")
        batch_op.drop_constraint(op.f("ck_stage_event_step"), type_="check")
        batch_op.create_check_constraint(op.f("ck_stage_event_stage"), _in("stage", _STAGES_BEFORE))
        batch_op.create_check_constraint(
            op.f("ck_stage_event_step"), f"step IS NULL OR {_in('step', _STEPS_BEFORE)}"
        )
        batch_op.drop_column("consent_type")
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_agreement_withdrawal_rule"), type_="check")
        batch_op.drop_constraint(op.f("ck_agreement_days_after_own_instrument"), type_="check")
        batch_op.drop_constraint(op.f("ck_agreement_days_after_instrument"), type_="check")
        batch_op.drop_constraint(op.f("ck_agreement_instruments"), type_="check")
        batch_op.drop_constraint(op.f("ck_agreement_one_entry_into_force_rule"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_agreement_depositary_code_party"), type_="foreignkey"
        )
        batch_op.drop_column("signature_closes")
        batch_op.drop_column("signature_opens")
        batch_op.drop_column("depositary_code")
        batch_op.drop_column("bilateral")
        batch_op.drop_column("withdrawal_unit")
        batch_op.drop_column("withdrawal_period")
        batch_op.drop_column("days_after_own_instrument")
        batch_op.drop_column("days_after_instrument")
        batch_op.drop_column("instruments_required")
    _agreement_search_triggers()
    op.execute("DELETE FROM agreement_state")


def _agreement_search_triggers() -> None:
    """SQLite drops a table's triggers when a batch copies it: those keeping the agreements'
    full-text index (made by 0003, as they were there) come back."""
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    table, fts = "agreement", "agreement_fts"
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
