"""Accepting an article's suggested relations and declarations on review: each recorded
with the sentence it was found in as its quote, all or nothing."""

from __future__ import annotations

import pytest

from tests import factories
from tracker.services.claims.declarations import list_declarations
from tracker.services.claims.relations import list_relations
from tracker.services.errors import InvalidInput
from tracker.services.evidence.review import accept, suggestions

TEXT = (
    "The new treaty replaces the 2001 treaty on cooperation. "
    "Turkey entered a reservation to article 5 upon ratification. "
    "Greece objected to the reservation made by Turkey."
)
MEMBERS = ["GRC", "TUR", "DEU"]


@pytest.fixture
def case(session):  # type: ignore[no-untyped-def]
    old = factories.agreement(session, title="Treaty on Cooperation of 2001", parties=MEMBERS)
    new = factories.agreement(session, title="Treaty on Partnership", parties=MEMBERS)
    article = factories.article(session, TEXT)
    return old, new, article


def test_a_relation_and_a_reservation_then_an_objection_to_it(session, case):
    old, new, article = case
    found = suggestions(session, new.id, article.id)
    [relation] = found.relations
    assert relation["candidates"][0]["id"] == old.id
    reservation, objection = found.declarations
    made = accept(
        session,
        new.id,
        article.id,
        relations=[{"index": 0, "type": "supersedes", "target_id": old.id, "date": "2025-01"}],
        declarations=[{"index": 0, "kind": "reservation", "party": "TUR", "made_at": "consent"}],
    )
    assert (made["relations"], made["declarations"]) == (1, 1)
    [view] = list_relations(session, old.id)
    assert (view.label, view.other.id, view.relation.date) == ("superseded by", new.id, "2025-01")
    assert [q["quote"] for q in view.quotes] == [
        "The new treaty replaces the 2001 treaty on cooperation."
    ]
    [recorded] = list_declarations(session, new.id)
    sentence = "Turkey entered a reservation to article 5 upon ratification."
    assert (recorded.party_code, recorded.kind, recorded.made_at) == (
        "TUR",
        "reservation",
        "consent",
    )
    assert (recorded.text, recorded.language) == (sentence, "en")
    assert [link.quote for link in recorded.evidence] == [sentence]

    # the objection, once the reservation it answers is on the record, in the party's words
    made = accept(
        session,
        new.id,
        article.id,
        declarations=[
            {
                "index": 1,
                "kind": "objection",
                "party": "GRC",
                "objects_to": recorded.id,
                "text": "Greece objects to Turkey's reservation.",
            }
        ],
    )
    assert made["declarations"] == 1 and objection["objects_to_party"] == "TUR"
    answer = next(d for d in list_declarations(session, new.id) if d.kind == "objection")
    assert (answer.party_code, answer.objects_to_id) == ("GRC", recorded.id)
    assert answer.text == "Greece objects to Turkey's reservation."
    assert [link.quote for link in answer.evidence] == [
        "Greece objected to the reservation made by Turkey."
    ]
    assert reservation["party"] == "TUR"


def test_one_bad_row_records_nothing_and_is_named(session, case):
    old, new, article = case
    with pytest.raises(InvalidInput) as caught:
        accept(
            session,
            new.id,
            article.id,
            relations=[
                {"index": 0, "type": "supersedes", "target_id": old.id},
                {"index": 7, "type": "amends", "target_id": old.id},
            ],
            declarations=[
                {"index": 0, "kind": "reservation", "party": "IRN"},
                {"index": 1, "kind": "objection", "party": "GRC"},
            ],
        )
    errors = caught.value.errors
    assert "IRN is not a party" in errors["declarations.0.party"][0]
    assert "give its id" in errors["declarations.1.objects_to"][0]
    assert errors["relations.7"] == ["is not one of the article's suggestions"]
    assert "relations.0.target_id" not in errors
    session.expire_all()
    assert list_relations(session, old.id) == [] and list_declarations(session, new.id) == []
