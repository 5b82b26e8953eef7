"""Stage events: one claim each that a lifecycle step happened or is expected."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base
from tracker.models.mixins import SoftDelete, Timestamps
from tracker.models.vocab import ConsentType, EventStatus, Stage, Step, sql_in

if TYPE_CHECKING:
    from tracker.models.agreement import Agreement
    from tracker.models.evidence import EvidenceLink
    from tracker.models.party import Party
    from tracker.models.user import User


class EventLimits:
    """The longest text a stage event takes, and how many quotes one request may give it."""

    BODY = 200
    PLACE = 200
    DATE = 100
    NOTE = 20_000
    QUOTES = 50


class StageEvent(Timestamps, SoftDelete, Base):
    __tablename__ = "stage_event"
    __table_args__ = (
        CheckConstraint(sql_in("stage", Stage), name="stage"),
        CheckConstraint(f"step IS NULL OR {sql_in('step', Step)}", name="step"),
        CheckConstraint(sql_in("status", EventStatus), name="status"),
        # how an instrument consents: on the notification step only (SPEC §2b)
        CheckConstraint(
            f"consent_type IS NULL OR (step = 'notification' AND "
            f"{sql_in('consent_type', ConsentType)})",
            name="consent_type",
        ),
        CheckConstraint(
            "date_earliest IS NULL OR date_latest IS NULL OR date_earliest <= date_latest",
            name="date_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    step: Mapped[str | None] = mapped_column(String(30))
    party_code: Mapped[str | None] = mapped_column(ForeignKey("party.code"), index=True)
    body: Mapped[str] = mapped_column(String(EventLimits.BODY), default="")
    place: Mapped[str] = mapped_column(String(EventLimits.PLACE), default="")
    # EDTF as given (Gregorian), with its first and last possible day for sorting and queries.
    date: Mapped[str | None] = mapped_column(String(EventLimits.DATE))
    date_earliest: Mapped[date | None] = mapped_column(Date, index=True)
    date_latest: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default=EventStatus.REPORTED.value)
    # The notification step's kind of instrument; null elsewhere (and read as ratification).
    consent_type: Mapped[str | None] = mapped_column(String(30))
    # Set by a researcher to settle a conflict between claims about the same step.
    preferred: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    agreement: Mapped[Agreement] = relationship(back_populates="events")
    party: Mapped[Party | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    evidence: Mapped[list[EvidenceLink]] = relationship(
        back_populates="event", order_by="EvidenceLink.id"
    )

    __mapper_args__ = {"version_id_col": version}
