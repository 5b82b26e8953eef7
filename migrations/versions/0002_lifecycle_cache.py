"""lifecycle cache, search text, indexes for lists

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 04:18:04.200618
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agreement_state",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("current_stage", sa.String(length=20), nullable=True),
        sa.Column("base_status", sa.String(length=20), nullable=False),
        sa.Column("last_activity", sa.Date(), nullable=True),
        sa.Column("next_expected_date", sa.Date(), nullable=True),
        sa.Column("has_conflicts", sa.Boolean(), nullable=False),
        sa.Column(
            "derived", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_state_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agreement_id", name=op.f("pk_agreement_state")),
    )
    with op.batch_alter_table("agreement_state", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_state_base_status"), ["base_status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agreement_state_current_stage"), ["current_stage"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agreement_state_last_activity"), ["last_activity"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agreement_state_next_expected_date"),
            ["next_expected_date"],
            unique=False,
        )

    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        batch_op.create_index(
            "ix_agreement_live_created_at",
            ["created_at", "id"],
            unique=False,
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_agreement_live_title",
            ["title", "id"],
            unique=False,
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_agreement_live_updated_at",
            ["updated_at", "id"],
            unique=False,
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        )

    with op.batch_alter_table("evidence_article", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_article_published_earliest"))
        batch_op.create_index(
            "ix_evidence_article_live_published_earliest",
            ["published_earliest", "id"],
            unique=False,
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_evidence_article_live_updated_at",
            ["updated_at", "id"],
            unique=False,
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        )

    # Fill the search text of agreements that exist already.
    agreement = sa.table(
        "agreement",
        sa.column("id", sa.Integer),
        sa.column("title", sa.Text),
        sa.column("titles", sa.JSON),
        sa.column("summary", sa.Text),
        sa.column("search_text", sa.Text),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(agreement.c.id, agreement.c.title, agreement.c.titles, agreement.c.summary)
    )
    for row_id, title, titles, summary in rows.all():
        text = normalise("\n".join([title or "", *(titles or {}).values(), summary or ""]))
        bind.execute(agreement.update().where(agreement.c.id == row_id).values(search_text=text))


def downgrade() -> None:
    with op.batch_alter_table("evidence_article", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_evidence_article_live_updated_at",
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(
            "ix_evidence_article_live_published_earliest",
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            batch_op.f("ix_evidence_article_published_earliest"),
            ["published_earliest"],
            unique=False,
        )

    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_agreement_live_updated_at",
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(
            "ix_agreement_live_title",
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(
            "ix_agreement_live_created_at",
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_column("search_text")

    with op.batch_alter_table("agreement_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_state_next_expected_date"))
        batch_op.drop_index(batch_op.f("ix_agreement_state_last_activity"))
        batch_op.drop_index(batch_op.f("ix_agreement_state_current_stage"))
        batch_op.drop_index(batch_op.f("ix_agreement_state_base_status"))

    op.drop_table("agreement_state")


# --- Frozen at this revision: the text normaliser as it was when it was written ----------
# A migration imports no application code (which may change or go after it was written); it
# folds text as the application did when it was written.

_LETTERS = {
    "\u064a": "\u06cc",
    "\u0649": "\u06cc",
    "\u0643": "\u06a9",
    "\u0623": "\u0627",
    "\u0625": "\u0627",
    "\u0622": "\u0627",
    "\u0671": "\u0627",
    "\u0624": "\u0648",
    "\u0626": "\u06cc",
    "\u0629": "\u0647",
    "\u06c0": "\u0647",
    "\u06d5": "\u0647",
    "\u0640": "",
    "\u0451": "\u0435",
    "\u060c": ",",
    "\u061b": ";",
    "\u061f": "?",
}
_INVISIBLE = set("\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e")
_INVISIBLE |= set("\u2066\u2067\u2068\u2069\ufeff")
_DIGITS = {chr(0x06F0 + i): str(i) for i in range(10)} | {
    chr(0x0660 + i): str(i) for i in range(10)
}
_SPACES = re.compile(" {2,}")


def _is_arabic_mark(ch: str) -> bool:
    code = ord(ch)
    return (
        0x064B <= code <= 0x065F
        or code == 0x0670
        or 0x0610 <= code <= 0x061A
        or 0x06D6 <= code <= 0x06ED
    )


def _fold(ch: str) -> str:
    if ch in _INVISIBLE or _is_arabic_mark(ch):
        return ""
    if ch in _DIGITS:
        return _DIGITS[ch]
    if ch in _LETTERS:
        return _LETTERS[ch]
    if ch.isspace():
        return " "
    out = []
    for c in unicodedata.normalize("NFKC", ch).casefold():
        if c in _INVISIBLE or _is_arabic_mark(c):
            continue
        c = _DIGITS.get(c, c)
        out.append(_LETTERS.get(c, c))
    return "".join(out)


def normalise(text: str) -> str:
    """Persian/Arabic letters, digits, marks and case folded; runs of spaces made one."""
    return _SPACES.sub(" ", "".join(_fold(ch) for ch in text)).strip(" ")
