"""The agreements' commands and queries, called as the API and the web pages call them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import String, func, select

from tests import factories
from tracker.db import json_text, utcnow
from tracker.models import Agreement, AgreementState, AuditEntry
from tracker.services.accounts.users import create_user
from tracker.services.agreements import commands, listing, queries
from tracker.services.agreements.lifecycle import STALLED_AFTER_DAYS
from tracker.services.errors import Conflict, InvalidInput, NotFound, Stale


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_create_stores_the_agreement_its_cached_lifecycle_and_an_audit_entry(session):
    editor = create_user(session, "editor@example.org", role="editor")
    made = commands.create_agreement(
        session,
        {"title": " Treaty ", "parties": ["RUS", "IRN"], "topics": ["Defence", "defence"]},
        actor=editor,
    )
    assert (made.title, made.party_codes, made.topics) == ("Treaty", ["RUS", "IRN"], ["defence"])
    assert session.get(AgreementState, made.id).base_status == "active"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.agreement_id == made.id)).one()
    assert (entry.action, entry.actor, entry.after["parties"]) == (
        "create",
        "editor@example.org",
        ["RUS", "IRN"],
    )


def test_an_audit_entry_keeps_the_words_as_written_and_no_derived_search_text(session, engine_name):
    """The entry holds the values a reader sees, Persian as Persian (not \\u escapes, which
    made an article's entry nearly three times as long on SQLite), and not the folded copy
    the search index reads; a value that cannot be UTF-8 still goes in, escaped."""
    made = commands.create_agreement(
        session, {"title": "توافقنامه همکاری راهبردی", "parties": ["RUS", "IRN"]}
    )
    entry = session.scalars(select(AuditEntry).where(AuditEntry.agreement_id == made.id)).one()
    assert entry.after["title"] == "توافقنامه همکاری راهبردی"
    assert "search_text" not in entry.after and made.search_text
    if engine_name == "sqlite":  # the text as stored (PostgreSQL's JSONB keeps no escapes)
        stored = session.scalar(
            select(func.cast(AuditEntry.after, String)).where(AuditEntry.id == entry.id)
        )
        assert "توافقنامه همکاری راهبردی" in stored and "\\u" not in stored
    assert json_text({"a": "x\ud800"}) == '{"a": "x\\ud800"}'
    assert json.loads(json_text({"a": "مجلس"})) == {"a": "مجلس"}


def test_refused_input_names_every_bad_field_and_writes_nothing(session):
    before = (_count(session, Agreement), _count(session, AuditEntry))
    with pytest.raises(InvalidInput) as refused:
        commands.create_agreement(
            session,
            {
                "title": "",
                "parties": ["NOPE"],
                "entry_into_force_rule": {"days_after_last_notification": 3651},
                "colour": "red",
            },
        )
    assert set(refused.value.errors) == {
        "title",
        "parties",
        "entry_into_force_rule.days_after_last_notification",
        "colour",
    }
    assert (_count(session, Agreement), _count(session, AuditEntry)) == before


def test_update_from_a_stale_version_is_refused_and_writes_nothing(session):
    treaty = factories.agreement(session)
    seen = treaty.version
    commands.update_agreement(session, treaty.id, {"summary": "First."}, expected_version=seen)
    with pytest.raises(Stale):
        commands.update_agreement(session, treaty.id, {"summary": "Second."}, expected_version=seen)
    assert queries.get_agreement(session, treaty.id).summary == "First."


def test_update_audits_links_before_and_after(session):
    treaty = factories.agreement(session)
    commands.update_agreement(session, treaty.id, {"parties": ["RUS"]})
    entry = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "update", AuditEntry.agreement_id == treaty.id
        )
    ).one()
    assert (entry.before["parties"], entry.after["parties"]) == (["RUS", "IRN"], ["RUS"])


def test_delete_hides_and_restore_brings_back(session):
    treaty = factories.agreement(session)
    commands.delete_agreement(session, treaty.id)
    with pytest.raises(NotFound):
        queries.get_agreement(session, treaty.id)
    assert [d.id for d in queries.deleted_agreements(session)] == [treaty.id]
    assert queries.deleted_count(session) == 1
    commands.restore_agreement(session, treaty.id)
    assert queries.get_agreement(session, treaty.id).id == treaty.id
    with pytest.raises(Conflict):
        commands.restore_agreement(session, treaty.id)


def test_ids_that_name_no_row_are_not_found(session):
    for ident in (0, -1, 2**31, 10**30, True, "1"):
        with pytest.raises(NotFound):
            queries.get_agreement(session, ident)  # type: ignore[arg-type]


def test_version_and_status_move_with_a_write_and_with_time_alone(session):
    treaty = factories.agreement(session)
    recent = utcnow().date() - timedelta(days=10)
    factories.event(session, treaty.id, "signing", recent.isoformat())
    version, status = queries.version_and_status(session, treaty.id)
    assert status == "active"
    factories.event(
        session, treaty.id, "ratification", recent.isoformat(), party="RUS", step="lower_house"
    )
    assert queries.version_and_status(session, treaty.id)[0] > version
    later = utcnow().date() + timedelta(days=STALLED_AFTER_DAYS + 30)
    assert queries.version_and_status(session, treaty.id, today=later)[1] == "stalled"


def test_search_filters_on_party_and_derived_stage(session):
    signed = factories.agreement(session, title="Signed one", parties=["CUB", "VEN"])
    factories.event(session, signed.id, "signing", "2025-01-17")
    factories.agreement(session, title="Other", parties=["CUB", "PRK"])
    rows, total = listing.search(session, listing.AgreementFilters(party="VEN"))
    assert (total, [r.title for r in rows]) == (1, ["Signed one"])
    rows, total = listing.search(session, listing.AgreementFilters(party="CUB", stage="signing"))
    assert (total, [r.id for r in rows]) == (1, [signed.id])
