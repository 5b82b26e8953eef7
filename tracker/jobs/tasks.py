"""Job functions, referenced by name ("tracker.jobs.tasks:reminders") so the job store keeps
a stable reference. Thin: each opens an app context and calls services."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Flask

from tracker.db import get_session, utcnow
from tracker.services.digests import weekly
from tracker.services.feeds import polling
from tracker.services.inbox import items as inbox_items
from tracker.services.infra.mail import MailSettings
from tracker.services.reminders.rules import RuleSettings, notify_due, run

log = logging.getLogger("tracker.jobs")
_app: Flask | None = None
_since: datetime | None = None


def bind(app: Flask) -> None:
    """The app whose settings and database the jobs use (set by the scheduler at start, once
    it holds the one-scheduler lock)."""
    global _app, _since
    _app = app
    _since = utcnow()


def _current() -> Flask:
    if _app is None:
        raise RuntimeError("jobs are not bound to an app: start them with `tracker scheduler`")
    return _app


def reminders() -> None:
    """Apply the reminder rules, then email what has fallen due."""
    app = _current()
    with app.app_context():
        session = get_session()
        report = run(session, settings=RuleSettings.from_config(app.config))
        log.info("reminders: %s", report.summary())
        sent = notify_due(
            session, mail=MailSettings.from_config(app.config), base_url=app.config["BASE_URL"]
        )
        log.info("reminders: %d email(s) sent", sent)


def digests() -> None:
    """Send each subscriber the digest of their last complete week, if not sent yet."""
    app = _current()
    with app.app_context():
        session = get_session()
        users = weekly.subscribers(session)
        report = weekly.deliver(
            session,
            users,
            weekly.due_weeks(users, utcnow()),
            mail=MailSettings.from_config(app.config),
            base_url=app.config["BASE_URL"],
            # A digest claimed before this scheduler took the lock was claimed by one that
            # died mid-send: this one sends it now rather than after CLAIM_TIMEOUT.
            stale_before=max(_since or utcnow(), utcnow() - weekly.CLAIM_TIMEOUT),
        )
        log.info("digests: %s", report.summary())


def feeds() -> None:
    """One polling round over the news feeds that are due (a feed a hand-run poll holds is
    left to it)."""
    app = _current()
    results = polling.poll_round(
        app.extensions["tracker.sessionmaker"],
        settings=polling.PollSettings.from_config(app.config),
    )
    log.info("feeds: %s", polling.summary(results))


def inbox_purge() -> None:
    """Remove the dismissed and off-topic inbox stories older than the retention period."""
    app = _current()
    with app.app_context():
        gone = inbox_items.purge(
            get_session(), retention_days=int(app.config.get("INBOX_RETENTION_DAYS", 90))
        )
        log.info("inbox: %d set-aside stor%s purged", gone, "y" if gone == 1 else "ies")
