"""The dashboard: agreements by stage, my reminders, recent evidence, open conflicts, claims
without evidence."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template

from tracker.db import get_session, utcnow
from tracker.models.vocab import LIFECYCLE
from tracker.services.agreements import listing, queries
from tracker.services.digests.weekly import inbox_sentence
from tracker.services.evidence import articles as evidence
from tracker.services.inbox import items as inbox
from tracker.services.reminders import manual as reminders
from tracker.web.auth import actor, reader_required

blp = Blueprint("dashboard", __name__)


@blp.get("/")
@reader_required
def index() -> str:
    session = get_session()
    rows = listing.board(session)
    columns = {stage.value: [] for stage in LIFECYCLE}
    unstaged = []
    for row in rows:
        stage = row.derived["current_stage"]
        (columns[stage] if stage in columns else unstaged).append(row)
    me = actor()
    mine = []
    if me is not None:
        mine, _ = reminders.list_reminders(
            session,
            reminders.ReminderFilters(
                for_user=me.email, due_before=utcnow().date() + timedelta(days=8)
            ),
            limit=20,
        )
        mine = [r for r in mine if r.status in ("open", "snoozed")]
    recent, _ = evidence.list_articles(session, limit=8)
    waiting = inbox.counts(session, me) if me is not None else None
    return render_template(
        "dashboard/index.html",
        columns=columns,
        unstaged=unstaged,
        reminders=mine,
        recent=recent,
        conflicts=queries.with_conflicts(session),
        unsupported=queries.unsupported_claims(session),
        reminder_titles=queries.titles(session, (r.agreement_id for r in mine)),
        today=utcnow().date(),
        inbox=waiting,
        inbox_sentence=inbox_sentence(*waiting) if waiting else "",
    )
