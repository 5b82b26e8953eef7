"""Users, their passwords (argon2id) and API tokens (shown once, stored as sha256)."""

from __future__ import annotations

import hashlib
import re
import secrets
from zoneinfo import available_timezones

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import ApiToken, User
from tracker.models.vocab import Role
from tracker.services import audit, checks, transactional
from tracker.services.errors import FieldErrors, NotFound

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_hasher = PasswordHasher()  # argon2id with the library's current defaults
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


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
    """Create an account; raise ValidationError (422) naming each bad field."""
    errors = FieldErrors()
    email = checks.text(errors, "email", email, max_length=320, required=True)
    if email and not _EMAIL.match(email):
        errors.add("email", f"{email!r} is not an email address")
    elif email and find_user(session, email) is not None:
        errors.add("email", f"a user with email {email!r} already exists")
    checks.choice(errors, "role", role, Role)
    if password is not None and len(password) < MIN_PASSWORD:
        errors.add("password", f"must have at least {MIN_PASSWORD} characters")
    if timezone not in available_timezones():
        errors.add("timezone", f"{timezone!r} is not an IANA time zone such as Asia/Tehran")
    errors.raise_if_any()
    user = User(
        email=email,
        role=role,
        display_name=display_name.strip(),
        timezone=timezone,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    audit.record(session, actor=actor, action="create", obj=user, before=None)
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transactional
def create_token(
    session: Session, user: User, *, name: str = "", actor: User | None = None
) -> tuple[ApiToken, str]:
    """A new API token for `user`: the row, and the token itself (shown once, never stored)."""
    token = "tt_" + secrets.token_urlsafe(32)
    row = ApiToken(
        user=user, name=name.strip()[:100], token_hash=_token_hash(token), prefix=token[:10]
    )
    session.add(row)
    audit.record(session, actor=actor, action="create", obj=row, before=None)
    return row, token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a live token belongs to, noting when it was last used; else None."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    row.last_used_at = utcnow()
    session.commit()
    return row.user
