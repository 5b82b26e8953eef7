"""Signing in with a password, throttled so that attackers are slowed and owners not locked out.

Every attempt is a row in the database, so every web worker and machine counts the same ones.
It is written as a failure *before* the password is checked and marked a success after, so an
attempt still being checked already counts. Within WINDOW, counting failures:

- per (account, address): after MAX_PER_ACCOUNT_ADDRESS failures since that address last
  signed in to that account, that address may not try that account until the window passed;
- per address: after MAX_PER_ADDRESS failures (any accounts), that address is refused;
- per account (every address): beyond FREE_PER_ACCOUNT failures, an address that has failed
  in the window must wait a growing delay after its own last failure (1 s, doubling with each
  further failure of the account, at most MAX_DELAY) before its next attempt is checked.

An address with no failure in the window is never refused: the owner signing in from their
usual address gets in while their account is being guessed at from elsewhere.

Counting and recording run under a lock per account (PostgreSQL: a transaction advisory lock
on the email, then one on the address; SQLite: the write lock), so attempts made at the same
moment cannot check more passwords than the limits allow. The password itself is checked
(argon2, the slow part) after the lock is released. An unknown email, an account without a
password and an inactive account cost the same argon2 verification as a real one, so the
answer's timing does not tell which emails have accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tracker.db import begin_write, utcnow
from tracker.models import LoginAttempt, User
from tracker.services.accounts.users import find_user, verify_dummy, verify_password
from tracker.services.errors import ServiceError

WINDOW = timedelta(minutes=15)
MAX_PER_ACCOUNT_ADDRESS = 5
MAX_PER_ADDRESS = 20
FREE_PER_ACCOUNT = 5
MAX_DELAY = timedelta(minutes=5)
# Kept for callers that knew the per-account limit: it is now per account and address.
MAX_PER_ACCOUNT = MAX_PER_ACCOUNT_ADDRESS
# First key of the two-key advisory locks taken here ("si": sign-in); the scheduler's lock
# uses the one-key form, a separate key space.
_LOCK_SPACE_ACCOUNT = 0x7369
_LOCK_SPACE_ADDRESS = 0x7361


class SignInRefused(ServiceError):
    """Wrong email or password, or too many failures; the message is safe to show."""

    status = 401


class Throttled(SignInRefused):
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Failures:
    count: int
    oldest: datetime | None
    latest: datetime | None


def _aware(value: datetime | None) -> datetime | None:
    # An aggregate may come back naive on SQLite.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _failures(session: Session, since: datetime, *conditions: Any) -> _Failures:
    row = session.execute(
        select(func.count(), func.min(LoginAttempt.at), func.max(LoginAttempt.at)).where(
            *conditions, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since
        )
    ).one()
    return _Failures(row[0], _aware(row[1]), _aware(row[2]))


def _last_success(session: Session, email: str, address: str, since: datetime) -> int:
    """The id of this address's last sign-in to this account within the window (or 0)."""
    return (
        session.scalar(
            select(func.max(LoginAttempt.id)).where(
                LoginAttempt.email == email,
                LoginAttempt.address == address,
                LoginAttempt.succeeded.is_(True),
                LoginAttempt.at >= since,
            )
        )
        or 0
    )


def _seconds_until_window_passes(failures: _Failures, now: datetime) -> int:
    if failures.oldest is None:
        return 60
    return max(1, int((failures.oldest + WINDOW - now).total_seconds()) + 1)


def _minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


def delay_after(account_failures: int) -> timedelta:
    """How long an address that failed must wait, once the account has this many failures."""
    if account_failures < FREE_PER_ACCOUNT:
        return timedelta(0)
    step = min(account_failures - FREE_PER_ACCOUNT, 20)
    return min(timedelta(seconds=2**step), MAX_DELAY)


def _lock(session: Session, email: str, address: str) -> None:
    """Serialise the count-and-record of attempts on one account (and one address)."""
    session.commit()  # end any reading transaction: the counts must be read under the lock
    begin_write(session)  # SQLite: BEGIN IMMEDIATE, the database's one write lock
    if session.get_bind().dialect.name == "postgresql":
        # Account first, then address, in every transaction: no two can wait on each other.
        for space, key in ((_LOCK_SPACE_ACCOUNT, email), (_LOCK_SPACE_ADDRESS, address)):
            session.execute(
                text("SELECT pg_advisory_xact_lock(:space, hashtext(:key))"),
                {"space": space, "key": key},
            )


def _admit(session: Session, email: str, address: str, now: datetime) -> tuple[LoginAttempt, int]:
    """Raise Throttled (429) if this attempt may not be checked; else record it as a failure
    (until the password proves right) and commit, which releases the lock. Returns the
    attempt and the failures of this account from this address before it."""
    _lock(session, email, address)
    since = now - WINDOW
    by_address = _failures(session, since, LoginAttempt.address == address)
    if by_address.count >= MAX_PER_ADDRESS:
        session.rollback()
        wait = _seconds_until_window_passes(by_address, now)
        raise Throttled(
            f"Too many failed sign-ins from your address. Try again in {_minutes(wait)} minute(s).",
            wait,
        )
    by_pair = _failures(  # since this address last signed in to this account
        session,
        since,
        LoginAttempt.email == email,
        LoginAttempt.address == address,
        LoginAttempt.id > _last_success(session, email, address, since),
    )
    if by_pair.count >= MAX_PER_ACCOUNT_ADDRESS:
        session.rollback()
        wait = _seconds_until_window_passes(by_pair, now)
        raise Throttled(
            f"Too many failed sign-ins for this account from your address. Try again in "
            f"{_minutes(wait)} minute(s).",
            wait,
        )
    if by_address.latest is not None:  # a clean address is never delayed
        by_account = _failures(session, since, LoginAttempt.email == email)
        ready = by_address.latest + delay_after(by_account.count)
        if now < ready:
            session.rollback()
            wait = max(1, int((ready - now).total_seconds()) + 1)
            raise Throttled(
                f"Many failed sign-ins for this account: wait {wait} second(s), then try again.",
                wait,
            )
    attempt = LoginAttempt(at=now, email=email, address=address, succeeded=False)
    session.add(attempt)
    session.commit()
    return attempt, by_pair.count


def sign_in(
    session: Session, email: str, password: str, address: str, *, now: datetime | None = None
) -> User:
    """The user, if the password is right and the attempt is not throttled.

    Raise Throttled (429) or SignInRefused (401); every attempt checked is recorded.
    """
    now = now or utcnow()
    email = (email or "").strip().lower()[:320]
    address = (address or "unknown")[:64]
    attempt, pair_failures = _admit(session, email, address, now)
    user = find_user(session, email)
    session.commit()  # no transaction (SQLite: no lock) held while the password is checked
    if user is not None and user.password_hash:
        ok = verify_password(user, password or "") and user.is_active
    else:
        verify_dummy(password or "")  # the same time as a real check
        ok = False
    if ok and user is not None:
        begin_write(session)
        attempt.succeeded = True
        session.commit()
        return user
    left = MAX_PER_ACCOUNT_ADDRESS - pair_failures - 1
    hint = (
        f" {left} attempt(s) left before a {WINDOW.seconds // 60}-minute pause." if left < 3 else ""
    )
    raise SignInRefused("Wrong email or password." + hint)
