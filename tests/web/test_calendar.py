"""The iCalendar feed of reminders: made on the account page, parsed with icalendar, revocable."""

from __future__ import annotations

import re
from datetime import date

from icalendar import Calendar

from tests import factories
from tests.web.conftest import csrf
from tracker.services.reminders.manual import create_reminder


def test_the_calendar_feed(editor_web, client, session, people):
    treaty = factories.agreement(session, title="Caspian pact")
    create_reminder(
        session,
        {
            "agreement_id": treaty.id,
            "due": "2026-02-01",
            "reason": "Was it signed?",
            "assignee": "editor@example.org",
        },
    )
    create_reminder(
        session,
        {
            "agreement_id": treaty.id,
            "due": "2026-03-01",
            "reason": "Someone else's",
            "assignee": "viewer@example.org",
        },
    )
    page = editor_web.post(
        "/account/calendar", data={"csrf_token": csrf(editor_web, "/account")}
    ).get_data(as_text=True)
    url = re.search(r'<code class="token">([^<]+)</code>', page).group(1)
    path = url.split("localhost", 1)[1]
    response = client.get(path)  # no sign-in: the secret in the URL is the key
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert "Was it signed? — Caspian pact" in events
    assert not any("Someone else's" in s for s in events)
    assert events["Was it signed? — Caspian pact"].decoded("dtstart") == date(2026, 2, 1)
    editor_web.post("/account/calendar/stop", data={"csrf_token": csrf(editor_web, "/account")})
    assert client.get(path).status_code == 404
    assert client.get("/feeds/not-a-token/reminders.ics").status_code == 404
