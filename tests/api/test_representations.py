"""The representations marshmallow makes from their schemas (reminders, audit entries,
digests, principles, deleted agreements), pinned as the exact JSON text a client receives:
key order, nulls, the form of days and instants, and how people are named to each reader."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.api.conftest import Api
from tracker.models import Agreement, AuditEntry, Digest, Principle
from tracker.services.accounts.users import create_token, create_user
from tracker.services.agreements import commands
from tracker.services.reminders.manual import create_reminder, update_reminder

AT = datetime(2025, 4, 1, 12, 30, 5, 123456, tzinfo=UTC)
TIME = "2025-04-01T12:30:05.123456+00:00"
LATER = "2025-04-01T13:30:05.123456+00:00"


@pytest.fixture
def made(app, session):  # type: ignore[no-untyped-def]
    """A reminder done by a named editor, a digest, an entry by a rule and one by a person
    outside the staff, and a deleted agreement, all at fixed times; public read on."""
    named = create_user(session, "nadia@staff.example", role="editor", display_name="Nadia Karimi")
    admin = create_user(session, "boss@staff.example", role="admin")
    treaty = factories.agreement(session, title="Pinned treaty")
    reminder = create_reminder(
        session,
        {
            "agreement_id": treaty.id,
            "due": "2030-01-01",
            "reason": "بررسی تصویب",
            "assignee": named.email,
            "stage": "ratification",
            "party": "IRN",
        },
        actor=admin,
    )
    update_reminder(session, reminder.id, {"status": "done", "closed_note": "Done"}, actor=named)
    reminder.created_at, reminder.updated_at, reminder.closed_at = AT, AT, AT + timedelta(hours=1)
    digest = Digest(
        user_id=named.id,
        week="2025-W16",
        sections={"moved": [{"id": treaty.id, "title": "Договор"}]},
        html="",
        text="",
        created_at=AT,
    )
    gone = factories.agreement(session, title="Gone")
    commands.delete_agreement(session, gone.id, actor=admin)
    session.get(Agreement, gone.id).deleted_at = AT
    session.add_all(
        [
            digest,
            AuditEntry(
                at=AT,
                actor="reminder rules",
                action="update",
                entity="reminder",
                entity_id="7",
                agreement_id=treaty.id,
                before={"status": "open"},
                after={"status": "done"},
            ),
            AuditEntry(
                at=AT + timedelta(hours=1),
                user_id=named.id,
                actor=named.email,
                action="create",
                entity="stage_event",
                entity_id="8",
                agreement_id=treaty.id,
                before=None,
                after={"stage": "signing"},
            ),
        ]
    )
    session.flush()
    for entry in session.scalars(
        select(AuditEntry).where(AuditEntry.agreement_id == treaty.id, AuditEntry.at > AT)
    ):
        if entry.entity != "stage_event":  # what the services recorded: before the pinned two
            entry.at = AT - timedelta(days=1)
    session.commit()
    app.config["PUBLIC_READ"] = True
    return {
        "reminder": reminder.id,
        "treaty": treaty.id,
        "digest": digest.id,
        "gone": gone.id,
        "token": create_token(session, named)[1],
        "admin": create_token(session, admin)[1],
        "entries": [
            e.id
            for e in session.scalars(
                select(AuditEntry)
                .where(AuditEntry.agreement_id == treaty.id, AuditEntry.at >= AT)
                .order_by(AuditEntry.at.desc())
            )
        ],
    }


def _reminder(made: dict, assignee: str) -> str:
    return (
        f'{{"id":{made["reminder"]},"agreement_id":{made["treaty"]},"stage":"ratification",'
        f'"party":"IRN","due":"2030-01-01","reason":"بررسی تصویب","assignee":"{assignee}",'
        f'"status":"done","snoozed_until":null,"rule":null,"created_at":"{TIME}",'
        f'"updated_at":"{TIME}","closed_at":"{LATER}","closed_note":"Done"}}'
    )


def test_a_reminder_as_each_reader_sees_it(client, made):
    path = f"/api/v1/reminders/{made['reminder']}"
    signed_in = Api(client, made["token"]).get(path).get_data(as_text=True)
    assert signed_in == _reminder(made, "nadia@staff.example") + "\n"
    assert Api(client).get(path).get_data(as_text=True) == _reminder(made, "Nadia Karimi") + "\n"
    listed = Api(client).get(f"/api/v1/reminders?agreement={made['treaty']}")
    assert listed.get_data(as_text=True) == f"[{_reminder(made, 'Nadia Karimi')}]\n"


def test_an_agreements_history_as_each_reader_sees_it(client, made):
    path = f"/api/v1/agreements/{made['treaty']}/history?page_size=2"
    person, rule = made["entries"]

    def entries(who: str) -> str:
        return (
            f'[{{"id":{person},"at":"{LATER}","user":"{who}","actor":"{who}",'
            f'"action":"create","entity":"stage_event","entity_id":"8","before":null,'
            f'"after":{{"stage":"signing"}}}},'
            f'{{"id":{rule},"at":"{TIME}","user":null,"actor":"reminder rules",'
            f'"action":"update","entity":"reminder","entity_id":"7",'
            f'"before":{{"status":"open"}},"after":{{"status":"done"}}}}]\n'
        )

    assert Api(client, made["token"]).get(path).get_data(as_text=True) == entries(
        "nadia@staff.example"
    )
    assert Api(client).get(path).get_data(as_text=True) == entries("Nadia Karimi")


def test_a_digest_a_principle_and_a_deleted_agreement(client, session, made):
    digest = Api(client, made["token"]).get(f"/api/v1/digests/{made['digest']}")
    links = f"/api/v1/digests/{made['digest']}"
    assert digest.get_data(as_text=True) == (
        f'{{"id":{made["digest"]},"user":"nadia@staff.example","week":"2025-W16",'
        f'"created_at":"{TIME}","sent_at":null,'
        f'"sections":{{"moved":[{{"id":{made["treaty"]},"title":"Договор"}}]}},'
        f'"links":{{"html":"{links}/html","text":"{links}/text"}}}}\n'
    )
    principles = Api(client).get("/api/v1/principles?page_size=1").get_data(as_text=True)
    # The labels in the order the engine keeps them (PostgreSQL's jsonb sorts the keys).
    labels = json.dumps(
        session.get(Principle, "international_law").labels,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    assert "حقوق بین\u200cالملل" in labels
    assert principles == (
        f'[{{"code":"international_law","labels":{labels},"description":"Relations are '
        'conducted according to the generally recognised norms of international law."}]\n'
    )
    deleted = Api(client, made["admin"]).get("/api/v1/agreements/deleted?page_size=1")
    assert deleted.get_data(as_text=True) == (
        f'[{{"id":{made["gone"]},"title":"Gone","deleted_at":"{TIME}",'
        f'"deleted_by":"boss@staff.example"}}]\n'
    )
