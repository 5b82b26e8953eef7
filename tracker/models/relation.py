"""How agreements relate to one another, and what a party declares of its consent (SPEC §2b)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base
from tracker.models.mixins import SoftDelete, Timestamps
from tracker.models.vocab import MAX_LANGUAGE_CODE, DeclarationKind, MadeAt, RelationType, sql_in

if TYPE_CHECKING:
    from tracker.models.agreement import Agreement
    from tracker.models.evidence import EvidenceLink
    from tracker.models.party import Party
    from tracker.models.user import User


class RelationLimits:
    """The longest text a relation or a declaration takes."""

    DATE = 100
    NOTE = 20_000
    TEXT = 100_000
    QUOTES = 50


class AgreementRelation(Timestamps, SoftDelete, Base):
    """One agreement's relation to another, stored on the subject: "A supersedes B" is a row
    with subject A and target B. It never changes either agreement's status."""

    __tablename__ = "agreement_relation"
    __table_args__ = (
        CheckConstraint(sql_in("type", RelationType), name="type"),
        CheckConstraint("subject_id <> target_id", name="not_itself"),
        CheckConstraint(
            "date_earliest IS NULL OR date_latest IS NULL OR date_earliest <= date_latest",
            name="date_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    # EDTF as given (Gregorian), with its first and last possible day.
    date: Mapped[str | None] = mapped_column(String(RelationLimits.DATE))
    date_earliest: Mapped[date | None] = mapped_column(Date)
    date_latest: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    subject: Mapped[Agreement] = relationship(foreign_keys=[subject_id])
    target: Mapped[Agreement] = relationship(foreign_keys=[target_id])
    recorded_by: Mapped[User | None] = relationship()
    evidence: Mapped[list[EvidenceLink]] = relationship(
        back_populates="relation", order_by="EvidenceLink.id"
    )

    __mapper_args__ = {"version_id_col": version}


class Declaration(Timestamps, SoftDelete, Base):
    """A reservation, declaration, understanding or objection one party makes to an agreement.
    An objection answers another declaration (`objects_to`)."""

    __tablename__ = "declaration"
    __table_args__ = (
        CheckConstraint(sql_in("kind", DeclarationKind), name="kind"),
        CheckConstraint(f"made_at IS NULL OR {sql_in('made_at', MadeAt)}", name="made_at"),
        CheckConstraint(
            f"objects_to_id IS NULL OR kind = '{DeclarationKind.OBJECTION.value}'",
            name="objects_to",
        ),
        CheckConstraint(
            "date_earliest IS NULL OR date_latest IS NULL OR date_earliest <= date_latest",
            name="date_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    party_code: Mapped[str] = mapped_column(ForeignKey("party.code"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # As the party worded it, in any language; shown with dir="auto".
    text: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(MAX_LANGUAGE_CODE))
    # The text through tracker.text.normalise: what search reads.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # On signing or with the instrument of consent; null when not known (an objection).
    made_at: Mapped[str | None] = mapped_column(String(20))
    date: Mapped[str | None] = mapped_column(String(RelationLimits.DATE))
    date_earliest: Mapped[date | None] = mapped_column(Date)
    date_latest: Mapped[date | None] = mapped_column(Date)
    objects_to_id: Mapped[int | None] = mapped_column(ForeignKey("declaration.id"), index=True)
    # EDTF: the day the party withdrew it; null while it stands.
    withdrawn_on: Mapped[str | None] = mapped_column(String(RelationLimits.DATE))
    withdrawn_earliest: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    agreement: Mapped[Agreement] = relationship()
    party: Mapped[Party] = relationship()
    objects_to: Mapped[Declaration | None] = relationship(
        remote_side=[id], back_populates="objections"
    )
    objections: Mapped[list[Declaration]] = relationship(
        back_populates="objects_to", order_by="Declaration.id"
    )
    recorded_by: Mapped[User | None] = relationship()
    evidence: Mapped[list[EvidenceLink]] = relationship(
        back_populates="declaration", order_by="EvidenceLink.id"
    )

    __mapper_args__ = {"version_id_col": version}
