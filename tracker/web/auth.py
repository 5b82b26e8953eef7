"""Signing in and out (Flask-Login sessions), and the role checks of the HTML pages."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user

from tracker.db import get_session
from tracker.extensions import login_manager
from tracker.models import AuditEntry, User
from tracker.models.user import public_name, shown_actor
from tracker.models.vocab import Role
from tracker.services import fetch
from tracker.services.accounts import users
from tracker.services.accounts.sign_in import SignInRefused, Throttled
from tracker.services.accounts.sign_in import sign_in as check_password
from tracker.web.forms import SignInForm

blp = Blueprint("auth", __name__)
RANK = {Role.VIEWER.value: 0, Role.EDITOR.value: 1, Role.ADMIN.value: 2}


class WebUser(UserMixin):
    """The signed-in account as Flask-Login sees it; `.user` is the row, for services.

    Its id, kept in the session and the remember-me cookie (both signed with the secret key),
    is "user id:session generation:time signed in". A cookie stops working when the user's
    session generation moves on (password change, sign out everywhere, deactivation) and
    TRACKER_REMEMBER_DAYS after it was signed in, even if copied out of the browser.
    """

    def __init__(self, user: User, signed_in: int | None = None) -> None:
        self.user = user
        self.id = user.id
        self.signed_in = int(time.time()) if signed_in is None else signed_in

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_generation}:{self.signed_in}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.user.is_active

    def can(self, role: str) -> bool:
        return RANK[self.user.role] >= RANK[role]


@login_manager.user_loader
def load_user(user_id: str) -> WebUser | None:
    """The user of a session or remember-me cookie, or None if it no longer stands."""
    parts = user_id.split(":")
    if len(parts) != 3 or not all(p.isdigit() and len(p) < 12 for p in parts):
        return None  # also a cookie from before sessions had generations
    uid, generation, signed_in = (int(p) for p in parts)
    age = time.time() - signed_in
    # (A few minutes' grace either way for clocks of several web machines.)
    if not -300 <= age <= current_app.config.get("REMEMBER_DAYS", 14) * 86400 + 300:
        return None
    user = fetch(get_session(), User, uid)
    if user is None or not user.is_active or user.session_generation != generation:
        return None
    return WebUser(user, signed_in)


def actor() -> User | None:
    """The signed-in user's row (the actor of a change), or None."""
    return current_user.user if current_user.is_authenticated else None


def person(user: User | None) -> str:
    """Template filter: a user as the reader may see them. Signed-in readers see the email;
    anonymous ones (TRACKER_PUBLIC_READ=1) the display name or "a researcher", never it."""
    if user is None:
        return ""
    return user.email if current_user.is_authenticated else public_name(user.display_name)


def entry_actor(entry: AuditEntry) -> str:
    """Template filter: who made an audited change, without an email for anonymous readers."""
    return shown_actor(entry.actor, entry.user, public=not current_user.is_authenticated)


blp.add_app_template_filter(person, "person")
blp.add_app_template_filter(entry_actor, "entry_actor")


def reader_required(view: Callable) -> Callable:
    """Reading pages needs a sign-in, unless TRACKER_PUBLIC_READ opens them."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated and not current_app.config.get("PUBLIC_READ"):
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return wrapper


def role_required(role: str) -> Callable:
    """Sign-in needed (redirect to it); then 403 for a role below `role`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.can(role):
                abort(
                    403,
                    description=f"This needs the {role} role; you are {current_user.user.role}.",
                )
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never send a user elsewhere after signing in."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("dashboard.index")


@blp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = check_password(
                get_session(), form.email.data, form.password.data, request.remote_addr or ""
            )
        except SignInRefused as exc:
            form.password.errors.append(str(exc))
            headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Throttled) else {}
            return render_template("auth/sign_in.html", form=form), exc.status, headers
        login_user(WebUser(user), remember=form.remember.data)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/sign_in.html", form=form)


@blp.post("/sign-out")
@login_required
def sign_out() -> Any:
    """Sign out this browser (other browsers and devices stay signed in)."""
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"))


@blp.post("/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> Any:
    """End every session of this account, in every browser (remember-me cookies too)."""
    me = actor()
    users.end_sessions(get_session(), me, actor=me)
    logout_user()
    flash(
        "You are signed out everywhere: every browser must sign in again. Your API tokens "
        "still work; revoke them on your account page if one may have leaked.",
        "info",
    )
    return redirect(url_for("auth.sign_in"))
