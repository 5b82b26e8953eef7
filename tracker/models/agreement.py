"""Agreements, their parties and topics."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, utcnow
from tracker.models.mixins import SoftDelete, Timestamps, deleted_index, live_index
from tracker.models.vocab import AgreementKind, Participation, PeriodUnit, sql_in

if TYPE_CHECKING:
    from tracker.models.event import StageEvent
    from tracker.models.party import Party
    from tracker.models.principle import PrincipleStatement


class AgreementLimits:
    """The longest text and largest numbers an agreement takes: its columns, the API's schemas,
    the form and the service's checks all read them here."""

    REF = 100
    TITLE = 500
    TOPIC = 50
    SUMMARY = 20_000
    ENTRY_INTO_FORCE_DAYS = 3650
    DURATION_YEARS = 1000
    INSTRUMENTS = 1000
    WITHDRAWAL_PERIOD = 3650  # in days; months and years are held to the same span
    DATE = 100


class Agreement(Timestamps, SoftDelete, Base):
    """An announced or concluded agreement. Stage and status are derived, never stored."""

    __tablename__ = "agreement"
    __table_args__ = (
        CheckConstraint(sql_in("kind", AgreementKind), name="kind"),
        CheckConstraint(
            "entry_into_force_days IS NULL OR entry_into_force_days >= 0",
            name="entry_into_force_days",
        ),
        # one rule of entry into force at most: N days after the last notification, or the
        # K-th instrument (SPEC §2b)
        CheckConstraint(
            "entry_into_force_days IS NULL OR instruments_required IS NULL",
            name="one_entry_into_force_rule",
        ),
        CheckConstraint(
            "instruments_required IS NULL OR instruments_required >= 1", name="instruments"
        ),
        CheckConstraint(
            "days_after_instrument IS NULL OR days_after_instrument >= 0",
            name="days_after_instrument",
        ),
        CheckConstraint(
            "days_after_own_instrument IS NULL OR days_after_own_instrument >= 0",
            name="days_after_own_instrument",
        ),
        CheckConstraint(
            "(withdrawal_period IS NULL AND withdrawal_unit IS NULL) OR "
            f"(withdrawal_period >= 0 AND {sql_in('withdrawal_unit', PeriodUnit)})",
            name="withdrawal_rule",
        ),
        # Lists show what is not deleted, sorted, with id as the tiebreak: a partial index per
        # sort serves the filter, the whole ORDER BY (a page reads 50 rows, not all of them)
        # and the count.
        *live_index("agreement", "updated_at"),
        *live_index("agreement", "created_at"),
        *live_index("agreement", "title"),
        *live_index("agreement", "kind"),
        deleted_index("agreement"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A stable external key (the seed case, an import); null for agreements made by hand.
    ref: Mapped[str | None] = mapped_column(String(AgreementLimits.REF), unique=True)
    title: Mapped[str] = mapped_column(String(AgreementLimits.TITLE))
    # language code -> title in that language or its original script.
    titles: Mapped[dict[str, Any]] = mapped_column(default=dict)
    kind: Mapped[str] = mapped_column(String(20), default=AgreementKind.AGREEMENT.value)
    summary: Mapped[str] = mapped_column(Text, default="")
    # Entry-into-force rule: "N days after the last notification"; null when none is known.
    entry_into_force_days: Mapped[int | None] = mapped_column(Integer)
    duration_years: Mapped[int | None] = mapped_column(Integer)
    # The other rule of entry into force (SPEC §2b): N days after the K-th instrument, a
    # later party bound M days after its own.
    instruments_required: Mapped[int | None] = mapped_column(Integer)
    days_after_instrument: Mapped[int | None] = mapped_column(Integer)
    days_after_own_instrument: Mapped[int | None] = mapped_column(Integer)
    # A withdrawal takes effect this many days, months or years after its notification.
    withdrawal_period: Mapped[int | None] = mapped_column(Integer)
    withdrawal_unit: Mapped[str | None] = mapped_column(String(10))
    # Stored, not guessed: an organisation and its members with one state is bilateral in
    # law with many parties. Defaults from the party count when the agreement is made.
    bilateral: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who keeps the instruments: a party or an organisation (UN, AU, ...).
    depositary_code: Mapped[str | None] = mapped_column(ForeignKey("party.code"))
    signature_opens: Mapped[str | None] = mapped_column(String(AgreementLimits.DATE))
    signature_closes: Mapped[str | None] = mapped_column(String(AgreementLimits.DATE))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Titles and summary through tracker.text.normalise, for search in any spelling.
    search_text: Mapped[str] = mapped_column(Text, default="")

    party_links: Mapped[list[AgreementParty]] = relationship(
        back_populates="agreement",
        cascade="all, delete-orphan",
        order_by="AgreementParty.position",
    )
    topic_links: Mapped[list[AgreementTopic]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="AgreementTopic.topic"
    )
    events: Mapped[list[StageEvent]] = relationship(
        back_populates="agreement", order_by="StageEvent.id"
    )
    statements: Mapped[list[PrincipleStatement]] = relationship(
        back_populates="agreement", order_by="PrincipleStatement.id"
    )
    depositary: Mapped[Party | None] = relationship(foreign_keys=[depositary_code])
    state: Mapped[AgreementState | None] = relationship(
        cascade="all, delete-orphan", single_parent=True
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def parties(self) -> list[Party]:
        return [link.party for link in self.party_links]

    @property
    def party_codes(self) -> list[str]:
        return [link.party_code for link in self.party_links]

    @property
    def topics(self) -> list[str]:
        return [link.topic for link in self.topic_links]

    @property
    def is_bilateral(self) -> bool:
        return self.bilateral


class AgreementParty(Base):
    __tablename__ = "agreement_party"
    # A party's agreements from the index alone: the list's `party` filter and its count.
    __table_args__ = (Index("ix_agreement_party_party_agreement", "party_code", "agreement_id"),)

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True
    )
    party_code: Mapped[str] = mapped_column(ForeignKey("party.code"), primary_key=True)
    # Order as the researcher gave them (the order in the title, usually).
    position: Mapped[int] = mapped_column(Integer, default=0)

    agreement: Mapped[Agreement] = relationship(back_populates="party_links")
    party: Mapped[Party] = relationship(lazy="joined")


class AgreementTopic(Base):
    __tablename__ = "agreement_topic"
    # A topic's agreements from the index alone: the list's `topic` filter and its count.
    __table_args__ = (Index("ix_agreement_topic_topic_agreement", "topic", "agreement_id"),)

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(50), primary_key=True)

    agreement: Mapped[Agreement] = relationship(back_populates="topic_links")


class AgreementParticipation(Base):
    """Each party's derived participation (SPEC §2b), cached beside AgreementState so that
    lists filter by it ("party=IRN&participation=signed"). Written with it, by
    tracker.services.agreements.state only."""

    __tablename__ = "agreement_participation"
    __table_args__ = (
        CheckConstraint(sql_in("participation", Participation), name="participation"),
        # "party=IRN&participation=signed": that party's agreements in that state, read from
        # the index alone.
        Index(
            "ix_agreement_participation_party",
            "party_code",
            "participation",
            "agreement_id",
        ),
    )

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True
    )
    party_code: Mapped[str] = mapped_column(ForeignKey("party.code"), primary_key=True)
    participation: Mapped[str] = mapped_column(String(20))


class AgreementState(Base):
    """The derived lifecycle, cached so lists can filter and sort by stage and status.

    Written only by tracker.services.agreements.state whenever a claim, its evidence or the
    agreement changes; `status` is not stored because "stalled" depends on the day it is read.
    """

    __tablename__ = "agreement_state"
    # A list sorted by one of these reads the index in order and stops at the page: the
    # agreement's id breaks ties, as the list does, and rows without the key (NULL) are read
    # apart, after the others (tracker.services.agreements.listing).
    __table_args__ = (
        *(
            Index(f"ix_agreement_state_sort_{column}", column, "agreement_id")
            for column in (
                "last_activity",
                "next_expected_date",
                "stage_rank",
                "signed_on",
                "in_force_on",
            )
        ),
        # The `status` filter ("stalled": active and quiet since a day) and its count, from
        # the index alone.
        Index("ix_agreement_state_status", "base_status", "last_activity"),
        # The `stage` filter, with the agreement's id: beside another filter its count is a
        # merge of the two indexes in id order (migration 0017).
        Index("ix_agreement_state_stage", "current_stage", "agreement_id"),
    )

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True
    )
    current_stage: Mapped[str | None] = mapped_column(String(20))
    base_status: Mapped[str] = mapped_column(String(20))
    last_activity: Mapped[date | None] = mapped_column(Date)
    next_expected_date: Mapped[date | None] = mapped_column(Date)
    # Sort keys: the current stage's place in the lifecycle (None for an exit or no stage),
    # the first day of the earliest reported or confirmed signing, and of the entry into
    # force, or else the day it is expected.
    stage_rank: Mapped[int | None] = mapped_column(SmallInteger)
    signed_on: Mapped[date | None] = mapped_column(Date)
    in_force_on: Mapped[date | None] = mapped_column(Date)
    has_conflicts: Mapped[bool] = mapped_column(Boolean, default=False)
    derived: Mapped[dict[str, Any]] = mapped_column(default=dict)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
