"""Relations between agreements: checks of meaning, both directions, history, reminders."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests import factories
from tests.statements import counted
from tracker.models import Reminder
from tracker.services.agreements import commands, reading
from tracker.services.audit import describe, history, history_count
from tracker.services.claims import relations
from tracker.services.errors import InvalidInput, NotFound, Stale
from tracker.services.reminders.rules import run

OLD_TITLE = (
    "Treaty on the Foundations of Relations and Principles of Cooperation between the "
    "Russian Federation and the Islamic Republic of Iran"
)
NEW_TITLE = "Treaty on Comprehensive Strategic Partnership between Russia and Iran"
REPORT = "Москва и Тегеран подписали новый договор, который заменит договор 2001 года."


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def errors_of(call) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        call()
    return caught.value.errors


@pytest.fixture
def pair(session):  # type: ignore[no-untyped-def]
    old = factories.agreement(session, title=OLD_TITLE)
    new = factories.agreement(session, title=NEW_TITLE)
    return new, old


def test_a_relation_is_listed_on_both_agreements_with_its_direction(session, pair):
    new, old = pair
    article = factories.article(session, REPORT, language="ru")
    relation = relations.record_relation(
        session,
        new.id,
        {
            "type": "supersedes",
            "target_id": old.id,
            "date": "2025-01-17",
            "evidence": [{"article_id": article.id, "quote": "заменит договор 2001 года"}],
        },
    )
    assert (relation.subject_id, relation.target_id, relation.date_earliest.isoformat()) == (
        new.id,
        old.id,
        "2025-01-17",
    )
    (on_new,) = relations.list_relations(session, new.id)
    (on_old,) = relations.list_relations(session, old.id)
    assert (on_new.role, on_new.label, on_new.other.title) == ("subject", "supersedes", OLD_TITLE)
    assert (on_old.role, on_old.label, on_old.other.title) == ("target", "superseded by", NEW_TITLE)
    assert on_old.quotes[0]["quote"] == "заменит договор 2001 года"


def test_a_relation_never_changes_a_status(session, pair):
    new, old = pair
    factories.event(session, old.id, "signing", "2001-03-12")
    factories.event(session, old.id, "entry_into_force", "2002-04-05")
    before = reading.detail(session, old.id).row.status
    relations.record_relation(session, new.id, {"type": "supersedes", "target_id": old.id})
    relations.record_relation(session, new.id, {"type": "suspends", "target_id": old.id})
    assert reading.detail(session, old.id).row.status == before


def test_checks_of_meaning_name_their_field_and_write_nothing(session, pair):
    new, old = pair
    gone = factories.agreement(session, title="Gone")
    commands.delete_agreement(session, gone.id)
    article = factories.article(session, REPORT, language="ru")

    def record(data):  # type: ignore[no-untyped-def]
        return lambda: relations.record_relation(session, new.id, data)

    assert "target_id" in errors_of(record({"type": "amends", "target_id": new.id}))
    assert "target_id" in errors_of(record({"type": "amends", "target_id": gone.id}))
    assert "target_id" in errors_of(record({"type": "amends", "target_id": 999_999}))
    assert "type" in errors_of(record({"type": "replaces", "target_id": old.id}))
    assert "date" in errors_of(
        record({"type": "amends", "target_id": old.id, "date": "2025-02-30"})
    )
    quoted = {"type": "amends", "target_id": old.id}
    quoted["evidence"] = [{"article_id": article.id, "quote": "signed in Beijing"}]
    assert "quote" in errors_of(record(quoted))
    assert relations.list_relations(session, new.id) == []

    relations.record_relation(session, new.id, {"type": "amends", "target_id": old.id})
    assert "target_id" in errors_of(record({"type": "amends", "target_id": old.id}))
    # the other way round, or another type, is another relation
    relations.record_relation(session, old.id, {"type": "amends", "target_id": new.id})
    relations.record_relation(session, new.id, {"type": "extends", "target_id": old.id})
    assert len(relations.list_relations(session, new.id)) == 3


def test_amend_and_remove_with_versions_and_a_removed_one_can_be_recorded_again(session, pair):
    new, old = pair
    relation = relations.record_relation(session, new.id, {"type": "amends", "target_id": old.id})
    relations.amend_relation(session, relation.id, {"note": "Article 3 only"}, version=1)
    assert relation.note == "Article 3 only" and relation.version == 2
    with pytest.raises(Stale):
        relations.amend_relation(session, relation.id, {"note": "x"}, version=1)
    relations.remove_relation(session, relation.id, version=2)
    assert relations.list_relations(session, old.id) == []
    with pytest.raises(NotFound):
        relations.get_relation(session, relation.id)
    relations.record_relation(session, new.id, {"type": "amends", "target_id": old.id})


def test_relations_with_a_deleted_agreement_are_not_listed(session, pair):
    new, old = pair
    relation = relations.record_relation(
        session, new.id, {"type": "supersedes", "target_id": old.id}
    )
    commands.delete_agreement(session, new.id)
    assert relations.list_relations(session, old.id) == []
    assert relations.is_superseded(session, old.id) is False
    with pytest.raises(NotFound):
        relations.get_relation(session, relation.id)


def test_the_history_says_it_in_words(session, pair):
    new, old = pair
    relation = relations.record_relation(
        session, new.id, {"type": "supersedes", "target_id": old.id}
    )
    relations.amend_relation(session, relation.id, {"date": "2025-01-17"})
    relations.remove_relation(session, relation.id)
    sentences = [line.sentence for line in describe(session, history(session, new.id))][::-1]
    assert sentences[-3:] == [
        f"The system recorded that {NEW_TITLE} supersedes {OLD_TITLE}",
        f"The system amended the relation “{NEW_TITLE} supersedes {OLD_TITLE}” (date, date "
        "earliest, date latest)",
        f"The system removed the relation “{NEW_TITLE} supersedes {OLD_TITLE}”",
    ]
    # the target's history tells it too, though the relation is stored on the subject
    theirs = [line.sentence for line in describe(session, history(session, old.id))][::-1]
    assert theirs[-3:] == sentences[-3:]
    assert history_count(session, old.id) == len(theirs)


def test_a_superseded_agreement_gets_no_follow_up_and_its_reminders_close(session, pair):
    new, old = pair
    factories.event(session, old.id, "announcement", "2024-01-15")
    run(session, now=at("2024-05-01"))
    (unsigned,) = session.scalars(
        select(Reminder).where(Reminder.agreement_id == old.id, Reminder.rule == "unsigned")
    )
    assert unsigned.status == "open"
    relations.record_relation(session, new.id, {"type": "supersedes", "target_id": old.id})
    run(session, now=at("2024-06-01"))
    assert unsigned.status == "done"
    assert unsigned.closed_note == (
        f"Closed by the rules: the agreement was superseded by {NEW_TITLE}; no follow-up is wanted."
    )
    factories.event(session, old.id, "signing", "2024-06-02", party="RUS")
    run(session, now=at("2025-06-01"))  # long past every rule's delay
    still_open = session.scalars(
        select(Reminder).where(Reminder.agreement_id == old.id, Reminder.status == "open")
    ).all()
    assert still_open == []


def test_other_relations_leave_the_follow_up_alone(session, pair):
    new, old = pair
    factories.event(session, old.id, "announcement", "2024-01-15")
    relations.record_relation(session, new.id, {"type": "amends", "target_id": old.id})
    run(session, now=at("2024-05-01"))
    rules = session.scalars(select(Reminder.rule).where(Reminder.agreement_id == old.id)).all()
    assert "unsigned" in rules


def test_superseded_by_is_one_query_for_every_agreement(session, pair, connection):
    new, old = pair
    relations.record_relation(session, new.id, {"type": "supersedes", "target_id": old.id})
    session.flush()
    with counted(connection) as statements:
        found = relations.superseded_by(session)
    assert found[old.id] == NEW_TITLE and new.id not in found
    assert [s for s in statements if s.startswith("SELECT")] == [statements[-1]]
