"""Principles, parties, reminders, digests, users and tokens, extract, and the API docs."""

from __future__ import annotations

import re
from datetime import timedelta

from tests import factories
from tests.api.conftest import Api, assert_error
from tracker.db import utcnow
from tracker.models import Digest


def test_principles_vocabulary_and_statements(editor, viewer, session):
    vocabulary = viewer.get("/api/v1/principles?page_size=100").get_json()
    assert len(vocabulary) == 13
    sovereignty = next(p for p in vocabulary if p["code"] == "sovereignty")
    assert sovereignty["labels"]["fa"] == "حاکمیت"
    treaty = factories.agreement(session)
    article = factories.article(
        session, "The parties reaffirmed respect for territorial integrity."
    )
    path = f"/api/v1/agreements/{treaty.id}/principles"
    quoted = editor.post(
        path,
        json={
            "principle": "territorial_integrity",
            "article_id": article.id,
            "quote": "territorial integrity",
        },
    )
    assert quoted.status_code == 201, quoted.get_json()
    clause = editor.post(
        path, json={"principle": "mutual_defence", "party": "RUS", "clause": "Art. 4"}
    )
    assert clause.status_code == 201
    listed = viewer.get(path).get_json()
    assert [(s["principle"], s["party"], s["clause"]) for s in listed] == [
        ("territorial_integrity", None, ""),
        ("mutual_defence", "RUS", "Art. 4"),
    ]
    assert listed[0]["evidence"][0]["quote"] == "territorial integrity"
    assert_error(
        editor.post(path, json={"principle": "friendship", "clause": "Art. 1"}), 422, "principle"
    )
    assert_error(editor.post(path, json={"principle": "sovereignty"}), 422, "quote")
    assert_error(
        editor.post(
            path,
            json={"principle": "sovereignty", "article_id": article.id, "quote": "absent words"},
        ),
        422,
        "quote",
    )
    assert_error(
        editor.post(
            "/api/v1/agreements/999999/principles", json={"principle": "sovereignty", "clause": "x"}
        ),
        404,
    )


def test_parties_with_localised_names(viewer):
    response = viewer.get("/api/v1/parties?q=Иран")
    assert [p["code"] for p in response.get_json()] == ["IRN"]
    assert response.get_json()[0]["names"]["ru"] == "Иран"
    organisations = viewer.get("/api/v1/parties?kind=organisation&page_size=500").get_json()
    assert {"EU", "UN"} <= {p["code"] for p in organisations}
    assert_error(viewer.get("/api/v1/parties?kind=club"), 422, "kind")


def test_reminders_crud_and_lists(editor, viewer, session, accounts):
    treaty = factories.agreement(session)
    today = utcnow().date()
    made = editor.post(
        "/api/v1/reminders",
        json={
            "agreement_id": treaty.id,
            "due": (today - timedelta(days=3)).isoformat(),
            "reason": "Was it signed?",
            "assignee": "viewer@example.org",
        },
    )
    assert made.status_code == 201, made.get_json()
    reminder = made.get_json()
    assert (reminder["status"], reminder["rule"], reminder["assignee"]) == (
        "open",
        None,
        "viewer@example.org",
    )
    later = editor.post(
        "/api/v1/reminders",
        json={
            "agreement_id": treaty.id,
            "due": (today + timedelta(days=30)).isoformat(),
            "reason": "Ratified yet?",
        },
    ).get_json()

    def ids(query: str) -> list[int]:
        return [
            r["id"]
            for r in viewer.get(f"/api/v1/reminders?agreement={treaty.id}&{query}").get_json()
        ]

    assert ids("") == [reminder["id"], later["id"]]
    assert ids("overdue=true") == [reminder["id"]]
    assert ids("overdue=false") == [later["id"]]
    assert ids("mine=true") == [reminder["id"]]
    assert ids("assignee=viewer@example.org") == [reminder["id"]]
    assert ids(f"due_before={today.isoformat()}") == [reminder["id"]]

    path = f"/api/v1/reminders/{reminder['id']}"
    assert_error(
        editor.patch(path, json={"status": "snoozed"}, etag=editor.etag(path)), 422, "snoozed_until"
    )
    snoozed = editor.patch(
        path,
        json={"status": "snoozed", "snoozed_until": (today + timedelta(days=7)).isoformat()},
        etag=editor.etag(path),
    )
    assert snoozed.get_json()["status"] == "snoozed"
    assert ids("overdue=true") == []
    done = editor.patch(
        path,
        json={"status": "done", "closed_note": "Signed on 17 January."},
        etag=editor.etag(path),
    ).get_json()
    assert (
        done["closed_at"]
        and done["snoozed_until"] is None
        and done["closed_note"] == "Signed on 17 January."
    )
    assert_error(editor.patch(path, json={"status": "open"}), 428)
    later_path = f"/api/v1/reminders/{later['id']}"
    assert editor.delete(later_path, etag=editor.etag(later_path)).status_code == 204
    assert viewer.get(later_path).get_json()["status"] == "dismissed"

    assert_error(
        editor.post(
            "/api/v1/reminders", json={"agreement_id": 999999, "due": "2025-01-01", "reason": "x"}
        ),
        422,
        "agreement_id",
    )
    assert_error(
        editor.post(
            "/api/v1/reminders", json={"agreement_id": treaty.id, "due": "someday", "reason": "x"}
        ),
        422,
        "due",
    )
    assert_error(
        editor.post(
            "/api/v1/reminders",
            json={
                "agreement_id": treaty.id,
                "due": "2025-01-01",
                "reason": "x",
                "assignee": "ghost@example.org",
            },
        ),
        422,
        "assignee",
    )
    assert_error(
        viewer.post(
            "/api/v1/reminders",
            json={"agreement_id": treaty.id, "due": "2025-01-01", "reason": "x"},
        ),
        403,
    )
    assert_error(viewer.get("/api/v1/reminders/999999"), 404)


def test_digests_are_private_to_their_subscriber(viewer, editor, admin, session, accounts):
    mine = Digest(
        user_id=accounts["viewer"][0].id,
        week="2025-W16",
        sections={"events": []},
        html="<p>Nothing moved</p>",
        text="Nothing moved",
    )
    theirs = Digest(
        user_id=accounts["editor"][0].id, week="2025-W16", sections={}, html="", text=""
    )
    session.add_all([mine, theirs])
    session.commit()
    listed = viewer.get("/api/v1/digests?week=2025-W16").get_json()
    assert [d["id"] for d in listed] == [mine.id]
    assert listed[0]["user"] == "viewer@example.org"
    assert viewer.get(listed[0]["links"]["text"]).get_data(as_text=True) == "Nothing moved"
    assert viewer.get(listed[0]["links"]["html"]).mimetype == "text/html"
    assert_error(viewer.get(f"/api/v1/digests/{theirs.id}"), 404)
    assert {d["id"] for d in admin.get("/api/v1/digests?week=2025-W16").get_json()} >= {
        mine.id,
        theirs.id,
    }
    assert_error(viewer.get("/api/v1/digests?week=2025-16"), 422, "week")


def test_admins_manage_users_and_tokens(admin, editor, client):
    assert_error(editor.get("/api/v1/users"), 403)
    made = admin.post("/api/v1/users", json={"email": "new@example.org", "role": "editor"})
    assert made.status_code == 201, made.get_json()
    user = made.get_json()
    assert_error(admin.post("/api/v1/users", json={"email": "new@example.org"}), 422, "email")
    token = admin.post(f"/api/v1/users/{user['id']}/tokens", json={"name": "laptop"}).get_json()
    assert token["token"].startswith("tt_") and token["prefix"] == token["token"][:10]
    newcomer = Api(client, token["token"])
    assert newcomer.get("/api/v1/me").get_json()["email"] == "new@example.org"
    listed = admin.get(f"/api/v1/users/{user['id']}/tokens").get_json()
    assert listed[0]["last_used_at"] is not None and "token" not in listed[0]
    path = f"/api/v1/tokens/{token['id']}"
    assert_error(admin.delete(path), 428)
    assert admin.delete(path, etag=admin.etag(path)).status_code == 204
    assert_error(newcomer.get("/api/v1/me"), 401)
    user_path = f"/api/v1/users/{user['id']}"
    demoted = admin.patch(
        user_path, json={"role": "viewer", "timezone": "Asia/Tehran"}, etag=admin.etag(user_path)
    )
    assert (demoted.get_json()["role"], demoted.get_json()["timezone"]) == ("viewer", "Asia/Tehran")
    assert_error(
        admin.patch(user_path, json={"timezone": "Mars/Olympus"}, etag=admin.etag(user_path)),
        422,
        "timezone",
    )


def test_extract_suggests_with_offsets(viewer):
    text = "Moscow and Tehran signed the treaty on 17 January 2025, respecting sovereignty."
    result = viewer.post("/api/v1/extract", json={"text": text}).get_json()
    assert result["language"] == "en"
    assert [p["code"] for p in result["parties"]] == ["RUS", "IRN"]
    assert [(e["stage"], e["status"], e["date"]) for e in result["events"]] == [
        ("signing", "reported", "2025-01-17")
    ]
    assert 0.8 <= result["events"][0]["confidence"] <= 1
    forecast = viewer.post(
        "/api/v1/extract", json={"text": "The treaty must now be ratified.", "language": "en"}
    ).get_json()
    assert [(e["status"], e["confidence"] < 0.8) for e in forecast["events"]] == [
        ("expected", True)
    ]
    schema = viewer.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schema["FoundEvent"]["properties"]["confidence"]["type"] == "number"
    assert "confidence" in schema["FoundEvent"]["required"]
    assert "consent_type" in schema["FoundEvent"]["required"]
    assert result["events"][0]["consent_type"] is None  # a signing
    acceded = viewer.post(
        "/api/v1/extract",
        json={"text": "Palau deposited its instrument of accession on 22 January 2024."},
    ).get_json()
    assert [(e["step"], e["party"], e["consent_type"]) for e in acceded["events"]] == [
        ("notification", "PLW", "accession")
    ]
    assert result["principles"][0]["code"] == "sovereignty"
    for field in ("parties", "events", "dates", "principles"):
        for item in result[field]:
            assert text[item["start"] : item["end"]] == item["text"]
    assert_error(viewer.post("/api/v1/extract", json={}), 422, "text")
    assert_error(
        viewer.post("/api/v1/extract", json={"text": "x", "published": "2024-13"}), 422, "published"
    )
    assert_error(
        viewer.post("/api/v1/extract", json={"text": "x", "language": "de"}), 422, "language"
    )


def test_openapi_document_and_docs_without_a_cdn(anonymous):
    document = anonymous.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/agreements/{agreement_id}" in document["paths"]
    page = anonymous.get("/api/v1/docs/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from another host
    assert "<script>" not in html  # no inline script
    for asset in re.findall(r'(?:src|href)="([^"]+)"', html):
        response = anonymous.get(asset)
        response.close()
        assert response.status_code == 200, asset


def test_a_user_sets_their_own_digest_subscription(viewer):
    etag = viewer.etag("/api/v1/me")
    changed = viewer.patch(
        "/api/v1/me",
        json={
            "digest_mode": "watchlist",
            "digest_watchlist": {"parties": ["irn"], "topics": ["Trade"]},
            "timezone": "Asia/Tehran",
        },
        etag=etag,
    )
    assert changed.status_code == 200, changed.get_json()
    me = changed.get_json()
    assert (me["digest_mode"], me["digest_watchlist"]["parties"], me["timezone"]) == (
        "watchlist",
        ["IRN"],
        "Asia/Tehran",
    )
    assert_error(
        viewer.patch("/api/v1/me", json={"role": "admin"}, etag=viewer.etag("/api/v1/me")),
        422,
        "role",
    )
    assert_error(
        viewer.patch("/api/v1/me", json={"digest_mode": "monthly"}, etag=viewer.etag("/api/v1/me")),
        422,
        "digest_mode",
    )
    assert_error(viewer.patch("/api/v1/me", json={"digest_mode": "none"}), 428)


def test_an_organisation_lists_its_members_with_their_days(viewer):
    response = viewer.get("/api/v1/parties/eaeu")
    assert response.status_code == 200 and response.headers["ETag"]
    eaeu = response.get_json()
    assert (eaeu["code"], eaeu["kind"]) == ("EAEU", "organisation")
    assert [(m["code"], m["since"], m["until"]) for m in eaeu["members"]] == [
        ("BLR", "2015-01-01", None),
        ("KAZ", "2015-01-01", None),
        ("RUS", "2015-01-01", None),
        ("ARM", "2015-01-02", None),
        ("KGZ", "2015-08-12", None),
    ]
    assert eaeu["members"][2]["name"] == "Russian Federation"
    eu = viewer.get("/api/v1/parties/EU").get_json()["members"]
    assert len(eu) == 28
    assert {"code": "GBR", "name": "United Kingdom", "since": "1973-01-01"} | {
        "until": "2020-01-31"
    } in eu
    assert viewer.get("/api/v1/parties/RUS").get_json()["members"] == []
    assert_error(viewer.get("/api/v1/parties/XYZ"), 404)


def test_parties_filtered_by_membership_today(viewer):
    eu = viewer.get("/api/v1/parties?member_of=EU&page_size=500").get_json()
    assert len(eu) == 27 and "GBR" not in {p["code"] for p in eu}  # left on 2020-01-31
    brics = viewer.get("/api/v1/parties?member_of=brics").get_json()
    assert {"IDN", "IRN", "ZAF"} <= {p["code"] for p in brics} and len(brics) == 10
    sco = viewer.get("/api/v1/parties?member_of=SCO").get_json()
    assert [p["code"] for p in sco] == [
        "BLR", "CHN", "IND", "IRN", "KAZ", "KGZ", "PAK", "RUS", "TJK", "UZB"
    ]  # fmt: skip
    assert viewer.get("/api/v1/parties?member_of=UN").get_json() == []
    assert_error(viewer.get("/api/v1/parties?member_of=E-U"), 422, "member_of")
