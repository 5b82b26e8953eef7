"""Signing in and out (Flask-Login sessions), and the role checks of the HTML pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user

from tracker.db import get_session
from tracker.extensions import login_manager
from tracker.models import AuditEntry, User
from tracker.models.vocab import Role
from tracker.services import fetch
from tracker.services.audit import public_name
from tracker.services.auth import SignInRefused
from tracker.services.auth import sign_in as check_password
from tracker.services.users import shown_actor
from tracker.web.forms import SignInForm

blp = Blueprint("auth", __name__)
RANK = {Role.VIEWER.value: 0, Role.EDITOR.value: 1, Role.ADMIN.value: 2}


class WebUser(UserMixin):
    """The signed-in account as Flask-Login sees it; `.user` is the row, for services."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.id = user.id

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.user.is_active

    def can(self, role: str) -> bool:
        return RANK[self.user.role] >= RANK[role]


@login_manager.user_loader
def load_user(user_id: str) -> WebUser | None:
    user = fetch(get_session(), User, int(user_id)) if user_id.isdigit() else None
    return WebUser(user) if user is not None and user.is_active else None


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
            return render_template("auth/sign_in.html", form=form), exc.status
        login_user(WebUser(user), remember=form.remember.data)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/sign_in.html", form=form)


@blp.post("/sign-out")
@login_required
def sign_out() -> Any:
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"))
