"""POST /api/v1/extract: relations to other agreements, with the agreements each may name,
and parties' declarations, in the documented shape."""

from __future__ import annotations

from sqlalchemy import select

from tests import factories
from tests.api.conftest import assert_error
from tests.api.test_presenters import assert_shape
from tracker.models import Agreement
from tracker.schemas.misc import ExtractOutSchema
from tracker.services.agreements.commands import delete_agreement


def test_a_relation_lists_the_agreements_it_may_name_and_a_reservation_its_party(viewer, session):
    # the seed's own cases: the 2025 treaty, and the 2001 treaty it replaced
    by_ref = {
        a.ref: a for a in session.scalars(select(Agreement).where(Agreement.ref.is_not(None)))
    }
    current = by_ref["rus-irn-comprehensive-strategic-partnership"]
    old = by_ref["rus-irn-foundations-of-relations-2001"]
    text = (
        "روسای جمهور روسیه و ایران معاهده را امضا کردند که جایگزین معاهده ۲۰۰۱ خواهد شد.\n"
        "Turkey entered a reservation to article 5 upon ratification."
    )
    response = viewer.post("/api/v1/extract", json={"text": text, "agreement_id": current.id})
    assert response.status_code == 200
    found = response.get_json()
    assert_shape(found, ExtractOutSchema(), "extract")
    [relation] = found["relations"]
    assert text[relation["start"] : relation["end"]] == relation["quote"] == "جایگزین معاهده ۲۰۰۱"
    assert (relation["type"], relation["status"]) == ("supersedes", "expected")
    assert relation["target_hint"] == {"words": "معاهده 2001", "year": 2001, "kind": "treaty"}
    assert relation["candidates"][0]["id"] == old.id
    assert current.id not in [c["id"] for c in relation["candidates"]]
    [reservation] = found["declarations"]
    assert (reservation["kind"], reservation["party"], reservation["made_at"]) == (
        "reservation",
        "TUR",
        "consent",
    )
    assert text[reservation["start"] : reservation["end"]] == reservation["quote"]
    schema = viewer.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert {"relations", "declarations"} <= set(schema["ExtractOut"]["required"])
    assert "candidates" in schema["FoundRelation"]["required"]


def test_an_agreement_that_does_not_exist_is_refused_naming_it(viewer, session):
    for value, status in ((999_999, 422), ("one", 422), (0, 422), (True, 422)):
        body = assert_error(
            viewer.post("/api/v1/extract", json={"text": "The treaty.", "agreement_id": value}),
            status,
            "agreement_id",
        )
        assert body["errors"]["agreement_id"]
    deleted = factories.agreement(session, title="Gone")
    delete_agreement(session, deleted.id)
    assert_error(
        viewer.post("/api/v1/extract", json={"text": "The treaty.", "agreement_id": deleted.id}),
        422,
        "agreement_id",
    )
