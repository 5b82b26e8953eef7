"""A user's reminders as an iCalendar feed (RFC 5545) for calendar applications."""

from __future__ import annotations

from icalendar import Calendar, Event
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from tracker.db import utcnow
from tracker.models import Reminder, User
from tracker.models.vocab import ReminderStatus
from tracker.text.dates import add_days


def reminders_calendar(session: Session, user: User, base_url: str) -> bytes:
    """Open and snoozed reminders assigned to the user or to nobody, one all-day event each
    on its due day (or the day its snooze ends)."""
    rows = session.scalars(
        select(Reminder)
        .where(
            Reminder.status.in_([ReminderStatus.OPEN.value, ReminderStatus.SNOOZED.value]),
            or_(Reminder.assignee_id == user.id, Reminder.assignee_id.is_(None)),
        )
        .order_by(Reminder.due, Reminder.id)
        .options(selectinload(Reminder.agreement))
    )
    calendar = Calendar()
    calendar.add("prodid", "-//Treaty Tracker//reminders//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Treaty Tracker reminders")
    stamp = utcnow()
    host = base_url.split("//", 1)[-1].split("/", 1)[0] or "treaty-tracker"
    for reminder in rows:
        day = reminder.snoozed_until or reminder.due
        link = f"{base_url}/agreements/{reminder.agreement_id}"
        event = Event()
        event.add("uid", f"reminder-{reminder.id}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", add_days(day, 1))  # held at 9999-12-31 on a far-off day
        event.add("summary", f"{reminder.reason} — {reminder.agreement.title}")
        event.add("description", f"{reminder.reason}\n{reminder.agreement.title}\n{link}")
        event.add("url", link)
        calendar.add_component(event)
    return calendar.to_ical()
