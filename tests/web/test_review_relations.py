"""The review page's relations to other agreements and parties' reservations: rows with
their sentence, the other agreement chosen among those the text may name, one submission."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests import factories
from tests.web.conftest import csrf, errors_beside
from tracker.models import Agreement, AgreementRelation, Declaration
from tracker.services.claims.declarations import record_declaration
from tracker.services.claims.relations import list_relations, remove_relation

PERSIAN = "روسای جمهور روسیه و ایران معاهده را امضا کردند که جایگزین معاهده ۲۰۰۱ خواهد شد."
RESERVATION = "Iran entered a reservation to article 5 upon ratification."
OBJECTION = "Greece objected to the reservation made by Turkey."


def _seeded(session, ref: str) -> Agreement:  # type: ignore[no-untyped-def]
    return session.scalar(select(Agreement).where(Agreement.ref == ref))


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model))


def _case(session):  # type: ignore[no-untyped-def]
    """The seed's 2025 and 2001 treaties, without the relation the seed records between them
    (this review records it), and a Persian report of the signing."""
    new = _seeded(session, "rus-irn-comprehensive-strategic-partnership")
    old = _seeded(session, "rus-irn-foundations-of-relations-2001")
    for view in list_relations(session, new.id):
        remove_relation(session, view.relation.id)
    article = factories.article(session, PERSIAN + "\n" + RESERVATION, language="fa")
    return new, old, article, f"/agreements/{new.id}/evidence/{article.id}/review"


def _box(html: str, field_id: str) -> str:
    match = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html)
    assert match, field_id
    return match.group(0)


def _rows(old_id: int, **declaration: str) -> dict[str, str]:
    return {
        "relations-0-accept": "y",
        "relations-0-index": "0",
        "relations-0-type": "supersedes",
        "relations-0-target_id": str(old_id),
        "relations-0-date": "",
        "declarations-0-accept": "y",
        "declarations-0-index": "0",
        "declarations-0-kind": "reservation",
        "declarations-0-party": "IRN",
        "declarations-0-made_at": "consent",
        "declarations-0-date": "",
        "declarations-0-text": "",
    } | {f"declarations-0-{k}": v for k, v in declaration.items()}


def test_the_persian_replacement_offers_the_2001_treaty_first_and_is_recorded(editor_web, session):
    new, old, article, review = _case(session)
    html = editor_web.get(review).get_data(as_text=True)
    assert "Relations to other agreements" in html and "Reservations and declarations" in html
    assert "جایگزین معاهده ۲۰۰۱" in html
    target = re.search(r'<select[^>]*id="relations-0-target_id"[^>]*>(.*?)</select>', html, re.S)
    assert target
    first = re.search(r'<option([^>]*)value="(\d+)"([^>]*)>([^<]*)<', target.group(1))
    assert first and first.group(2) == str(old.id)
    assert "selected" in first.group(1) + first.group(3)
    assert first.group(4) == old.title  # in full
    assert "checked" in _box(html, "relations-0-accept")  # confident, with a candidate

    response = editor_web.post(
        review, data={"csrf_token": csrf(editor_web, review)} | _rows(old.id)
    )
    assert response.status_code == 302
    page = editor_web.get(response.headers["Location"]).get_data(as_text=True)
    assert "Recorded 1 relation and 1 reservation from Test outlet" in page
    [view] = list_relations(session, old.id)
    assert (view.label, view.other.id) == ("superseded by", new.id)
    assert [q["quote"] for q in view.quotes] == [PERSIAN]
    assert "Superseded by" in editor_web.get(f"/agreements/{old.id}").get_data(as_text=True)
    declaration = session.scalar(
        select(Declaration).where(
            Declaration.agreement_id == new.id, Declaration.party_code == "IRN"
        )
    )
    assert (declaration.kind, declaration.made_at, declaration.text) == (
        "reservation",
        "consent",
        RESERVATION,
    )
    assert [link.quote for link in declaration.evidence] == [RESERVATION]


def test_a_bad_row_shows_its_error_beside_it_and_records_nothing(editor_web, session):
    new, old, article, review = _case(session)
    before = (_count(session, AgreementRelation), _count(session, Declaration))
    response = editor_web.post(
        review,
        data={"csrf_token": csrf(editor_web, review)}
        | _rows(old.id, party="GRC", date="2025-02-30"),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "GRC is not a party to this agreement" in errors_beside(html, "declarations-0-party")
    assert errors_beside(html, "declarations-0-date")
    assert 'value="2025-02-30"' in html  # what was typed is kept
    assert (_count(session, AgreementRelation), _count(session, Declaration)) == before
    assert list_relations(session, old.id) == []


def test_a_relation_without_a_candidate_and_an_objection_without_a_reservation_cannot_be_ticked(
    editor_web, session
):
    lone = factories.agreement(session, title="Lone pact", parties=["GRC", "TUR"])
    article = factories.article(
        session, "The protocol replaces the 1887 treaty on lighthouses. " + OBJECTION
    )
    review = f"/agreements/{lone.id}/evidence/{article.id}/review"
    html = editor_web.get(review).get_data(as_text=True)
    # a relation found, naming no agreement the tracker has
    assert "disabled" in _box(html, "relations-0-accept")
    assert "no agreement found — record it from the agreement page" in html
    assert "disabled" in _box(html, "declarations-0-accept")
    assert "no declaration of another party to object to" in html

    # once Turkey's reservation is on the record, the objection may answer it
    reservation = record_declaration(
        session, lone.id, {"party": "TUR", "kind": "reservation", "text": "Turkey reserves art. 5."}
    )
    html = editor_web.get(review).get_data(as_text=True)
    box = _box(html, "declarations-0-accept")
    assert "disabled" not in box and "checked" in box
    chosen = re.search(
        r'<select[^>]*id="declarations-0-objects_to"[^>]*>(.*?)</select>', html, re.S
    )
    assert chosen and re.search(
        rf'<option[^>]*(selected[^>]*value="{reservation.id}"|value="{reservation.id}"[^>]*selected)',
        chosen.group(1),
    )
