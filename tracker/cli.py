"""`flask --app app tracker ...` commands. Thin: each parses its options and calls a service."""

from __future__ import annotations

import sys
import threading
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker import logs, migrate
from tracker.db import get_session, utcnow
from tracker.jobs.scheduler import serve
from tracker.models.vocab import Role
from tracker.services.accounts.users import create_token as make_token
from tracker.services.accounts.users import create_user as make_user
from tracker.services.accounts.users import find_user, get_user_by_email
from tracker.services.agreements import state
from tracker.services.claims import status_import
from tracker.services.data import transfer
from tracker.services.data.seed import DEFAULT_SEED_DIR, load_seed
from tracker.services.digests import weekly
from tracker.services.errors import InvalidInput, ServiceError
from tracker.services.evidence import imports
from tracker.services.feeds import manage, polling
from tracker.services.inbox import items as inbox_items
from tracker.services.infra.mail import MailError, MailSettings
from tracker.services.reminders import rules
from tracker.services.reminders.rules import RuleSettings
from tracker.text.dates import OUT_OF_RANGE, in_range


def _fail(exc: ServiceError, code: int = 1) -> None:
    """Print a service error as a one-line message per field and exit with status `code`."""
    if isinstance(exc, InvalidInput):
        for field, messages in exc.errors.items():
            for message in messages:
                click.echo(f"Error: {field}: {message}", err=True)
    else:
        click.echo(f"Error: {exc}", err=True)
    sys.exit(code)


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


@tracker.command(
    help="Load the seed data: parties, members of organisations, aliases, principles and "
    "the example cases."
)
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
@click.option("--password", help="At least 10 characters, not a common password.")
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


@tracker.command(
    "import-status",
    help="Record the UN Treaty Collection's status table in FILE (- for standard input) as "
    "claims of the agreement REF (its ref, or its id): the table as copied from the UN's page "
    "(tab-separated) or CSV, a header line, then Participant | Signature | Ratification, "
    "Acceptance(A), Approval(AA), Accession(a), Succession(d). Dates like 20 Sep 2023, the "
    "UN's marker after the instrument's date. Each readable row becomes the party's signing "
    "and instrument, quoting its row of the table (stored as an article); a party not yet "
    "among the agreement's is added. Importing the same table again records nothing new. "
    "Rows not read are listed with their line; exit status 1 when none could be read.",
)
@click.argument("ref")
@click.argument("source", metavar="FILE", type=click.File("r", encoding="utf-8-sig"))
@click.option("--as", "email", metavar="EMAIL", help="Record the claims as made by this user.")
@with_appcontext
def import_status_command(ref: str, source: Any, email: str | None) -> None:
    session = get_session()
    try:
        actor = get_user_by_email(session, email) if email else None
        agreement = status_import.find_agreement(session, ref)
        result = status_import.import_status(session, agreement.id, source.read(), actor=actor)
    except ServiceError as exc:
        _fail(exc)
    for unread in result.unread:
        click.echo(f"Not read: {unread}", err=True)
    click.echo(result.summary())


@tracker.command(
    "import-articles",
    help="Import evidence articles from FILE (JSON Lines: one object per line with the fields "
    "of POST /api/v1/articles; - for standard input). Each line is stored or refused on its "
    "own; a URL already stored is not stored twice; URLs are not fetched. Exit status 1 when "
    "any line was refused.",
)
@click.argument("source", metavar="FILE", type=click.File("rb"))
@click.option("--as", "email", metavar="EMAIL", help="Record the articles as added by this user.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Processes that read, check and sign lines while this one stores them (0: this one "
    f"does it all; a file under {imports.PARALLEL_FROM} lines is read here anyway).",
)
@with_appcontext
def import_articles_command(source: Any, email: str | None, quiet: bool, workers: int) -> None:
    session = get_session()
    actor = None
    if email:
        try:
            actor = get_user_by_email(session, email)
        except ServiceError as exc:
            _fail(exc)
    # Bytes, decoded line by line: a line that is not UTF-8 is refused on its own. Split on
    # newlines only (not splitlines: JSON strings may hold U+2028).
    lines = source.read().split(b"\n")
    created = existing = 0
    refused: list[imports.LineResult] = []
    started = time.perf_counter()
    # Closed on the way out, whatever happens: a preparing process is not left behind.
    with (
        closing(imports.prepared_lines(lines, workers=workers)) as read,
        click.progressbar(
            imports.import_articles(session, read, actor=actor),
            length=sum(1 for line in lines if line.strip()),
            label="Importing articles",
            file=sys.stderr,
            show_pos=True,
            hidden=quiet,
        ) as results,
    ):
        for result in results:
            if result.errors:
                refused.append(result)
            elif result.created:
                created += 1
            else:
                existing += 1
    elapsed = time.perf_counter() - started
    for result in refused:
        for name, messages in result.errors.items():
            click.echo(f"Error: line {result.line}: {name}: {' '.join(messages)}", err=True)
    rate = created / elapsed if elapsed else 0.0
    click.echo(
        f"{created} article(s) imported, {existing} already stored (same URL), "
        f"{len(refused)} line(s) refused; {elapsed:.1f} s, {rate:.0f} articles/s."
    )
    if refused:
        sys.exit(1)


@tracker.command(
    "export",
    help="Write everything (agreements, events, articles with their text, links, principles, "
    "reminders, digests, the audit trail, users without secrets) to PATH as JSON; - for "
    "standard output.",
)
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@with_appcontext
def export_command(path: str) -> None:
    engine = current_app.extensions["tracker.engine"]
    if path == "-":
        counts = transfer.export(engine, sys.stdout)
    else:
        with open(path, "w", encoding="utf-8") as out:
            counts = transfer.export(engine, out)
    click.echo(_counted(counts, "exported"), err=True)


@tracker.command(
    "import",
    help="Load an export (from `tracker export`) into this empty, migrated database, keeping "
    "every id. Users come without passwords: make an admin with create-user, then set "
    "passwords through the admin API.",
)
@click.argument("path", type=click.File("r", encoding="utf-8"))
@with_appcontext
def import_command(path: Any) -> None:
    try:
        counts = transfer.import_(current_app.extensions["tracker.engine"], path)
    except ServiceError as exc:
        _fail(exc)
    click.echo(_counted(counts, "imported"))


def _counted(counts: dict[str, int], done: str) -> str:
    rows = sum(counts.values())
    main = ", ".join(
        f"{counts.get(t, 0)} {label}"
        for t, label in (
            ("agreement", "agreements"),
            ("stage_event", "events"),
            ("evidence_article", "articles"),
            ("user_account", "users"),
        )
    )
    return f"{rows} rows {done} from {len(counts)} tables ({main})."


@tracker.group(help="News feeds watched for new stories (they land in the inbox).")
def feeds() -> None:
    pass


@feeds.command(
    "add",
    help="Watch the RSS or Atom feed at URL: it is polled at the next round, then every "
    "--every minutes. Prints the new feed's id and title. An address already watched (in "
    "any spelling of it) or one that cannot be fetched is refused with exit status 2.",
)
@click.argument("url")
@click.option("--title", default=None, help="A name for the feed (default: the site's host).")
@click.option(
    "--language",
    default=None,
    help="The language of stories that do not say theirs: fa, ru, ar, en...",
)
@click.option(
    "--every",
    "every",
    type=int,
    default=None,
    help="Poll every MINUTES minutes, 5 to 10080 (default 60).",
    metavar="MINUTES",
)
@with_appcontext
def feeds_add(url: str, title: str | None, language: str | None, every: int | None) -> None:
    data: dict[str, Any] = {"url": url}
    if title is not None:
        data["title"] = title
    if language is not None:
        data["language"] = language
    if every is not None:
        data["poll_every_minutes"] = every
    try:
        feed = manage.add_feed(get_session(), data)
    except ServiceError as exc:
        _fail(exc, 2)
    click.echo(f"Added feed {feed.id}: {feed.title}")


@feeds.command(
    "poll",
    help="Poll the news feeds that are due, once, now (the scheduler does it every "
    "TRACKER_FEEDS_EVERY minutes): new stories become articles and inbox items. Prints one "
    "line per outcome (fetched, not modified, failed with the reason, paused, busy: being "
    "polled by the scheduler meanwhile) and the number of new articles. A feed that fails is "
    "retried later, not by this command.",
)
@click.option(
    "--feed", "feed_id", type=click.IntRange(min=1), help="Only this feed (by id), due or not."
)
@click.option(
    "--now",
    "now_text",
    metavar="ISO",
    help="The instant to poll as (which feeds are due, when each is next due); default: now.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@with_appcontext
def feeds_poll(feed_id: int | None, now_text: str | None, quiet: bool) -> None:
    now = _instant(now_text) or utcnow()
    session = get_session()
    try:
        total = len(polling.round_feed_ids(session, now, feed_id))
    except ServiceError as exc:
        raise click.BadParameter(str(exc), param_hint="--feed") from None
    session.rollback()
    settings = polling.PollSettings.from_config(current_app.config)
    lock = threading.Lock()
    with click.progressbar(
        length=total,
        label="Polling feeds",
        file=sys.stderr,
        show_pos=True,
        hidden=quiet,
    ) as bar:

        def tick(_result: polling.PollResult) -> None:
            with lock:
                bar.update(1)

        results = polling.poll_round(
            current_app.extensions["tracker.sessionmaker"],
            now=now,
            settings=settings,
            feed_id=feed_id,
            progress=tick,
        )
    for result in results:
        for reason, count in result.skipped.items():
            click.echo(
                f"feed {result.feed_id}: {count} entr{'y' if count == 1 else 'ies'} "
                f"skipped ({reason})"
            )
    click.echo(polling.summary(results))


@tracker.group(help="The evidence inbox: stories from the news feeds waiting for triage.")
def inbox() -> None:
    pass


@inbox.command(
    "purge",
    help="Remove the dismissed and off-topic stories older than TRACKER_INBOX_RETENTION_DAYS "
    "(90 by default), with their articles; a story an evidence quote rests on is kept.",
)
@click.option(
    "--now",
    "now_text",
    metavar="ISO",
    help="The instant to count the retention from (e.g. 2025-05-20); default: now.",
)
@click.option(
    "--days",
    type=click.IntRange(1, 36500),
    help="Retention in days instead of TRACKER_INBOX_RETENTION_DAYS.",
)
@with_appcontext
def inbox_purge(now_text: str | None, days: int | None) -> None:
    retention = days or int(current_app.config.get("INBOX_RETENTION_DAYS", 90))
    gone = inbox_items.purge(get_session(), now=_instant(now_text), retention_days=retention)
    click.echo(f"{gone} stor{'y' if gone == 1 else 'ies'} removed (older than {retention} days).")


@tracker.group(help="Reminders made by the rules.")
def reminders() -> None:
    pass


@reminders.command("run", help="Apply the reminder rules once, then email what has fallen due.")
@click.option(
    "--now",
    "now_text",
    metavar="ISO",
    help="The instant to run as (e.g. 2025-05-20 or 2025-05-20T08:00+00:00); default: now.",
)
@click.option("--no-mail", is_flag=True, help="Do not send the due emails.")
@with_appcontext
def reminders_run(now_text: str | None, no_mail: bool) -> None:
    now = _instant(now_text)
    session = get_session()
    report = rules.run(session, now=now, settings=RuleSettings.from_config(current_app.config))
    click.echo(report.summary())
    if not no_mail:
        try:
            sent = rules.notify_due(
                session,
                now=now,
                mail=MailSettings.from_config(current_app.config),
                base_url=current_app.config["BASE_URL"],
            )
        except MailError as exc:
            click.echo(f"Error: {exc}; the emails will be tried again on the next run.", err=True)
            sys.exit(1)
        click.echo(f"{sent} email(s) sent.")


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not an ISO date or date-time", param_hint="--now"
        ) from None
    if not in_range(value.date()):
        raise click.BadParameter(f"{text!r} {OUT_OF_RANGE}", param_hint="--now")
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@tracker.command(
    help="Run the scheduler (reminder rules every hour, weekly digests, news feeds every "
    "TRACKER_FEEDS_EVERY minutes, the inbox's purge daily) until stopped. One at a time: "
    "a second one waits idle and takes over when the first stops."
)
@click.option(
    "--reminders-every", default=3600.0, show_default=True, help="Seconds between reminder runs."
)
@click.option("--poll", default=10.0, show_default=True, help="Seconds between tries for the lock.")
@with_appcontext
def scheduler(reminders_every: float, poll: float) -> None:
    logs.configure(current_app.config.get("LOG_FORMAT") or "text")
    serve(
        current_app._get_current_object(),
        reminders_every=timedelta(seconds=reminders_every),
        poll=poll,
    )


@tracker.command(help="Preview or send the weekly digest of WEEK (e.g. 2025-W16).")
@click.option("--week", required=True, help="ISO week, e.g. 2025-W16.")
@click.option(
    "--preview", "mode", flag_value="preview", default=True, help="Print it (the default)."
)
@click.option("--send", "mode", flag_value="send", help="Send it by mail, once per subscriber.")
@click.option("--user", "email", help="Only this subscriber (default: every subscriber).")
@click.option("--html", is_flag=True, help="With --preview: print the HTML instead of the text.")
@with_appcontext
def digest(week: str, mode: str, email: str | None, html: bool) -> None:
    session = get_session()
    try:
        weekly.parse_week(week)
    except InvalidInput as exc:
        raise click.BadParameter(exc.errors["week"][0], param_hint="--week") from None
    users = weekly.subscribers(session, email)
    if email and not users:
        _fail(ServiceError(f"no active subscriber with email {email!r}"))
    base_url = current_app.config["BASE_URL"]
    if mode == "preview":
        for user in users:
            page, text = weekly.preview(session, user, week, base_url)
            click.echo(f"===== {user.email} =====")
            click.echo(
                (page if html else text) or "(no digest: nothing moved, and none is wanted then)"
            )
        return
    try:
        report = weekly.deliver(
            session,
            users,
            {u.id: week for u in users},
            mail=MailSettings.from_config(current_app.config),
            base_url=base_url,
        )
    except MailError as exc:
        _fail(ServiceError(f"{exc}; run it again to send the rest (none is sent twice)"))
    click.echo(report.summary())
