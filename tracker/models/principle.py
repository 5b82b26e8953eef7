"""The principle vocabulary and the statements of principle made for an agreement."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base
from tracker.models.mixins import SoftDelete, Timestamps

if TYPE_CHECKING:
    from tracker.models.agreement import Agreement
    from tracker.models.evidence import EvidenceLink
    from tracker.models.party import Party
    from tracker.models.user import User


class StatementLimits:
    """The longest principle code, clause and note a statement of principle takes."""

    PRINCIPLE = 50
    CLAUSE = 200
    NOTE = 20_000


class Principle(Base):
    __tablename__ = "principle"

    code: Mapped[str] = mapped_column(String(StatementLimits.PRINCIPLE), primary_key=True)
    # language code (en, fa, ru, ar) -> label.
    labels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    description: Mapped[str] = mapped_column(Text, default="")

    def label(self, language: str = "en") -> str:
        return self.labels.get(language) or self.labels.get("en") or self.code


class PrincipleStatement(Timestamps, SoftDelete, Base):
    """A principle an agreement's parties state; where: an evidence quote or a treaty clause."""

    __tablename__ = "principle_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    principle_code: Mapped[str] = mapped_column(ForeignKey("principle.code"), index=True)
    # The stating party; null when the parties state it together.
    party_code: Mapped[str | None] = mapped_column(ForeignKey("party.code"))
    clause: Mapped[str] = mapped_column(String(StatementLimits.CLAUSE), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    agreement: Mapped[Agreement] = relationship(back_populates="statements")
    principle: Mapped[Principle] = relationship(lazy="joined")
    party: Mapped[Party | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    evidence: Mapped[list[EvidenceLink]] = relationship(
        back_populates="statement", order_by="EvidenceLink.id"
    )
