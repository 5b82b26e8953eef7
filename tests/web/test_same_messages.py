"""The same bad value gets the same message through the API and through the web form: both
reach the service, which loads the input through the API's schema."""

from __future__ import annotations

import html
import re

import pytest

from tests import factories
from tests.web.conftest import csrf, errors_beside
from tracker.models.vocab import Stage
from tracker.services.accounts.users import create_token


@pytest.fixture
def api(app, session, people):  # type: ignore[no-untyped-def]
    """POST as the same editor through the API, answering the 422's messages per field."""
    _row, token = create_token(session, people["editor"])
    client = app.test_client()

    def post(path: str, body: dict) -> dict[str, list[str]]:
        response = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 422, response.get_json()
        return response.get_json()["errors"]

    return post


def _beside(page: str, field: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r"<li>(.*?)</li>", errors_beside(page, field))]


def _form(client, path: str, fields: dict) -> str:  # type: ignore[no-untyped-def]
    response = client.post(path, data={"csrf_token": csrf(client, path)} | fields)
    assert response.status_code == 422
    return response.get_data(as_text=True)


def test_an_over_long_title_reads_the_same_in_the_api_and_the_form(api, editor_web):
    title = "x" * 501
    by_api = api("/api/v1/agreements", {"title": title, "kind": "treaty"})["title"]
    page = _form(editor_web, "/agreements/new", {"title": title, "kind": "treaty"})
    assert by_api == _beside(page, "title") == ["Length must be between 1 and 500."]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"stage": "signature"},
            "stage",
            "Must be one of: " + ", ".join(Stage) + ".",
        ),
        (
            {"stage": "signing", "date": "2025-13-01"},
            "date",
            "'2025-13-01': month 13 does not exist",
        ),
        (
            {"stage": "signing", "date": "1403/13/01"},
            "date",
            "Solar Hijri",
        ),
    ],
)
def test_a_bad_event_reads_the_same_in_the_api_and_the_form(
    api, editor_web, session, fields, field, message
):
    treaty = factories.agreement(session)
    by_api = api(f"/api/v1/agreements/{treaty.id}/events", fields)[field]
    page = _form(
        editor_web,
        f"/agreements/{treaty.id}/events/new",
        {"status": "reported", "without_evidence": "y"} | fields,
    )
    assert by_api == _beside(page, field)
    assert len(by_api) == 1 and message in by_api[0]


def test_a_declarations_errors_read_the_same_in_the_api_and_the_form(api, editor_web, session):
    from tracker.services.claims.declarations import record_declaration

    treaty = factories.agreement(session, parties=["RUS", "IRN", "FRA"])
    reservation = record_declaration(
        session, treaty.id, {"party": "IRN", "kind": "reservation", "text": "x"}
    )
    path = f"/api/v1/agreements/{treaty.id}/declarations"
    form = f"/agreements/{treaty.id}/declarations/new"
    own = {"party": "IRN", "kind": "objection", "objects_to": reservation.id}
    by_api = api(path, own)["objects_to"]
    page = _form(editor_web, form, own | {"objects_to": str(reservation.id)})
    assert by_api == _beside(page, "objects_to") == ["IRN cannot object to its own reservation"]
    late = {"party": "FRA", "kind": "declaration", "text": "x", "withdrawn_on": "2025-13-01"}
    by_api = api(path, late)["withdrawn_on"]
    page = _form(editor_web, form, late)
    assert (
        by_api
        == _beside(page, "withdrawn_on")
        == ["'2025-13-01': month 13 does not exist (months are 01-12)"]
    )
