"""Signing in with a password, throttled per account and per address.

Failed attempts are rows in the database, so every web worker and machine counts the same
ones. Within WINDOW, MAX_PER_ACCOUNT failures lock that account and MAX_PER_ADDRESS lock that
address, until the window has passed since the oldest counted failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import LoginAttempt, User
from tracker.services.errors import ServiceError
from tracker.services.users import find_user, verify_password

WINDOW = timedelta(minutes=15)
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20


class SignInRefused(ServiceError):
    """Wrong email or password, or too many failures; the message is safe to show."""

    status = 401


class Throttled(SignInRefused):
    status = 429


@dataclass(frozen=True)
class _Failures:
    count: int
    oldest: datetime | None


def _failures(session: Session, since: datetime, **match: str) -> _Failures:
    column = getattr(LoginAttempt, next(iter(match)))
    row = session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            column == next(iter(match.values())),
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at >= since,
        )
    ).one()
    oldest = row[1]
    if oldest is not None and oldest.tzinfo is None:  # an aggregate may come back naive
        oldest = oldest.replace(tzinfo=UTC)
    return _Failures(row[0], oldest)


def _wait(failures: _Failures, now: datetime) -> int:
    """Minutes until the oldest counted failure leaves the window (at least 1)."""
    if failures.oldest is None:
        return 1
    return max(1, int((failures.oldest + WINDOW - now).total_seconds() // 60) + 1)


def sign_in(
    session: Session, email: str, password: str, address: str, *, now: datetime | None = None
) -> User:
    """The user, if the password is right and neither the account nor the address is locked.

    Raise Throttled (429) or SignInRefused (401); every attempt is recorded and committed.
    """
    now = now or utcnow()
    email = (email or "").strip().lower()[:320]
    address = (address or "unknown")[:64]
    since = now - WINDOW
    by_account = _failures(session, since, email=email)
    by_address = _failures(session, since, address=address)
    if by_account.count >= MAX_PER_ACCOUNT:
        raise Throttled(
            f"Too many failed sign-ins for this account. Try again in {_wait(by_account, now)} "
            "minute(s)."
        )
    if by_address.count >= MAX_PER_ADDRESS:
        raise Throttled(
            f"Too many failed sign-ins from your address. Try again in {_wait(by_address, now)} "
            "minute(s)."
        )
    user = find_user(session, email)
    ok = user is not None and user.is_active and verify_password(user, password or "")
    session.add(LoginAttempt(at=now, email=email, address=address, succeeded=ok))
    session.commit()
    if not ok or user is None:
        left = MAX_PER_ACCOUNT - by_account.count - 1
        hint = (
            f" {left} attempt(s) left before a {WINDOW.seconds // 60}-minute pause."
            if left < 3
            else ""
        )
        raise SignInRefused("Wrong email or password." + hint)
    return user
