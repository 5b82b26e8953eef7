"""Relations between agreements through the API: both directions, ETags, 422s, reminders."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from tests import factories
from tests.api.conftest import assert_error
from tracker.models import Reminder
from tracker.services.reminders.rules import run

OLD_TITLE = (
    "Treaty on the Foundations of Relations and Principles of Cooperation between the "
    "Russian Federation and the Islamic Republic of Iran"
)
NEW_TITLE = "Treaty on Comprehensive Strategic Partnership between Russia and Iran"
REPORT = (
    "Владимир Путин и Масуд Пезешкиан подписали в Москве договор о всеобъемлющем "
    "стратегическом партнёрстве. Новый договор заменит договор 2001 года."
)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def test_the_2025_treaty_supersedes_the_2001_treaty(editor, viewer, session):
    old = factories.agreement(session, title=OLD_TITLE)
    factories.event(session, old.id, "signing", "2001-03-12", place="Moscow")
    factories.event(session, old.id, "entry_into_force", "2002-04-05")
    new = factories.agreement(session, title=NEW_TITLE)
    factories.event(session, new.id, "signing", "2025-01-17", place="Moscow")
    article = factories.article(session, REPORT, language="ru")
    status_before = viewer.get(f"/api/v1/agreements/{old.id}").get_json()["status"]

    response = editor.post(
        f"/api/v1/agreements/{new.id}/relations",
        json={
            "type": "supersedes",
            "target_id": old.id,
            "date": "2025-01-17",
            "note": "As reported when it was signed.",
            "evidence": [{"article_id": article.id, "quote": "заменит договор 2001 года"}],
        },
    )
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert (made["role"], made["label"], made["other"]) == (
        "subject",
        "supersedes",
        {"id": old.id, "title": OLD_TITLE},
    )
    assert made["subject"]["id"] == new.id and made["target"]["id"] == old.id
    assert made["evidence"][0]["quote"] == "заменит договор 2001 года"
    assert made["recorded_by"] == "editor@example.org"

    (listed,) = viewer.get(f"/api/v1/agreements/{old.id}/relations").get_json()
    assert (listed["id"], listed["role"], listed["label"], listed["other"]["title"]) == (
        made["id"],
        "target",
        "superseded by",
        NEW_TITLE,
    )
    assert viewer.get(f"/api/v1/agreements/{old.id}").get_json()["status"] == status_before

    # and no follow-up reminders, years on
    run(session, now=at("2026-06-01"))
    assert (
        session.scalars(
            select(Reminder).where(Reminder.agreement_id == old.id, Reminder.status == "open")
        ).all()
        == []
    )


def _post(client, path, body):  # type: ignore[no-untyped-def]
    response = client.post(path, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_protocol_has_its_own_parties_and_entry_into_force_rule(editor, viewer):
    parent = _post(
        editor,
        "/api/v1/agreements",
        {
            "title": "Convention on the example of many parties",
            "kind": "treaty",
            "parties": ["BEL", "CHL", "FRA", "DEU"],
            "entry_into_force_rule": {"instruments_required": 3},
        },
    )
    protocol = _post(
        editor,
        "/api/v1/agreements",
        {
            "title": "Protocol to the Convention on the example of many parties",
            "kind": "protocol",
            "parties": ["BEL", "FRA", "ESP"],
            "entry_into_force_rule": {"instruments_required": 2, "days_after_instrument": 30},
        },
    )
    made = _post(
        editor,
        f"/api/v1/agreements/{protocol['id']}/relations",
        {"type": "protocol_to", "target_id": parent["id"]},
    )
    assert made["label"] == "protocol to"
    (on_parent,) = viewer.get(f"/api/v1/agreements/{parent['id']}/relations").get_json()
    assert (on_parent["label"], on_parent["other"]["id"]) == ("has protocol", protocol["id"])

    for party in ("BEL", "FRA"):
        events = f"/api/v1/agreements/{protocol['id']}/events"
        _post(editor, events, {"stage": "signing", "party": party, "date": "2024-01-10"})
        _post(
            editor,
            events,
            {"stage": "ratification", "step": "notification", "party": party, "date": "2024-03-01"},
        )
    got = viewer.get(f"/api/v1/agreements/{protocol['id']}").get_json()
    assert got["entry_into_force_rule"]["instruments_required"] == 2
    assert got["participation"] == {"BEL": "consented", "FRA": "consented", "ESP": "not_signed"}
    assert (got["instruments_deposited"], got["instruments_required"]) == (2, 2)
    assert got["next_expected"]["stage"] == "entry_into_force"
    assert (got["next_expected"]["date"], got["next_expected"]["source"]) == ("2024-03-31", "rule")
    # the parent is untouched: its own parties, none of them bound by the protocol's consents
    parent_now = viewer.get(f"/api/v1/agreements/{parent['id']}").get_json()
    assert parent_now["entry_into_force_rule"] == {"instruments_required": 3}
    assert parent_now["participation"] == {c: "not_signed" for c in ("BEL", "CHL", "FRA", "DEU")}
    assert parent_now["instruments_deposited"] == 0
    assert parent_now["status"] == parent["status"]


def test_read_amend_and_remove_with_etags(editor, viewer, session):
    a = factories.agreement(session, title="Agreement A")
    b = factories.agreement(session, title="Agreement B")
    made = editor.post(
        f"/api/v1/agreements/{a.id}/relations", json={"type": "amends", "target_id": b.id}
    ).get_json()
    path = f"/api/v1/relations/{made['id']}"
    got = viewer.get(path)
    assert got.status_code == 200 and got.get_json()["label"] == "amends"
    assert_error(viewer.patch(path, json={"note": "x"}, etag=viewer.etag(path)), 403)
    assert editor.patch(path, json={"note": "x"}).status_code == 428
    etag = editor.etag(path)
    changed = editor.patch(path, json={"type": "extends", "note": "Article 4"}, etag=etag)
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["label"], changed.get_json()["version"]) == ("extends", 2)
    assert editor.patch(path, json={"note": "y"}, etag=etag).status_code == 412
    assert_error(
        editor.patch(path, json={"target_id": a.id}, etag=editor.etag(path)), 422, "target_id"
    )
    assert editor.delete(path, etag=editor.etag(path)).status_code == 204
    assert_error(viewer.get(path), 404)
    assert viewer.get(f"/api/v1/agreements/{b.id}/relations").get_json() == []


def test_bad_relations_are_422_naming_the_field(editor, session):
    a = factories.agreement(session, title="Agreement A")
    b = factories.agreement(session, title="Agreement B")
    path = f"/api/v1/agreements/{a.id}/relations"
    assert_error(editor.post(path, json={"type": "replaces", "target_id": b.id}), 422, "type")
    assert_error(editor.post(path, json={"type": "amends"}), 422, "target_id")
    assert_error(editor.post(path, json={"type": "amends", "target_id": "b"}), 422, "target_id")
    assert_error(editor.post(path, json={"type": "amends", "target_id": a.id}), 422, "target_id")
    assert_error(editor.post(path, json={"type": "amends", "target_id": 2**40}), 422, "target_id")
    assert_error(
        editor.post(path, json={"type": "amends", "target_id": b.id, "date": "2025-13"}),
        422,
        "date",
    )
    assert_error(editor.post(path, json={"type": "amends", "target_id": b.id, "x": 1}), 422, "x")
    assert editor.post(path, json={"type": "amends", "target_id": b.id}).status_code == 201
    assert_error(editor.post(path, json={"type": "amends", "target_id": b.id}), 422, "target_id")
    assert_error(
        editor.post("/api/v1/agreements/999999/relations", json={"type": "amends", "target_id": 1}),
        404,
    )
