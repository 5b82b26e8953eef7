"""/api/v1/agreements on both engines: happy paths and every error."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests import factories
from tests.api.conftest import assert_error
from tracker.models import Agreement, AuditEntry
from tracker.services.claims.events import retract_event
from tracker.services.claims.principles import state_principle

NEW = {
    "title": "Treaty on Comprehensive Strategic Partnership",
    "titles": {
        "fa": "معاهده مشارکت راهبردی جامع",
        "ru": "Договор о всеобъемлющем стратегическом партнёрстве",
    },
    "kind": "treaty",
    "parties": ["rus", "IRN"],
    "topics": ["Defence", "trade"],
    "summary": "Signed in Moscow.",
    "entry_into_force_rule": {"days_after_last_notification": 30},
}


def test_create_and_read_an_agreement(editor, session, accounts):
    created = editor.post("/api/v1/agreements", json=NEW)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["parties"] == [
        {"code": "RUS", "name": "Russian Federation"},
        {"code": "IRN", "name": "Iran"},
    ]
    assert body["topics"] == ["defence", "trade"]
    assert body["entry_into_force_rule"] == {"days_after_last_notification": 30}
    assert (body["current_stage"], body["status"], body["bilateral"]) == (None, "active", True)
    assert body["ratification"] == {"RUS": "not_started", "IRN": "not_started"}
    assert body["events"] == [] and body["principles"] == [] and body["conflicts"] == []
    assert [(p["party"], p["ratification"], p["steps"]) for p in body["parties_progress"]] == [
        ("RUS", "not_started", []),
        ("IRN", "not_started", []),
    ]
    fetched = editor.get(f"/api/v1/agreements/{body['id']}")
    assert fetched.status_code == 200 and fetched.headers["ETag"]
    assert fetched.get_json() == body
    entry = session.scalar(
        select(AuditEntry).where(
            AuditEntry.entity == "agreement", AuditEntry.entity_id == str(body["id"])
        )
    )
    assert (entry.action, entry.user_id) == ("create", accounts["editor"][0].id)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "T", "kind": "pact"}, "kind"),
        ({"title": "T", "parties": ["ZZZ"]}, "parties"),
        ({"title": "T", "parties": "RUS"}, "parties"),
        ({"title": "T", "titles": {"Persian!": "x"}}, "titles.Persian!.key"),
        (
            {"title": "T", "entry_into_force_rule": {"days_after_last_notification": -5}},
            "entry_into_force_rule.days_after_last_notification",
        ),
        (
            {"title": "T", "entry_into_force_rule": {"days_after_last_notification": "30"}},
            "entry_into_force_rule.days_after_last_notification",
        ),
        ({"title": "T", "colour": "red"}, "colour"),
        ({"title": "x" * 501}, "title"),
    ],
)
def test_invalid_agreements_get_422_naming_the_field(editor, session, data, field):
    before = session.scalar(select(Agreement.id).order_by(Agreement.id.desc()).limit(1))
    assert_error(editor.post("/api/v1/agreements", json=data), 422, field)
    assert session.scalar(select(Agreement.id).order_by(Agreement.id.desc()).limit(1)) == before


def test_a_body_that_is_not_json_is_refused_cleanly(editor):
    response = editor.post(
        "/api/v1/agreements", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert set(response.get_json()) == {"code", "status", "message", "errors"}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/agreements", '{"title": "a\\ud800b", "kind": "treaty"}', "title"),
        ("/api/v1/articles", '{"text": "Treaty \\udfff text."}', "text"),
    ],
)
def test_a_lone_surrogate_is_a_422_naming_the_field_not_a_server_error(
    editor, session, path, body, field
):
    """JSON can spell half a character ("\\ud800"); no database can store it (it was a 500)."""
    response = editor.post(path, data=body, headers={"Content-Type": "application/json"})
    assert "lone surrogate" in assert_error(response, 422, field)["errors"][field][0]


def test_reads_need_a_token_unless_public(anonymous, viewer, app):
    assert_error(anonymous.get("/api/v1/agreements"), 401)
    assert anonymous.get("/api/v1/agreements").headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(
        anonymous.get("/api/v1/agreements", headers={"Authorization": "Bearer tt_wrong"}), 401
    )
    assert viewer.get("/api/v1/agreements").status_code == 200
    app.config["PUBLIC_READ"] = True
    assert anonymous.get("/api/v1/agreements").status_code == 200
    assert_error(anonymous.post("/api/v1/agreements", json=NEW), 401)


def test_a_viewer_may_not_write(viewer):
    assert_error(viewer.post("/api/v1/agreements", json=NEW), 403)


def test_unknown_ids_are_404(viewer, editor):
    assert_error(viewer.get("/api/v1/agreements/999999"), 404)
    assert_error(editor.patch("/api/v1/agreements/999999", json={"title": "x"}, etag="abc"), 404)


def test_patch_needs_if_match_and_a_fresh_etag(editor, session):
    agreement_id = editor.post("/api/v1/agreements", json=NEW).get_json()["id"]
    path = f"/api/v1/agreements/{agreement_id}"
    etag = editor.etag(path)
    assert_error(editor.patch(path, json={"title": "Renamed"}), 428)
    assert_error(editor.patch(path, json={"title": "Renamed"}, etag="not-the-etag"), 412)
    changed = editor.patch(
        path, json={"title": "Renamed", "parties": ["RUS", "IRN", "PRK"]}, etag=etag
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["title"] == "Renamed"
    assert [p["code"] for p in changed.get_json()["parties"]] == ["RUS", "IRN", "PRK"]
    assert changed.headers["ETag"].strip('"') != etag
    # The old ETag is now stale: a second editor working from it is refused, nothing lost.
    assert_error(editor.patch(path, json={"title": "Other"}, etag=etag), 412)
    assert editor.get(path).get_json()["title"] == "Renamed"
    entry = session.scalar(
        select(AuditEntry).where(
            AuditEntry.entity_id == str(agreement_id), AuditEntry.action == "update"
        )
    )
    assert entry.before["title"] == NEW["title"] and entry.after["title"] == "Renamed"


def test_patch_validation_keeps_what_is_stored(editor):
    agreement_id = editor.post("/api/v1/agreements", json=NEW).get_json()["id"]
    path = f"/api/v1/agreements/{agreement_id}"
    assert_error(
        editor.patch(path, json={"parties": ["NOPE"]}, etag=editor.etag(path)), 422, "parties"
    )
    assert editor.get(path).get_json()["parties"][0]["code"] == "RUS"


def test_if_none_match_gives_304(viewer, session):
    treaty = factories.agreement(session)
    path = f"/api/v1/agreements/{treaty.id}"
    etag = viewer.get(path).headers["ETag"]
    assert viewer.get(path, headers={"If-None-Match": etag}).status_code == 304


def test_delete_is_soft_and_needs_if_match(editor, session):
    agreement_id = editor.post("/api/v1/agreements", json=NEW).get_json()["id"]
    path = f"/api/v1/agreements/{agreement_id}"
    assert_error(editor.delete(path), 428)
    assert editor.delete(path, etag=editor.etag(path)).status_code == 204
    assert_error(editor.get(path), 404)
    assert session.get(Agreement, agreement_id).deleted_at is not None  # restorable


def test_admins_list_deleted_agreements_and_restore_them_whole(editor, admin, viewer, session):
    agreement_id = editor.post("/api/v1/agreements", json=NEW).get_json()["id"]
    path = f"/api/v1/agreements/{agreement_id}"
    factories.event(session, agreement_id, "signing", "2025-01-17")
    before = editor.get(path).get_json()
    assert editor.delete(path, etag=editor.etag(path)).status_code == 204

    assert_error(editor.get("/api/v1/agreements/deleted"), 403)
    listed = admin.get("/api/v1/agreements/deleted?page_size=200")
    assert listed.status_code == 200
    mine = [d for d in listed.get_json() if d["id"] == agreement_id]
    assert mine and mine[0]["deleted_by"] == "editor@example.org"
    assert mine[0]["title"] == NEW["title"] and mine[0]["deleted_at"]
    assert agreement_id not in {a["id"] for a in viewer.get("/api/v1/agreements").get_json()}

    assert_error(editor.post(f"{path}/restore"), 403)
    restored = admin.post(f"{path}/restore")
    assert restored.status_code == 200, restored.get_json()
    body = restored.get_json()
    assert [e["id"] for e in body["events"]] == [e["id"] for e in before["events"]]
    assert body["parties"] == before["parties"] and body["title"] == before["title"]
    assert viewer.get(path).status_code == 200
    assert agreement_id not in {d["id"] for d in admin.get("/api/v1/agreements/deleted").get_json()}
    assert_error(admin.post(f"{path}/restore"), 409)
    assert_error(admin.post("/api/v1/agreements/999999/restore"), 404)


def test_the_history_of_an_agreement_says_who_changed_what_and_when(editor, admin, viewer):
    agreement_id = editor.post("/api/v1/agreements", json=NEW).get_json()["id"]
    path = f"/api/v1/agreements/{agreement_id}"
    changed = editor.patch(path, json={"summary": "Amended."}, etag=editor.etag(path))
    assert changed.status_code == 200
    editor.post(f"{path}/events", json={"stage": "signing", "date": "2025-01-17"})
    assert editor.delete(path, etag=editor.etag(path)).status_code == 204
    assert admin.post(f"{path}/restore").status_code == 200

    response = viewer.get(f"{path}/history")
    assert response.status_code == 200
    entries = response.get_json()
    assert [(e["action"], e["entity"]) for e in entries] == [
        ("restore", "agreement"),
        ("delete", "agreement"),
        ("create", "stage_event"),
        ("update", "agreement"),
        ("create", "agreement"),
    ]
    assert [e["user"] for e in entries] == [
        "admin@example.org",
        *["editor@example.org"] * 4,
    ]
    update = entries[3]
    assert update["before"]["summary"] == "Signed in Moscow."
    assert update["after"]["summary"] == "Amended."
    assert entries[-1]["before"] is None and entries[-1]["after"]["title"] == NEW["title"]
    assert json.loads(response.headers["X-Pagination"])["total"] == 5
    page = viewer.get(f"{path}/history?page=2&page_size=2").get_json()
    assert [e["id"] for e in page] == [e["id"] for e in entries[2:4]]
    assert_error(viewer.get("/api/v1/agreements/999999/history"), 404)


def _ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_json()
    return [a["id"] for a in response.get_json()]


def test_list_filters(viewer, session):
    from tracker.services.claims.principles import state_principle

    a = factories.agreement(
        session, title="Caspian shipping memorandum", parties=["RUS", "IRN"], topics=["transport"]
    )
    b = factories.agreement(
        session, title="Pyongyang defence treaty", parties=["RUS", "PRK"], topics=["defence"]
    )
    factories.event(session, b.id, "signing", "2024-06-19")
    factories.event(session, b.id, "entry_into_force", "2024-12-04")
    state_principle(session, b.id, {"principle": "mutual_defence", "clause": "Art. 4"})
    mine = {a.id, b.id}

    def ids(query: str) -> set[int]:
        return set(_ids(viewer.get(f"/api/v1/agreements?{query}&page_size=200"))) & mine

    assert ids("party=PRK") == {b.id}
    assert ids("party=irn") == {a.id}
    assert ids("topic=transport") == {a.id}
    assert ids("principle=mutual_defence") == {b.id}
    assert ids("stage=entry_into_force") == {b.id}
    assert ids("status=in_force") == {b.id}
    assert ids("status=active") == {a.id}
    assert ids("q=CASPIAN") == {a.id}
    assert ids("q=pyongyang treaty") == {b.id}


def test_q_matches_any_persian_spelling(viewer, session):
    treaty = factories.agreement(session, title="Pact", titles={"fa": "توافق‌نامه همکاری"})
    found = _ids(viewer.get("/api/v1/agreements?q=توافقنامه"))
    assert treaty.id in found


def test_paging_and_sorting(viewer, session):
    made = [factories.agreement(session, title=f"Paging test {n:02d}") for n in range(7)]
    response = viewer.get("/api/v1/agreements?q=paging test&sort=title&page=2&page_size=3")
    assert _ids(response) == [m.id for m in made[3:6]]
    paging = json.loads(response.headers["X-Pagination"])
    assert (paging["total"], paging["total_pages"], paging["page"]) == (7, 3, 2)
    assert _ids(viewer.get("/api/v1/agreements?q=paging test&sort=-title&page_size=2")) == [
        made[6].id,
        made[5].id,
    ]
    assert_error(viewer.get("/api/v1/agreements?page_size=201"), 422, "page_size")
    assert_error(viewer.get("/api/v1/agreements?sort=colour"), 422, "sort")
    assert_error(viewer.get("/api/v1/agreements?stage=done"), 422, "stage")


def test_updated_since_for_incremental_sync(viewer, editor, session):
    old = factories.agreement(session, title="Old")
    cutoff = old.updated_at.isoformat()
    new = editor.post("/api/v1/agreements", json=NEW).get_json()
    since = _ids(
        viewer.get("/api/v1/agreements", query_string={"updated_since": cutoff, "page_size": 200})
    )
    assert new["id"] in since
    later = new["updated_at"]
    after = _ids(
        viewer.get("/api/v1/agreements", query_string={"updated_since": later, "page_size": 200})
    )
    assert old.id not in after
    assert_error(viewer.get("/api/v1/agreements?updated_since=yesterday"), 422, "updated_since")


def test_an_agreement_shows_each_event_and_principle_as_their_own_endpoints_do(
    viewer, session, accounts
):
    """The detail is read by its own fast path: it must agree with /events/{id} and principles."""
    treaty = factories.agreement(session, parties=["RUS", "IRN", "CHN"], topics=["trade"])
    report = factories.article(session, "Tehran ratified the treaty; Moscow signed it in January.")
    other = factories.article(session, "Another outlet: the treaty was signed in Moscow.")
    signed = factories.event(
        session,
        treaty.id,
        "signing",
        "2025-01-17",
        evidence=[
            {"article_id": report.id, "quote": "Moscow signed it"},
            {"article_id": other.id, "quote": "signed in Moscow"},
        ],
        actor=accounts["editor"][0],
    )
    factories.event(session, treaty.id, "ratification", "2025-05", party="IRN", step="committee")
    factories.event(session, treaty.id, "announcement", "2024")
    factories.event(session, treaty.id, "preparation")  # undated: last
    retract_event(session, factories.event(session, treaty.id, "signing", "2025-02-01").id)
    state_principle(
        session,
        treaty.id,
        {"principle": "sovereignty", "article_id": report.id, "quote": "Tehran ratified"},
    )
    state_principle(session, treaty.id, {"principle": "non_interference", "clause": "Art. 3"})

    body = viewer.get(f"/api/v1/agreements/{treaty.id}").get_json()

    events = [viewer.get(f"/api/v1/events/{e['id']}").get_json() for e in body["events"]]
    assert body["events"] == events
    assert [(e["stage"], e["date"]) for e in events][:3] == [
        ("announcement", "2024"),
        ("signing", "2025-01-17"),
        ("signing", "2025-02-01"),
    ]
    assert events[-1]["date"] is None
    first = next(e for e in events if e["id"] == signed.id)
    assert [q["quote"] for q in first["evidence"]] == ["Moscow signed it", "signed in Moscow"]
    assert first["recorded_by"] == accounts["editor"][0].email
    principles = viewer.get(f"/api/v1/agreements/{treaty.id}/principles").get_json()
    assert body["principles"] == principles
    assert [p["principle"] for p in principles] == ["sovereignty", "non_interference"]
    assert body["evidence_count"] == 2
    assert body["topics"] == ["trade"] and [p["code"] for p in body["parties"]][2] == "CHN"


def test_the_detail_gives_each_partys_steps_with_dates(editor, viewer, session):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "signing", "2025-01-17")
    duma = factories.event(
        session,
        treaty.id,
        "ratification",
        "2025-04-08",
        step="lower_house",
        party="RUS",
        body="State Duma",
    )
    signed = factories.event(
        session, treaty.id, "ratification", "2025-04-21", step="head_of_state", party="RUS"
    )
    factories.event(
        session,
        treaty.id,
        "ratification",
        "2025-05",
        step="lower_house",
        party="IRN",
        status="expected",
    )  # expected: not a step reached
    body = viewer.get(f"/api/v1/agreements/{treaty.id}").get_json()
    rus, irn = body["parties_progress"]
    assert rus == {
        "party": "RUS",
        "ratification": "ratified",
        "steps": [
            {
                "step": "lower_house",
                "body": "State Duma",
                "date": "2025-04-08",
                "event_id": duma.id,
                "conflict": False,
            },
            {
                "step": "head_of_state",
                "body": "",
                "date": "2025-04-21",
                "event_id": signed.id,
                "conflict": False,
            },
        ],
        "ratified_on": "2025-04-21",
        "notified_on": None,
        "explanation": "Ratified: the head of state counts as ratification. Notified once its "
        "instrument "
        "is deposited, exchanged or notified.",
    }
    assert (irn["ratification"], irn["steps"], irn["ratified_on"]) == ("not_started", [], None)
    assert {p["party"]: p["ratification"] for p in body["parties_progress"]} == body["ratification"]

    document = viewer.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    agreement = next(s for s in schemas.values() if "parties_progress" in s.get("properties", {}))
    assert "parties_progress" in agreement["required"]
    progress = next(s for name, s in schemas.items() if name.startswith("PartyProgress"))
    assert set(progress["properties"]) == set(rus)
