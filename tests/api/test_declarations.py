"""Parties' declarations through the API: a reservation by one party of a multilateral
treaty and an objection to it by another, on both engines."""

from __future__ import annotations

import csv
import io

from tests import factories
from tests.api.conftest import assert_error

RESERVATION = "Российская Федерация не считает себя связанной положениями пункта 2 статьи 14."
ARTICLE = f"Депозитарий сообщил: {RESERVATION} Франция возразила против этой оговорки."

CONVENTION = {
    "title": "Convention on a common matter",
    "kind": "treaty",
    "parties": ["RUS", "IRN", "FRA", "CHN"],
    "depositary": "UN",
    "entry_into_force_rule": {"instruments_required": 3, "days_after_instrument": 90},
}


def _created(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_reservation_by_one_party_and_an_objection_to_it_by_another(editor, viewer, session):
    treaty = _created(editor.post("/api/v1/agreements", json=CONVENTION))
    article = factories.article(session, ARTICLE, language="ru")
    path = f"/api/v1/agreements/{treaty['id']}/declarations"
    reservation = _created(
        editor.post(
            path,
            json={
                "party": "RUS",
                "kind": "reservation",
                "text": RESERVATION,
                "language": "ru",
                "made_at": "consent",
                "date": "2025-01-17",
                "evidence": [{"article_id": article.id, "quote": RESERVATION}],
            },
        )
    )
    assert reservation["party"] == {"code": "RUS", "name": "Russian Federation"}
    assert (reservation["text"], reservation["objects_to"], reservation["objected_by"]) == (
        RESERVATION,
        None,
        [],
    )
    assert reservation["evidence"][0]["article_id"] == article.id
    objection = _created(
        editor.post(
            path,
            json={
                "party": "FRA",
                "kind": "objection",
                "text": "La France fait objection à la réserve.",
                "date": "2026-03-01",
                "objects_to": reservation["id"],
            },
        )
    )
    assert (objection["objects_to"], objection["made_at"]) == (reservation["id"], None)
    answered = viewer.get(f"/api/v1/declarations/{reservation['id']}").get_json()
    assert answered["objected_by"] == [objection["id"]]

    listed = viewer.get(path).get_json()
    assert [(d["party"]["code"], d["kind"]) for d in listed] == [
        ("RUS", "reservation"),
        ("FRA", "objection"),
    ]

    # Withdrawn: amended with If-Match; the participation of no one changes.
    before = viewer.get(f"/api/v1/agreements/{treaty['id']}/participants").get_json()
    one = f"/api/v1/declarations/{reservation['id']}"
    withdrawn = editor.patch(one, json={"withdrawn_on": "2026-05-04"}, etag=editor.etag(one))
    assert withdrawn.status_code == 200, withdrawn.get_json()
    assert withdrawn.get_json()["withdrawn_on"] == "2026-05-04"

    rows = viewer.get(f"/api/v1/agreements/{treaty['id']}/participants").get_json()
    strip = [{k: v for k, v in r.items() if k != "declarations"} for r in rows]
    assert strip == [{k: v for k, v in r.items() if k != "declarations"} for r in before]
    by_party = {r["party"]["code"]: r["declarations"] for r in rows}
    assert by_party["RUS"] == [
        {
            "id": reservation["id"],
            "kind": "reservation",
            "made_at": "consent",
            "withdrawn_on": "2026-05-04",
            "objects_to": None,
        }
    ]
    assert by_party["FRA"] == [
        {
            "id": objection["id"],
            "kind": "objection",
            "made_at": None,
            "withdrawn_on": None,
            "objects_to": reservation["id"],
        }
    ]
    assert by_party["IRN"] == []
    text = viewer.get(f"/api/v1/agreements/{treaty['id']}/participants?format=csv").get_data(
        as_text=True
    )
    table = {row["party_code"]: row for row in csv.DictReader(io.StringIO(text))}
    assert (
        table["RUS"]["declarations"] == f"reservation #{reservation['id']} (withdrawn 2026-05-04)"
    )
    assert table["FRA"]["declarations"] == f"objection #{objection['id']} to #{reservation['id']}"
    assert table["IRN"]["declarations"] == ""


def test_bad_declarations_are_422_naming_the_field(editor, session):
    treaty = _created(editor.post("/api/v1/agreements", json=CONVENTION))
    path = f"/api/v1/agreements/{treaty['id']}/declarations"
    reservation = _created(
        editor.post(path, json={"party": "IRN", "kind": "reservation", "text": "x"})
    )
    assert_error(editor.post(path, json={"party": "FRA", "kind": "objection"}), 422, "objects_to")
    own = {"party": "IRN", "kind": "objection", "objects_to": reservation["id"]}
    assert_error(editor.post(path, json=own), 422, "objects_to")
    assert_error(
        editor.post(path, json={"party": "FRA", "kind": "objection", "objects_to": "first"}),
        422,
        "objects_to",
    )
    assert_error(
        editor.post(path, json={"party": "USA", "kind": "reservation", "text": "x"}), 422, "party"
    )
    assert_error(editor.post(path, json={"party": "IRN", "kind": "promise"}), 422, "kind")
    assert_error(
        editor.post(
            path, json={"party": "IRN", "kind": "reservation", "text": "x", "date": "2025-13-01"}
        ),
        422,
        "date",
    )
    assert_error(
        editor.post(
            path, json={"party": "IRN", "kind": "reservation", "text": "x", "language": "Persian!"}
        ),
        422,
        "language",
    )
    assert_error(
        editor.post(
            "/api/v1/agreements/999999/declarations",
            json={"party": "IRN", "kind": "reservation", "text": "x"},
        ),
        404,
    )
    assert len(editor.get(path).get_json()) == 1


def test_writing_needs_an_editor_and_if_match(editor, viewer, session):
    treaty = _created(editor.post("/api/v1/agreements", json=CONVENTION))
    path = f"/api/v1/agreements/{treaty['id']}/declarations"
    body = {"party": "CHN", "kind": "declaration", "text": "中华人民共和国声明。"}
    assert viewer.post(path, json=body).status_code == 403
    made = _created(editor.post(path, json=body))
    one = f"/api/v1/declarations/{made['id']}"
    assert editor.patch(one, json={"note": "x"}).status_code == 428
    assert editor.patch(one, json={"note": "x"}, etag='"stale"').status_code == 412
    objection = _created(
        editor.post(path, json={"party": "RUS", "kind": "objection", "objects_to": made["id"]})
    )
    assert_error(editor.delete(one, etag=editor.etag(one)), 409)
    other = f"/api/v1/declarations/{objection['id']}"
    assert editor.delete(other, etag=editor.etag(other)).status_code == 204
    assert editor.delete(one, etag=editor.etag(one)).status_code == 204
    assert_error(viewer.get(one), 404)
    assert editor.get(path).get_json() == []
