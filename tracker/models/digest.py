"""Weekly digests, stored so they can be browsed later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, utcnow
from tracker.models.user import User


class Digest(Base):
    """One per subscriber per ISO week; the unique row is claimed before sending."""

    __tablename__ = "digest"
    __table_args__ = (UniqueConstraint("user_id", "week", name="user_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    week: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    # When a sender took it on: a second sender leaves it alone (unless that one died).
    send_claimed_at: Mapped[datetime | None] = mapped_column()
    sections: Mapped[dict[str, Any]] = mapped_column(default=dict)
    html: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship()
