"""Parties' declarations and objections to them, through the services."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tracker.models import AgreementState, AuditEntry
from tracker.services.audit import describe, history
from tracker.services.claims import declarations
from tracker.services.errors import Conflict, InvalidInput, Stale

RESERVATION = "جمهوری اسلامی ایران خود را ملزم به بند ۲ ماده ۱۴ نمی‌داند."


def _treaty(session):  # type: ignore[no-untyped-def]
    return factories.agreement(
        session, title="Convention on a common matter", parties=["IRN", "RUS", "FRA", "CHN"]
    )


def _reservation(session, treaty, **fields):  # type: ignore[no-untyped-def]
    data = {
        "party": "IRN",
        "kind": "reservation",
        "text": RESERVATION,
        "language": "fa",
        "made_at": "consent",
        "date": "2025-01-17",
    } | fields
    return declarations.record_declaration(session, treaty.id, data)


def _refused(call, *args, **kwargs) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as refused:
        call(*args, **kwargs)
    return refused.value.errors


def test_a_reservation_keeps_its_words_and_is_folded_for_search(session):
    treaty = _treaty(session)
    made = _reservation(session, treaty, date="۱۴۰۳/۱۰/۲۸")
    assert made.text == RESERVATION
    assert (made.date, made.party_code, made.made_at) == ("2025-01-17", "IRN", "consent")
    assert "ي" not in made.search_text and made.search_text != ""


def test_an_objection_answers_another_partys_declaration(session):
    treaty = _treaty(session)
    reservation = _reservation(session, treaty)
    objection = declarations.record_declaration(
        session,
        treaty.id,
        {"party": "fra", "kind": "objection", "objects_to": reservation.id, "date": "2026-03-01"},
    )
    assert objection.party_code == "FRA" and objection.objects_to_id == reservation.id
    assert declarations.objected_by(declarations.get_declaration(session, reservation.id)) == [
        objection
    ]
    listed = declarations.list_declarations(session, treaty.id)
    assert [(d.party_code, d.kind) for d in listed] == [
        ("IRN", "reservation"),
        ("FRA", "objection"),
    ]


def test_what_an_objection_may_answer(session):
    treaty = _treaty(session)
    other = factories.agreement(session, parties=["IRN", "FRA"])
    reservation = _reservation(session, treaty)
    elsewhere = _reservation(session, other)
    objection = declarations.record_declaration(
        session, treaty.id, {"party": "FRA", "kind": "objection", "objects_to": reservation.id}
    )
    record = declarations.record_declaration
    cases = [
        {"party": "FRA", "kind": "objection"},  # answers nothing
        {"party": "IRN", "kind": "objection", "objects_to": reservation.id},  # its own
        {"party": "RUS", "kind": "objection", "objects_to": objection.id},  # an objection
        {"party": "RUS", "kind": "objection", "objects_to": elsewhere.id},  # another treaty's
        {"party": "RUS", "kind": "objection", "objects_to": 999_999},
        {"party": "RUS", "kind": "declaration", "text": "x", "objects_to": reservation.id},
    ]
    for data in cases:
        assert set(_refused(record, session, treaty.id, data)) == {"objects_to"}, data


def test_the_party_is_one_of_the_agreements_and_the_words_are_required(session):
    treaty = _treaty(session)
    errors = _refused(
        declarations.record_declaration,
        session,
        treaty.id,
        {"party": "USA", "kind": "reservation", "text": "x"},
    )
    assert "not a party to this agreement" in errors["party"][0]
    assert (
        "unknown party code"
        in _refused(
            declarations.record_declaration,
            session,
            treaty.id,
            {"party": "XYZ", "kind": "reservation", "text": "x"},
        )["party"][0]
    )
    errors = _refused(
        declarations.record_declaration,
        session,
        treaty.id,
        {"party": "IRN", "kind": "promise", "made_at": "ratification", "date": "2025-02-30"},
    )
    assert set(errors) == {"kind", "made_at", "date"}
    errors = _refused(
        declarations.record_declaration,
        session,
        treaty.id,
        {"party": "IRN", "kind": "understanding"},
    )
    assert set(errors) == {"text"}


def test_withdrawing_is_amending_withdrawn_on_not_before_the_date(session):
    treaty = _treaty(session)
    reservation = _reservation(session, treaty)
    errors = _refused(
        declarations.amend_declaration, session, reservation.id, {"withdrawn_on": "2024-12-31"}
    )
    assert set(errors) == {"withdrawn_on"}
    withdrawn = declarations.amend_declaration(
        session, reservation.id, {"withdrawn_on": "2026-05-04"}
    )
    assert (withdrawn.withdrawn_on, str(withdrawn.withdrawn_earliest)) == (
        "2026-05-04",
        "2026-05-04",
    )
    with pytest.raises(Stale):
        declarations.amend_declaration(session, reservation.id, {"note": "x"}, version=1)


def test_declarations_never_change_participation(session):
    treaty = _treaty(session)
    before = session.get(AgreementState, treaty.id)
    session.refresh(before)
    participants = before.derived
    reservation = _reservation(session, treaty)
    declarations.amend_declaration(session, reservation.id, {"withdrawn_on": "2026-01-01"})
    after = session.get(AgreementState, treaty.id)
    session.refresh(after)
    assert after.derived == participants


def test_a_declaration_answered_by_an_objection_is_not_removed_before_it(session):
    treaty = _treaty(session)
    reservation = _reservation(session, treaty)
    objection = declarations.record_declaration(
        session, treaty.id, {"party": "RUS", "kind": "objection", "objects_to": reservation.id}
    )
    with pytest.raises(Conflict):
        declarations.remove_declaration(session, reservation.id)
    declarations.remove_declaration(session, objection.id)
    declarations.remove_declaration(session, reservation.id)
    assert declarations.list_declarations(session, treaty.id) == []


def test_the_history_says_it_in_words(session):
    treaty = _treaty(session)
    reservation = _reservation(session, treaty)
    objection = declarations.record_declaration(
        session,
        treaty.id,
        {"party": "RUS", "kind": "objection", "objects_to": reservation.id, "date": "2026-03-01"},
    )
    declarations.amend_declaration(session, reservation.id, {"withdrawn_on": "2026-05-04"})
    declarations.remove_declaration(session, objection.id)
    sentences = [line.sentence for line in describe(session, history(session, treaty.id))]
    assert "The system removed RUS's objection to IRN's reservation" in sentences
    assert "The system recorded that IRN withdrew its reservation (2026-05-04)" in sentences
    assert "The system recorded that RUS objected to IRN's reservation (2026-03-01)" in sentences
    assert "The system recorded that IRN made a reservation at consent (2025-01-17)" in sentences
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "declaration", AuditEntry.action == "create")
    ).first()
    assert entry.agreement_id == treaty.id
