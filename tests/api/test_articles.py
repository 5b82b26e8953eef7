"""Evidence articles through the API."""

from __future__ import annotations

import json

from tests import factories
from tests.api.conftest import assert_error

SEED = {
    "url": "https://example.org/news/1#top",
    "title": "Russia and Iran to sign a treaty",
    "outlet": "Example News",
    "language": "en",
    "published": "2024-01-15",
    "text": "Moscow and Tehran will soon sign a large interstate agreement.",
}


def test_store_read_and_deduplicate_by_url(editor, viewer):
    first = editor.post("/api/v1/articles", json=SEED)
    assert first.status_code == 201, first.get_json()
    article = first.get_json()
    assert article["url"] == "https://example.org/news/1"
    assert len(article["content_hash"]) == 64
    again = editor.post(
        "/api/v1/articles",
        json=SEED | {"title": "Another title", "url": "https://example.org/news/1"},
    )
    assert again.status_code == 200
    assert again.get_json()["id"] == article["id"]
    fetched = viewer.get(f"/api/v1/articles/{article['id']}")
    assert fetched.get_json()["text"] == SEED["text"] and fetched.headers["ETag"]


def test_provenance_in_both_directions(editor, viewer):
    ria = editor.post(
        "/api/v1/articles", json={"outlet": "RIA Novosti", "language": "ru"}
    ).get_json()
    tasnim = editor.post(
        "/api/v1/articles", json={"outlet": "Tasnim", "cites": ria["id"]}
    ).get_json()
    jamaran = editor.post(
        "/api/v1/articles", json={"outlet": "Jamaran", "cites": tasnim["id"], "text": "متن"}
    ).get_json()
    assert jamaran["cites"] == tasnim["id"]
    assert viewer.get(f"/api/v1/articles/{ria['id']}").get_json()["cited_by"] == [tasnim["id"]]
    assert viewer.get(f"/api/v1/articles/{tasnim['id']}").get_json()["cited_by"] == [jamaran["id"]]


def test_invalid_articles(editor, viewer):
    assert_error(editor.post("/api/v1/articles", json={"url": "ftp://example.org/x"}), 422, "url")
    assert_error(
        editor.post("/api/v1/articles", json={"text": "x", "published": "2024-13"}),
        422,
        "published",
    )
    assert_error(editor.post("/api/v1/articles", json={"text": "x", "cites": 999999}), 422, "cites")
    assert_error(editor.post("/api/v1/articles", json={}), 422, "text")
    assert_error(
        editor.post("/api/v1/articles", json={"text": "x", "language": "Persian"}), 422, "language"
    )
    assert_error(viewer.post("/api/v1/articles", json=SEED), 403)
    assert_error(viewer.get("/api/v1/articles/999999"), 404)


def test_list_without_text_with_filters(editor, viewer):
    fa = editor.post(
        "/api/v1/articles", json={"text": "گزارش", "language": "fa", "outlet": "Tasnim"}
    ).get_json()
    editor.post("/api/v1/articles", json={"text": "report", "language": "en", "outlet": "Reuters"})
    response = viewer.get("/api/v1/articles?language=fa&outlet=tasnim")
    items = response.get_json()
    assert fa["id"] in [a["id"] for a in items]
    assert all(a["language"] == "fa" for a in items)
    assert "text" not in items[0]
    assert json.loads(response.headers["X-Pagination"])["total"] == len(items)


def test_an_unquoted_article_is_deleted_softly_and_an_admin_restores_it(
    editor, admin, viewer, session
):
    quoted = factories.article(session, "Moscow and Tehran signed the treaty in January.")
    treaty = factories.agreement(session)
    factories.event(
        session,
        treaty.id,
        "signing",
        "2025-01-17",
        evidence=[{"article_id": quoted.id, "quote": "signed the treaty"}],
    )
    loose = factories.article(session, "An unrelated report filed by mistake.")
    path = f"/api/v1/articles/{loose.id}"
    assert_error(editor.delete(path), 428)
    assert_error(viewer.delete(path, etag=viewer.etag(path)), 403)
    qpath = f"/api/v1/articles/{quoted.id}"
    refused = assert_error(editor.delete(qpath, etag=editor.etag(qpath)), 409)
    assert "quoted as evidence" in refused["message"]  # the evidence behind a claim stays
    assert editor.delete(path, etag=editor.etag(path)).status_code == 204
    assert_error(viewer.get(path), 404)

    assert_error(editor.get("/api/v1/articles/deleted"), 403)
    listed = admin.get("/api/v1/articles/deleted?page_size=200").get_json()
    assert [(a["id"], a["deleted_by"]) for a in listed if a["id"] == loose.id] == [
        (loose.id, "editor@example.org")
    ]
    restored = admin.post(f"{path}/restore")
    assert restored.status_code == 200 and restored.get_json()["text"].startswith("An unrelated")
    assert viewer.get(path).status_code == 200
    assert_error(admin.post(f"{path}/restore"), 409)
    assert_error(admin.post("/api/v1/articles/999999/restore"), 404)
