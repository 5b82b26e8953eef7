"""Far-off dates written before the supported range (years 1000 to 2999) was enforced, put
straight into the database: no page, feed or rules run may fail on them."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

from icalendar import Calendar
from sqlalchemy import select, update

from tests import factories
from tracker.jobs import tasks
from tracker.models import Agreement, Reminder, StageEvent
from tracker.services.accounts.users import create_user
from tracker.services.agreements import state
from tracker.services.reminders.calendar import reminders_calendar
from tracker.services.reminders.manual import create_reminder
from tracker.services.reminders.rules import run


def stored_far_off(session, event: StageEvent, text: str, earliest: date, latest: date) -> None:  # type: ignore[no-untyped-def]
    """Backdate what the input checks now refuse, as an older version let it in."""
    session.execute(
        update(StageEvent)
        .where(StageEvent.id == event.id)
        .values(date=text, date_earliest=earliest, date_latest=latest)
    )
    session.expire_all()
    state.refresh(session, [session.get(Agreement, event.agreement_id)])
    session.flush()


def test_a_rules_run_goes_on_past_an_agreement_with_a_far_off_date(session):
    bad = factories.agreement(session, title="Far off")
    far = factories.event(session, bad.id, "announcement", "2024-01-15")
    stored_far_off(session, far, "9999-12-31", date(9999, 12, 31), date(9999, 12, 31))
    good = factories.agreement(session, title="Ordinary")
    factories.event(session, good.id, "announcement", "2024-01-15")

    report = run(session, now=datetime(2024, 6, 1, tzinfo=UTC))

    made = {
        r.agreement_id for r in session.scalars(select(Reminder).where(Reminder.rule == "unsigned"))
    }
    assert good.id in made
    assert bad.id not in made
    assert "outside the supported range" in report.skipped[bad.id]
    assert f"agreement {bad.id}" in report.summary()


def test_a_rule_day_before_year_1000_is_not_made_into_a_reminder(session):
    treaty = factories.agreement(session)
    signed = factories.event(session, treaty.id, "signing", "2024-01-15")
    stored_far_off(session, signed, "0001-01-05", date(1, 1, 5), date(1, 1, 5))
    report = run(session, now=datetime(2024, 6, 1, tzinfo=UTC))
    assert session.scalars(select(Reminder).where(Reminder.agreement_id == treaty.id)).all() == []
    assert "ratification_quiet rule gives a day outside" in report.skipped[treaty.id]


def test_a_second_notification_after_one_dated_9999_is_recorded(session):
    treaty = factories.agreement(
        session,
        parties=["RUS", "IRN"],
        entry_into_force_rule={"days_after_last_notification": 30},
    )
    factories.event(session, treaty.id, "signing", "2024-01-15")
    first = factories.event(
        session, treaty.id, "ratification", "2024-03-01", step="notification", party="RUS"
    )
    stored_far_off(session, first, "9999-12-31", date(9999, 12, 31), date(9999, 12, 31))
    second = factories.event(
        session, treaty.id, "ratification", "2024-04-01", step="notification", party="IRN"
    )
    assert second.date == "2024-04-01"
    report = run(session, now=datetime(2024, 6, 1, tzinfo=UTC))
    assert "outside the supported range" in report.skipped[treaty.id]


def test_a_reminder_due_in_9999_leaves_the_calendar_feed_readable(session):
    user = create_user(session, "far@example.org", role="editor")
    treaty = factories.agreement(session, title="Caspian pact")
    reminder = create_reminder(
        session, {"agreement_id": treaty.id, "due": "2026-02-01", "reason": "Far off"}
    )
    create_reminder(session, {"agreement_id": treaty.id, "due": "2026-03-01", "reason": "Near"})
    session.execute(
        update(Reminder).where(Reminder.id == reminder.id).values(due=date(9999, 12, 31))
    )
    session.expire_all()
    calendar = Calendar.from_ical(reminders_calendar(session, user, "https://example.org"))
    summaries = {str(e["summary"]) for e in calendar.walk("VEVENT")}
    assert "Near — Caspian pact" in summaries


def test_the_scheduled_reminders_job_goes_on_past_a_far_off_agreement(app, session, smtp, caplog):
    mail, inbox = smtp
    app.config.update(SMTP_HOST=mail.host, SMTP_PORT=mail.port)
    create_user(session, "crew@example.org", role="editor")
    bad = factories.agreement(session, title="Far off")
    far = factories.event(session, bad.id, "announcement", "2024-01-15")
    stored_far_off(session, far, "9999-12-31", date(9999, 12, 31), date(9999, 12, 31))
    good = factories.agreement(session, title="Ordinary")
    factories.event(session, good.id, "announcement", "2024-01-15")
    tasks.bind(app)
    with caplog.at_level(logging.INFO, logger="tracker"):
        tasks.reminders()
    made = {
        r.agreement_id for r in session.scalars(select(Reminder).where(Reminder.rule.is_not(None)))
    }
    assert good.id in made and bad.id not in made
    assert f"agreement {bad.id}: the unsigned rule gives a day outside" in caplog.text
    assert len(inbox.messages) >= 1  # the good agreement's reminder was emailed
