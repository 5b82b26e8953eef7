"""A list asked again is answered from the page its worker built (tracker.api.page_cache):
the same bytes and headers, after one read, and never a page that a change has made stale,
older than its time, or kept when the client asks for a fresh answer."""

from __future__ import annotations

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


@pytest.mark.parametrize("fresh", [{"Cache-Control": "no-cache"}, {"Pragma": "no-cache"}])
def test_asking_for_fresh_data_builds_the_page_afresh_and_keeps_that(
    app, viewer, listed, connection, monkeypatch, fresh
):  # type: ignore[no-untyped-def]
    now = [1000.0]
    monkeypatch.setattr(page_cache, "now", lambda: now[0])
    first = viewer.get(LIST)
    now[0] += 10
    with counted(connection) as afresh:
        again = viewer.get(LIST, headers=fresh)
    assert again.data == first.data
    assert len(_reads(afresh)) > 2
    # What was built afresh replaced what was kept: it is 10 s younger.
    (entry,) = app.extensions[page_cache.EXTENSION]._pages.values()
    assert entry.made == 1010.0


def test_a_kept_page_is_built_again_after_its_time(app, viewer, listed, connection, monkeypatch):  # type: ignore[no-untyped-def]
    now = [1000.0]
    monkeypatch.setattr(page_cache, "now", lambda: now[0])
    viewer.get(LIST)
    now[0] += app.config["LIST_CACHE_SECONDS"] - 1
    with counted(connection) as kept:
        viewer.get(LIST)
    now[0] += 2
    with counted(connection) as rebuilt:
        viewer.get(LIST)
    assert len(_reads(kept)) == 2
    assert len(_reads(rebuilt)) > 2


def test_parameters_the_list_ignores_make_no_new_page(app, viewer, listed, connection):  # type: ignore[no-untyped-def]
    first = viewer.get(LIST)
    with counted(connection) as again:
        other = viewer.get(f"{LIST}&junk=1&more=2")
    assert other.data == first.data
    assert len(_reads(again)) == 2
    assert len(app.extensions[page_cache.EXTENSION]._pages) == 1


def test_public_and_token_readers_have_pages_of_their_own(
    app, viewer, anonymous, listed, connection
):  # type: ignore[no-untyped-def]
    app.config["PUBLIC_READ"] = True
    token = viewer.get(LIST)
    with counted(connection) as public:
        answer = anonymous.get(LIST)
    assert answer.status_code == 200
    assert len(_reads(public)) > 1  # built for the public, not the token's page
    assert answer.headers["ETag"] != token.headers["ETag"]
    assert answer.headers["Cache-Control"] == "public, max-age=60"
    assert token.headers["Cache-Control"] == "private, no-cache"
    assert anonymous.get(LIST).headers["Cache-Control"] == "public, max-age=60"
    assert viewer.get(LIST).headers["Cache-Control"] == "private, no-cache"


def test_an_error_is_never_kept(viewer, listed):  # type: ignore[no-untyped-def]
    for _ in range(2):
        assert viewer.get(f"{LIST}&after=not-a-cursor").status_code == 422
    assert viewer.get(LIST).status_code == 200


def test_a_size_of_zero_keeps_nothing(app, viewer, listed, connection):  # type: ignore[no-untyped-def]
    app.extensions[page_cache.EXTENSION] = page_cache.PageCache(0, 60)
    viewer.get(LIST)
    with counted(connection) as again:
        viewer.get(LIST)
    assert len(_reads(again)) > 2


def _page(n: int, size: int = 1) -> page_cache.Built:
    return page_cache.built(b"x" * size, n, False, None)


def test_the_least_recently_used_page_goes_first():
    cache = page_cache.PageCache(2, 60)
    pages = {n: _page(n) for n in range(3)}
    cache.put(("a",), pages[0])
    cache.put(("b",), pages[1])
    assert cache.get(("a",)) is not None  # "b" is now the least recently used
    cache.put(("c",), pages[2])
    assert cache.get(("b",)) is None
    assert cache.get(("a",)) is pages[0]
    assert cache.get(("c",)) is pages[2]


def test_the_pages_kept_stay_within_their_bytes():
    cache = page_cache.PageCache(100, 60, most_bytes=1000)
    for n in range(5):
        cache.put((n,), _page(n, 400))
    assert cache.kept_bytes == 800  # two pages of 400 bytes: the three oldest dropped
    assert [cache.get((n,)) is not None for n in range(5)] == [False, False, False, True, True]
    cache.put((3,), _page(3, 100))  # replacing a page counts its new size only
    assert cache.kept_bytes == 500
    cache.put(("big",), _page(9, 1001))  # larger than the whole budget: not kept
    assert cache.get(("big",)) is None
    assert cache.kept_bytes == 500
