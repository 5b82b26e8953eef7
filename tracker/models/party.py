"""Parties (states and organisations) and the aliases that name them in text."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base
from tracker.models.vocab import MAX_LANGUAGE_CODE, PartyKind, sql_in


class Party(Base):
    """A state (ISO 3166-1 alpha-3 code) or an organisation (its own short code)."""

    __tablename__ = "party"
    __table_args__ = (CheckConstraint(sql_in("kind", PartyKind), name="kind"),)

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    # language code -> name; English is always present.
    names: Mapped[dict[str, Any]] = mapped_column(default=dict)

    aliases: Mapped[list[PartyAlias]] = relationship(
        back_populates="party", cascade="all, delete-orphan"
    )

    def name(self, language: str = "en") -> str:
        return self.names.get(language) or self.names.get("en") or self.code


class PartyAlias(Base):
    """A name, adjective or metonym that points at a party (Moscow, Kremlin, مسکو -> RUS)."""

    __tablename__ = "party_alias"
    __table_args__ = (UniqueConstraint("language", "normalised", name="language_normalised"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_code: Mapped[str] = mapped_column(ForeignKey("party.code"), index=True)
    language: Mapped[str] = mapped_column(String(MAX_LANGUAGE_CODE))
    alias: Mapped[str] = mapped_column(String(200))
    # The alias through tracker.text.normalise, so matching ignores spelling variants.
    normalised: Mapped[str] = mapped_column(String(200))

    party: Mapped[Party] = relationship(back_populates="aliases")


class PartyMembership(Base):
    """A state's membership of an organisation party, from a day until a day (SPEC §2b:
    the EAEU, the EU, the SCO and BRICS are seeded with theirs)."""

    __tablename__ = "party_membership"
    __table_args__ = (
        UniqueConstraint("organisation_code", "member_code", "since", name="member_since"),
        CheckConstraint("until IS NULL OR since IS NULL OR since <= until", name="span"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_code: Mapped[str] = mapped_column(ForeignKey("party.code"), index=True)
    member_code: Mapped[str] = mapped_column(ForeignKey("party.code"), index=True)
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)

    member: Mapped[Party] = relationship(foreign_keys=[member_code])
