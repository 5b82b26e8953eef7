"""/api/v1/feeds: list (paged, by activity), add, read, change with If-Match, remove (admins)."""

from __future__ import annotations

import json

from tests.api.conftest import assert_error
from tracker.models.inbox import NewsFeed

TASS = "https://tass.ru/rss/v2.xml"
FIELDS = {
    "id",
    "url",
    "title",
    "language",
    "active",
    "poll_every_minutes",
    "last_polled_at",
    "last_success_at",
    "next_poll_at",
    "last_error",
    "consecutive_failures",
    "paused_reason",
    "version",
    "created_at",
    "updated_at",
}


def _add(api, **body):  # type: ignore[no-untyped-def]
    response = api.post("/api/v1/feeds", json={"url": TASS} | body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_an_editor_adds_a_feed_and_everyone_signed_in_reads_it(editor, viewer, anonymous):
    feed = _add(editor, title="ТАСС", language="ru", poll_every_minutes=15)
    assert set(feed) == FIELDS
    assert (feed["title"], feed["language"], feed["active"], feed["poll_every_minutes"]) == (
        "ТАСС",
        "ru",
        True,
        15,
    )
    assert feed["consecutive_failures"] == 0 and feed["last_error"] is None
    path = f"/api/v1/feeds/{feed['id']}"
    got = viewer.get(path)
    assert got.status_code == 200 and got.get_json()["url"] == TASS and got.headers["ETag"]
    listed = viewer.get("/api/v1/feeds?page_size=200")
    assert feed["id"] in [f["id"] for f in listed.get_json()]
    assert json.loads(listed.headers["X-Pagination"])["total"] >= 1
    assert_error(anonymous.get("/api/v1/feeds"), 401)
    assert_error(viewer.post("/api/v1/feeds", json={"url": "https://ria.ru/rss"}), 403)


def test_a_duplicate_or_bad_feed_is_a_422_per_field(editor):
    first = _add(editor, title="TASS")
    again = editor.post(
        "/api/v1/feeds", json={"url": "https://www.tass.ru/rss/v2.xml?utm_medium=x"}
    )
    body = assert_error(again, 422, "url")
    assert body["errors"]["url"] == [f"already watched: TASS (feed {first['id']})"]
    bad = editor.post(
        "/api/v1/feeds",
        json={"url": "file:///etc/passwd", "language": "xx_1", "poll_every_minutes": 1},
    )
    errors = assert_error(bad, 422)["errors"]
    assert set(errors) == {"url", "language", "poll_every_minutes"}
    assert "http:// and https://" in errors["url"][0]
    read_only = editor.post(
        "/api/v1/feeds", json={"url": "https://ria.ru/rss", "consecutive_failures": 0}
    )
    assert_error(read_only, 422, "consecutive_failures")
    assert_error(
        editor.post("/api/v1/feeds", json={"url": "https://ria.ru/rss", "active": "maybe"}),
        422,
        "active",
    )


def test_change_needs_if_match_and_resuming_clears_the_pause(editor, session):
    feed = _add(editor)
    path = f"/api/v1/feeds/{feed['id']}"
    assert_error(editor.patch(path, json={"title": "TASS"}), 428)
    etag = editor.etag(path)
    changed = editor.patch(path, json={"title": "TASS", "active": False}, etag=etag)
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["active"], changed.get_json()["paused_reason"]) == (
        False,
        "paused by hand",
    )
    assert_error(editor.patch(path, json={"title": "stale"}, etag=etag), 412)
    # the poller paused it meanwhile for its failures: the ETag moves with what it shows
    row = session.get(NewsFeed, feed["id"])
    row.paused_reason, row.consecutive_failures = "failed 10 times in a row", 10
    row.last_error = "the page did not answer within 10 s"
    session.commit()
    shown = editor.get(path).get_json()
    assert shown["last_error"] == "the page did not answer within 10 s"
    resumed = editor.patch(path, json={"active": True}, etag=editor.etag(path)).get_json()
    assert (
        resumed["active"],
        resumed["paused_reason"],
        resumed["consecutive_failures"],
        resumed["last_error"],
        resumed["next_poll_at"],
    ) == (True, None, 0, None, None)
    active = [f["id"] for f in editor.get("/api/v1/feeds?active=true&page_size=200").get_json()]
    paused = [f["id"] for f in editor.get("/api/v1/feeds?active=false&page_size=200").get_json()]
    assert feed["id"] in active and feed["id"] not in paused
    clash = _add(editor, url="https://ria.ru/export/rss2/index.xml")
    taken = editor.patch(
        f"/api/v1/feeds/{clash['id']}",
        json={"url": TASS},
        etag=editor.etag(f"/api/v1/feeds/{clash['id']}"),
    )
    assert assert_error(taken, 422, "url")["errors"]["url"] == [
        f"already watched: TASS (feed {feed['id']})"
    ]


def test_only_an_admin_removes_a_feed(editor, admin):
    feed = _add(editor)
    path = f"/api/v1/feeds/{feed['id']}"
    etag = editor.etag(path)
    assert_error(editor.delete(path, etag=etag), 403)
    assert_error(admin.delete(path), 428)
    assert admin.delete(path, etag=etag).status_code == 204
    assert_error(admin.get(path), 404)
    assert_error(admin.delete(path, etag=etag), 404)


def test_unknown_feeds_and_odd_ids_are_404(viewer):
    assert_error(viewer.get("/api/v1/feeds/2147483647"), 404)
    assert viewer.get("/api/v1/feeds/0").status_code == 404
    assert viewer.get("/api/v1/feeds/99999999999999999999").status_code == 404
    assert_error(viewer.get("/api/v1/feeds?active=perhaps"), 422, "active")
