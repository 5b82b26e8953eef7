"""The agreement's history read as sentences: who did what to which claim, principle or
reminder, in words a researcher reads."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from tests import factories
from tracker.models import Reminder
from tracker.services.accounts.users import create_user
from tracker.services.agreements.commands import update_agreement
from tracker.services.audit import describe, history
from tracker.services.claims.events import prefer_event, retract_event
from tracker.services.claims.principles import state_principle
from tracker.services.reminders.manual import create_reminder, update_reminder
from tracker.services.reminders.rules import run


def _sentences(session, agreement_id):  # type: ignore[no-untyped-def]
    return [line.sentence for line in describe(session, history(session, agreement_id))][::-1]


def test_each_change_reads_as_a_sentence(session):
    admin = create_user(session, "admin@example.org", role="admin", display_name="Admin")
    treaty = factories.agreement(session)
    update_agreement(session, treaty.id, {"title": "Renamed", "parties": ["RUS"]}, actor=admin)
    first = factories.event(
        session,
        treaty.id,
        "ratification",
        "2025-04-08",
        step="lower_house",
        party="RUS",
        body="State Duma",
        actor=admin,
    )
    second = factories.event(
        session,
        treaty.id,
        "ratification",
        "2025-04-09",
        step="lower_house",
        party="RUS",
        actor=admin,
    )
    factories.event(session, treaty.id, "signing", "2025-01~", status="expected", actor=admin)
    prefer_event(session, first.id, actor=admin)
    prefer_event(session, second.id, actor=admin)
    retract_event(session, first.id, actor=admin)
    state_principle(
        session, treaty.id, {"principle": "un_charter", "clause": "Art. 1"}, actor=admin
    )
    reminder = create_reminder(
        session,
        {"agreement_id": treaty.id, "due": "2025-05-01", "reason": "Check the vote"},
        actor=admin,
    )
    update_reminder(session, reminder.id, {"status": "dismissed"}, actor=admin)
    assert _sentences(session, treaty.id) == [
        "The system created the agreement",
        "Admin edited the agreement (bilateral, parties, title)",  # one party: not bilateral
        "Admin recorded Ratification · lower house · RUS (2025-04-08)",
        "Admin recorded Ratification · lower house · RUS (2025-04-09)",
        "Admin recorded Signing (2025-01~) as expected",
        "Admin preferred Ratification · lower house · RUS (2025-04-08) over the claims that "
        "disagree with it",
        "Admin set Ratification · lower house · RUS (2025-04-08) aside: another claim is preferred",
        "Admin preferred Ratification · lower house · RUS (2025-04-09) over the claims that "
        "disagree with it",
        "Admin retracted Ratification · lower house · RUS (2025-04-08)",
        "Admin stated the principle “Purposes and principles of the UN Charter” for the "
        "parties together in Art. 1",
        "Admin set the reminder “Check the vote” (due 2025-05-01)",
        "Admin dismissed the reminder “Check the vote”",
    ]


def test_what_the_rules_do_reads_as_sentences(session):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "announcement", "2024-01-15")
    run(session, now=datetime(2024, 6, 1, tzinfo=UTC))
    made = session.scalar(select(Reminder).where(Reminder.agreement_id == treaty.id))
    factories.event(session, treaty.id, "signing", "2024-06-02")
    run(session, now=datetime(2024, 6, 3, tzinfo=UTC))
    rules = [s for s in _sentences(session, treaty.id) if s.startswith("The reminder rules")]
    assert rules == [
        f"The reminder rules set the reminder “{made.reason}” (due {made.due.isoformat()})",
        f"The reminder rules closed the reminder “{made.reason}”: {made.closed_note}",
    ]
