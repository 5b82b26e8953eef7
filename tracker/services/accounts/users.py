"""Users, their passwords (argon2id) and API tokens (shown once, stored as sha256)."""

from __future__ import annotations

import gzip
import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import available_timezones

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tracker.db import begin_write, bookkeeping, utcnow
from tracker.models import ApiToken, User
from tracker.models.vocab import Role
from tracker.schemas.misc import AccountChangeSchema, TokenInSchema, UserInSchema
from tracker.services import require, transactional
from tracker.services.audit import audited
from tracker.services.claims.parties import check_codes
from tracker.services.errors import FieldErrors, NotFound

_hasher = PasswordHasher()  # argon2id with the library's current defaults
MIN_PASSWORD = 10
LAST_USED_RESOLUTION = timedelta(minutes=1)
# How long noting a token's use may wait for another writer's lock before it is skipped.
LAST_USED_LOCK_WAIT = 0.2
log = logging.getLogger(__name__)
# Built once: on every API request, building the statement cost as much as running it.
# Core columns, not the user as an entity: loading the account through the ORM was a tenth
# of an agreement's detail, and a request that only reads needs its id and role alone.
_U, _T = User.__table__, ApiToken.__table__
_BY_TOKEN = (
    select(_U.c.id, _U.c.role, _T.c.id, _T.c.last_used_at)
    .select_from(_T.join(_U, _U.c.id == _T.c.user_id))
    .where(
        _T.c.token_hash == bindparam("token_hash"),
        _T.c.revoked_at.is_(None),
        _U.c.is_active.is_(True),
    )
)


@dataclass(frozen=True)
class Bearer:
    """Whom a live API token speaks for: the active account's id and role, as the token's
    check read them. `account` loads the User, for a view that acts as them."""

    id: int
    role: str

    def account(self, session: Session) -> User:
        """The User (one query the first time in a session, then from its identity map)."""
        return session.get_one(User, self.id)


@cache
def common_passwords() -> frozenset[str]:
    """The passwords guessers try first (lower case): tracker/data/common-passwords.txt.gz."""
    data = resources.files("tracker").joinpath("data", "common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split())


def password_problem(password: Any, email: str = "") -> str | None:
    """Why a password may not be used, or None: too short, too common, or the email."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        return f"must have at least {MIN_PASSWORD} characters"
    folded = password.strip().lower()
    if folded in common_passwords():
        return "is one of the most common passwords, which are guessed first; choose another"
    if email and folded in {email.strip().lower(), email.strip().lower().split("@")[0]}:
        return "must not be the email address"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


_dummy_hash: list[str] = []


def verify_dummy(password: str) -> None:
    """Spend the time of a real password check (for an email without an account)."""
    if not _dummy_hash:
        _dummy_hash.append(_hasher.hash(secrets.token_urlsafe(16)))
    try:
        _hasher.verify(_dummy_hash[0], password)
    except (VerificationError, InvalidHashError):
        pass


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def find_user(session: Session, email: str) -> User | None:
    """The user of this email in any case; the stored spelling itself is matched too, as
    SQLite's lower() folds ASCII letters only (Õ stays Õ) and Python's folds them all."""
    email = email.strip()
    return session.scalar(
        select(User)
        .where(or_(User.email == email, func.lower(User.email) == email.lower()))
        .limit(1)
    )


def get_user_by_email(session: Session, email: str) -> User:
    """The user with this email, or NotFound (404)."""
    user = find_user(session, email)
    if user is None:
        raise NotFound(f"no user with email {email!r}")
    return user


@transactional
def create_user(
    session: Session,
    email: str,
    *,
    role: str = Role.VIEWER.value,
    password: str | None = None,
    display_name: str = "",
    timezone: str = "UTC",
    actor: User | None = None,
) -> User:
    """Create an account; raise InvalidInput (422) naming each bad field."""
    given = {"email": email, "role": role, "display_name": display_name, "timezone": timezone}
    if password is not None:
        given["password"] = password
    errors = FieldErrors()
    values = errors.load(UserInSchema(), given)
    email, display_name = values.get("email", ""), values.get("display_name", "")
    if email and find_user(session, email) is not None:
        errors.add("email", f"a user with email {email!r} already exists")
    if "password" in values and (problem := password_problem(values["password"], email)):
        errors.add("password", problem)
    _check_timezone(errors, timezone)
    errors.raise_if_any()
    user = User(
        email=email,
        role=role,
        display_name=display_name,
        timezone=timezone,
        password_hash=hash_password(password) if password else None,
    )
    with audited(session, user, actor=actor, action="create"):
        session.add(user)
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transactional
def create_token(
    session: Session, user: User, *, name: str = "", actor: User | None = None
) -> tuple[ApiToken, str]:
    """A new API token for `user`: the row, and the token itself (shown once, never stored).

    Raise InvalidInput (422) for a deactivated account: a token made while it is inactive
    would start working on reactivation, which revokes nothing."""
    errors = FieldErrors()
    name = errors.load(TokenInSchema(), {"name": name}).get("name", "")
    if not user.is_active:
        errors.add("user", "the account is deactivated; reactivate it first")
    errors.raise_if_any()
    token = "tt_" + secrets.token_urlsafe(32)
    row = ApiToken(user=user, name=name, token_hash=_token_hash(token), prefix=token[:10])
    with audited(session, row, actor=actor, action="create"):
        session.add(row)
    return row, token


def token_bearer(session: Session, token: str) -> Bearer | None:
    """Whom a live token speaks for, noting when it was last used; None for no such token, a
    revoked one, or one whose account is deactivated."""
    found = session.connection().execute(_BY_TOKEN, {"token_hash": _token_hash(token)}).first()
    if found is None:
        return None
    user_id, role, token_id, last_used_at = found
    now = utcnow()
    # Written at most once a minute: a write per request would cost more than the request.
    if last_used_at is None or now - last_used_at > LAST_USED_RESOLUTION:
        with bookkeeping(session) as writer:
            _note_use(writer, token_id, now)
    return Bearer(user_id, role)


def _note_use(session: Session, token_id: int, now: datetime) -> None:
    """Set the token's last_used_at, or skip it: a request is never refused, nor kept
    waiting, because this bookkeeping could not get the lock quickly (another writer holds
    it); the next request notes the use instead."""
    # A write of its own, begun as one (SQLite: a reading transaction could not become a
    # writer if another writer committed meanwhile).
    session.commit()
    try:
        begin_write(session, lock_wait=LAST_USED_LOCK_WAIT)
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        session.commit()
    except OperationalError as exc:
        session.rollback()
        log.info("token use not noted: the database is busy", extra={"error": repr(exc)})


def get_user(session: Session, user_id: int) -> User:
    """The user, or NotFound (404)."""
    return require(session, User, user_id, "user")


def active_users(session: Session) -> list[User]:
    """Every active account, by email (for choosing an assignee)."""
    return list(session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.email)))


def list_users(session: Session, *, offset: int = 0, limit: int = 50) -> tuple[list[User], int]:
    total = session.scalar(select(func.count()).select_from(User)) or 0
    page = session.scalars(select(User).order_by(User.id).offset(offset).limit(limit)).all()
    return list(page), total


@transactional
def update_user(
    session: Session, user_id: int, data: Mapping[str, Any], *, actor: User | None = None
) -> User:
    """Change an account's role, name, time zone, digest settings, password or activity."""
    user = get_user(session, user_id)
    errors = FieldErrors()
    values = errors.load(AccountChangeSchema(), data)
    if "timezone" in values and values["timezone"] not in available_timezones():
        errors.add(
            "timezone", f"{values['timezone']!r} is not an IANA time zone such as Asia/Tehran"
        )
    if "digest_watchlist" in values:
        values["digest_watchlist"] = _watchlist(session, errors, values["digest_watchlist"])
    if "password" in values:
        password = values.pop("password")
        if problem := password_problem(password, user.email):
            errors.add("password", problem)
        else:
            values["password_hash"] = hash_password(password)
    errors.raise_if_any()
    deactivated = user.is_active and values.get("is_active") is False
    with audited(session, user, actor=actor, action="update"):
        for name, value in values.items():
            setattr(user, name, value)
        if "password_hash" in values or deactivated:
            # Every session signed in with the old password (or before deactivation) ends.
            user.session_generation = (user.session_generation or 0) + 1
        if deactivated:
            # Nothing of the account works while it is inactive, nor comes back on
            # reactivation: its API tokens are revoked and its calendar and feed link stops.
            _revoke_all_tokens(session, user, actor)
            user.feed_token_hash = None
    return user


def _revoke_all_tokens(session: Session, user: User, actor: User | None) -> int:
    now = utcnow()
    live = [t for t in list_tokens(session, user) if t.revoked_at is None]
    for row in live:
        with audited(session, row, actor=actor, action="revoke"):
            row.revoked_at = now
    return len(live)


@transactional
def end_sessions(session: Session, user: User, *, actor: User | None = None) -> None:
    """Sign the user out everywhere: every session and remember-me cookie stops working.

    API tokens are not touched (revoke them one by one)."""
    user = get_user(session, user.id)
    with audited(session, user, actor=actor, action="update"):
        user.session_generation = (user.session_generation or 0) + 1


def _check_timezone(errors: FieldErrors, timezone: str) -> None:
    if timezone not in available_timezones():
        errors.add("timezone", f"{timezone!r} is not an IANA time zone such as Asia/Tehran")


def _watchlist(session: Session, errors: FieldErrors, value: Mapping[str, Any]) -> dict[str, list]:
    """{"agreements": [ids], "parties": [known codes], "topics": [lower-case names]}."""
    return {
        "agreements": value.get("agreements", []),
        "parties": check_codes(session, value.get("parties", []), "digest_watchlist", errors),
        "topics": [t.lower() for t in value.get("topics", [])],
    }


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    )


def get_token(session: Session, token_id: int) -> ApiToken:
    """The token row, or NotFound (404)."""
    return require(session, ApiToken, token_id, "token")


@transactional
def revoke_token(session: Session, token_id: int, *, actor: User | None = None) -> ApiToken:
    """Revoke a token: it stops working at once; the row stays for the record."""
    row = get_token(session, token_id)
    if row.revoked_at is None:
        with audited(session, row, actor=actor, action="revoke"):
            row.revoked_at = utcnow()
    return row


@transactional
def issue_feed_token(session: Session, user: User, *, actor: User | None = None) -> str:
    """A new secret for the user's calendar and feed URLs (the old one stops working)."""
    token = secrets.token_urlsafe(24)
    with audited(session, user, actor=actor, action="update"):
        user.feed_token_hash = _token_hash(token)
    return token


@transactional
def revoke_feed_token(session: Session, user: User, *, actor: User | None = None) -> None:
    with audited(session, user, actor=actor, action="update"):
        user.feed_token_hash = None


def user_for_feed_token(session: Session, token: str) -> User | None:
    """The active user whose feed URLs carry this secret, or None."""
    if not token or len(token) > 100:
        return None
    user = session.scalar(select(User).where(User.feed_token_hash == _token_hash(token)))
    return user if user is not None and user.is_active else None
