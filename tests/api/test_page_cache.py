"""A list asked again is answered from the page its worker built (tracker.api.page_cache):
the same bytes and headers, after one read, and never a page that a change has made stale,
older than its time, or kept when the client asks for a fresh answer."""

from __future__ import annotations

import time

import pytest

from tests import factories
from tests.statements import counted
from tracker.api import page_cache

LIST = "/api/v1/agreements?topic=pagecache&sort=title&page_size=2"


@pytest.fixture
def listed(session):  # type: ignore[no-untyped-def]
    made = [
        factories.agreement(session, title=f"Kept treaty {n}", topics=["pagecache"])
        for n in range(3)
    ]
    session.commit()
    return made


def _reads(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def _titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_json()
    return [row["title"] for row in response.get_json()]


def test_the_same_list_again_is_the_same_answer_after_one_read(viewer, listed, connection):  # type: ignore[no-untyped-def]
    with counted(connection) as built:
        first = viewer.get(LIST)
    with counted(connection) as kept:
        again = viewer.get(LIST)
    assert again.data == first.data
    assert _titles(again) == ["Kept treaty 0", "Kept treaty 1"]
    for header in ("ETag", "X-Pagination", "Content-Type", "Cache-Control"):
        assert again.headers[header] == first.headers[header], header
    assert '"total": 3' in again.headers["X-Pagination"]
    assert "next_cursor" in again.headers["X-Pagination"]
    # The token and the stamp; building the page read its count, rows, parties and topics.
    assert len(_reads(kept)) == 2, kept
    assert len(_reads(built)) >= len(_reads(kept)) + 3


def test_a_change_is_listed_at_once(viewer, editor, listed):  # type: ignore[no-untyped-def]
    assert _titles(viewer.get(LIST)) == ["Kept treaty 0", "Kept treaty 1"]
    path = f"/api/v1/agreements/{listed[0].id}"
    response = editor.patch(path, json={"title": "Amended treaty"}, etag=editor.etag(path))
    assert response.status_code == 200, response.get_json()
    assert _titles(viewer.get(LIST)) == ["Amended treaty", "Kept treaty 1"]
    assert editor.delete(path, etag=editor.etag(path)).status_code == 204
    assert _titles(viewer.get(LIST)) == ["Kept treaty 1", "Kept treaty 2"]


def test_no_cache_from_the_client_builds_the_page_afresh(viewer, listed, connection):  # type: ignore[no-untyped-def]
    first = viewer.get(LIST)
    with counted(connection) as fresh:
        again = viewer.get(LIST, headers={"Cache-Control": "no-cache"})
    assert again.data == first.data
    assert len(_reads(fresh)) > 2


def test_a_kept_page_is_built_again_after_its_time(app, viewer, listed, connection, monkeypatch):  # type: ignore[no-untyped-def]
    now = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    viewer.get(LIST)
    now[0] += app.config["LIST_CACHE_SECONDS"] - 1
    with counted(connection) as kept:
        viewer.get(LIST)
    now[0] += 2
    with counted(connection) as rebuilt:
        viewer.get(LIST)
    assert len(_reads(kept)) == 2
    assert len(_reads(rebuilt)) > 2


def test_a_size_of_zero_keeps_nothing(app, viewer, listed, connection):  # type: ignore[no-untyped-def]
    app.extensions[page_cache.EXTENSION] = page_cache.PageCache(0, 60)
    viewer.get(LIST)
    with counted(connection) as again:
        viewer.get(LIST)
    assert len(_reads(again)) > 2


def test_the_least_recently_used_page_goes_first():
    cache = page_cache.PageCache(2, 60)
    made = time.monotonic()
    pages = {n: page_cache.Built(str(n).encode(), n, False, None, made) for n in range(3)}
    cache.put(("a",), pages[0])
    cache.put(("b",), pages[1])
    assert cache.get(("a",)) is not None  # "b" is now the least recently used
    cache.put(("c",), pages[2])
    assert cache.get(("b",)) is None
    assert cache.get(("a",)) is pages[0]
    assert cache.get(("c",)) is pages[2]
