"""Reminders that prompt a researcher to follow an agreement up."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base
from tracker.models.mixins import Timestamps
from tracker.models.vocab import ReminderStatus, Stage, sql_in

if TYPE_CHECKING:
    from tracker.models.agreement import Agreement
    from tracker.models.user import User


class ReminderLimits:
    """The longest reason and closing note a reminder takes."""

    REASON = 2000
    CLOSED_NOTE = 2000


class Reminder(Timestamps, Base):
    __tablename__ = "reminder"
    __table_args__ = (
        CheckConstraint(sql_in("status", ReminderStatus), name="status"),
        CheckConstraint(f"stage IS NULL OR {sql_in('stage', Stage)}", name="stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    stage: Mapped[str | None] = mapped_column(String(20))
    party_code: Mapped[str | None] = mapped_column(ForeignKey("party.code"))
    due: Mapped[date] = mapped_column(Date, index=True)
    reason: Mapped[str] = mapped_column(Text)
    # The rule that made it, or null when a person did.
    rule: Mapped[str | None] = mapped_column(String(50))
    # (rule, agreement, stage, party) for rule-made reminders: re-running never duplicates one.
    rule_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=ReminderStatus.OPEN.value, index=True)
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column()
    # When the "it is due" email was claimed for sending (it is sent once).
    notified_at: Mapped[datetime | None] = mapped_column()
    closed_note: Mapped[str] = mapped_column(Text, default="")

    agreement: Mapped[Agreement] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
