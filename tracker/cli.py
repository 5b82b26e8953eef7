"""`flask --app app tracker ...` commands. Thin: each parses its options and calls a service."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker import migrate
from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.services import state
from tracker.services.errors import ServiceError, ValidationError
from tracker.services.seed import DEFAULT_SEED_DIR, load_seed
from tracker.services.users import create_token as make_token
from tracker.services.users import create_user as make_user
from tracker.services.users import find_user, get_user_by_email


def _fail(exc: ServiceError) -> None:
    """Print a service error as a one-line message per field and exit with status 1."""
    if isinstance(exc, ValidationError):
        for field, messages in exc.errors.items():
            for message in messages:
                click.echo(f"Error: {field}: {message}", err=True)
    else:
        click.echo(f"Error: {exc}", err=True)
    sys.exit(1)


@click.group(help="Treaty Tracker administration.")
def tracker() -> None:
    pass


@tracker.group(help="Database schema migrations (Alembic, in migrations/).")
def db() -> None:
    pass


def _engine():  # type: ignore[no-untyped-def]
    return current_app.extensions["tracker.engine"]


@db.command("upgrade", help="Migrate the database to REVISION (default: the newest, head).")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """After reaching head, derived data missing for older rows (the lifecycle cache) is built."""
    migrate.upgrade(_engine(), revision)
    click.echo(f"Database at {revision}.")
    if revision == "head":
        built = state.rebuild(get_session(), only_missing=True)
        if built:
            click.echo(f"Derived the lifecycle of {built} agreement(s).")


@db.command("downgrade", help="Migrate the database back to REVISION (base: empty).")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    migrate.downgrade(_engine(), revision)
    click.echo(f"Database at {revision}.")


@db.command("current", help="Show the revision the database is at.")
@with_appcontext
def db_current() -> None:
    migrate.current(_engine())


@db.command(
    "revision", help="Write a new migration from the difference between models and database."
)
@click.option("-m", "--message", required=True, help="What the migration changes.")
@click.option("--empty", is_flag=True, help="Write an empty migration instead of comparing.")
@with_appcontext
def db_revision(message: str, empty: bool) -> None:
    migrate.revision(_engine(), message, autogenerate=not empty)


@tracker.command(help="Load the seed data: parties, aliases, principles and the founding case.")
@click.option(
    "--dir",
    "seed_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_SEED_DIR,
    show_default=True,
    help="Folder with the seed files.",
)
@with_appcontext
def seed(seed_dir: Path) -> None:
    """Idempotent: running it again changes nothing."""
    try:
        report = load_seed(get_session(), seed_dir)
    except ServiceError as exc:
        _fail(exc)
    click.echo(report.summary())


@tracker.command(
    "create-user", help="Create a user. Without --password the user signs in with API tokens only."
)
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.VIEWER.value,
    show_default=True,
)
@click.option("--password", help="At least 10 characters.")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option(
    "--timezone", default="UTC", show_default=True, help="IANA time zone, e.g. Asia/Tehran."
)
@click.option("--exists-ok", is_flag=True, help="Succeed without change if the user exists.")
@with_appcontext
def create_user(
    email: str, role: str, password: str | None, display_name: str, timezone: str, exists_ok: bool
) -> None:
    if exists_ok and find_user(get_session(), email) is not None:
        click.echo(f"{email} exists already; left unchanged.")
        return
    try:
        user = make_user(
            get_session(),
            email,
            role=role,
            password=password,
            display_name=display_name,
            timezone=timezone,
        )
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"Created {user.role} {user.email}.")


@tracker.command(
    "create-token", help="Create an API token for EMAIL and print it alone on standard output."
)
@click.argument("email")
@click.option("--name", default="", help="A label to tell tokens apart.")
@with_appcontext
def create_token(email: str, name: str) -> None:
    session = get_session()
    try:
        user = get_user_by_email(session, email)
        _row, token = make_token(session, user, name=name)
    except ServiceError as exc:
        _fail(exc)
    click.echo(token)
