"""Users and their API tokens (stored hashed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, utcnow
from tracker.models.mixins import Timestamps
from tracker.models.vocab import DigestMode, Role, sql_in


class UserLimits:
    """The longest email, name, password, time zone and token name an account takes."""

    EMAIL = 320
    DISPLAY_NAME = 200
    PASSWORD = 1000
    TIMEZONE = 64
    TOKEN_NAME = 100


# How staff are named to readers who are not signed in (TRACKER_PUBLIC_READ=1).
ANONYMOUS_NAME = "a researcher"


def public_name(display_name: str | None) -> str:
    """A member of staff as an anonymous reader sees them: the display name, never an email
    (a display name that looks like one counts as none)."""
    name = (display_name or "").strip()
    return name if name and "@" not in name else ANONYMOUS_NAME


def shown_actor(actor: str, user: User | None, *, public: bool) -> str:
    """The `actor` of an audit entry as the reader may see it: to an anonymous reader, the
    user's public name, or for the system's own labels (a rule), the label."""
    if not public:
        return actor
    if user is not None or "@" in actor:
        return public_name(user.display_name if user is not None else None)
    return actor


class User(Timestamps, Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(sql_in("role", Role), name="role"),
        CheckConstraint(sql_in("digest_mode", DigestMode), name="digest_mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(UserLimits.EMAIL), unique=True)
    display_name: Mapped[str] = mapped_column(String(UserLimits.DISPLAY_NAME), default="")
    # argon2id; null for an account that signs in with API tokens only.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10), default=Role.VIEWER.value)
    timezone: Mapped[str] = mapped_column(String(UserLimits.TIMEZONE), default="UTC")
    # Show Jalali dates beside Gregorian ones.
    show_jalali: Mapped[bool] = mapped_column(Boolean, default=False)
    digest_mode: Mapped[str] = mapped_column(String(10), default=DigestMode.EVERYTHING.value)
    # {"agreements": [ids], "parties": [codes], "topics": [names]} when digest_mode is watchlist.
    digest_watchlist: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Send a short "nothing moved" digest for an empty week (or none at all).
    digest_send_empty: Mapped[bool] = mapped_column(Boolean, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # sha256 of the secret in this user's calendar and feed URLs (revocable: make a new one).
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Part of every session and remember-me cookie; raised by a password change, "sign out
    # everywhere" and deactivation, which ends every session signed in before.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(UserLimits.TOKEN_NAME), default="")
    # sha256 of the token: the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so a user can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship(back_populates="tokens")


class LoginAttempt(Base):
    """A sign-in attempt, kept so throttling counts across processes and machines."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    email: Mapped[str] = mapped_column(String(320))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
