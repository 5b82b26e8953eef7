"""GET /api/v1/agreements pages by cursor (`after`, `next_cursor` in X-Pagination) as well as
by `page`, and counts its total only up to a cap (`total_capped`), on both engines."""

from __future__ import annotations

import base64
import json

import pytest

from tests import factories
from tests.api.conftest import assert_error
from tracker.schemas.agreements import SORTS
from tracker.services.agreements import listing

LIST = "/api/v1/agreements?q=cursorcase"


@pytest.fixture
def seven(session):  # type: ignore[no-untyped-def]
    """Seven agreements titled "Cursorcase …", two with the same title (a tie the id
    breaks), some signed, in force or ratifying, some with nothing dated (last in any sort)."""
    made = []
    for n, (title, events) in enumerate(
        [
            ("Cursorcase alpha", [("signing", "2024-06-19"), ("entry_into_force", "2024-12-04")]),
            ("Cursorcase beta", [("signing", "2025-01-17")]),
            ("Cursorcase beta", [("signing", "2025-01-17")]),
            ("Cursorcase gamma", [("announcement", "2025-09-01")]),
            ("Cursorcase delta", []),
            ("Cursorcase epsilon", [("signing", "2023-03-03"), ("ratification", "2023-05-05")]),
            ("Cursorcase zeta", []),
        ]
    ):
        agreement = factories.agreement(
            session, title=title, parties=["RUS", "IRN"] if n % 2 else ["RUS", "BLR"]
        )
        for stage, day in events:
            factories.event(session, agreement.id, stage, day, party="RUS")
        made.append(agreement)
    session.commit()
    return made


def _paging(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_json()
    return json.loads(response.headers["X-Pagination"])


def _walk(client, query: str, size: int) -> tuple[list[int], int]:  # type: ignore[no-untyped-def]
    """Every row of the list, page by page through next_cursor; and how many pages."""
    seen: list[int] = []
    url, pages = f"{query}&page_size={size}", 0
    while True:
        response = client.get(url)
        paging = _paging(response)
        pages += 1
        seen += [a["id"] for a in response.get_json()]
        assert paging["total"] == 7 and paging["total_capped"] is False
        if "next_cursor" not in paging:
            return seen, pages
        url = f"{query}&page_size={size}&after={paging['next_cursor']}"
        assert pages < 20, "the cursor does not move on"


@pytest.mark.parametrize("sort", SORTS)
def test_the_cursor_walks_every_row_once_in_order(viewer, seven, sort):  # type: ignore[no-untyped-def]
    whole = viewer.get(f"{LIST}&sort={sort}&page_size=200")
    assert "next_cursor" not in _paging(whole)  # one page holds it all
    expected = [a["id"] for a in whole.get_json()]
    assert sorted(expected) == sorted(a.id for a in seven)
    walked, pages = _walk(viewer, f"{LIST}&sort={sort}", size=2)
    assert walked == expected
    assert pages == 4  # 2 + 2 + 2 + 1, and no empty page after the last


def test_a_cursor_neither_repeats_nor_skips_when_rows_come_before_it(viewer, editor, seven):  # type: ignore[no-untyped-def]
    first = viewer.get(f"{LIST}&sort=title&page_size=3")
    shown = [a["id"] for a in first.get_json()]
    cursor = _paging(first)["next_cursor"]
    created = editor.post(
        "/api/v1/agreements",
        json={"title": "Cursorcase aardvark", "kind": "treaty", "parties": ["RUS", "IRN"]},
    )
    assert created.status_code == 201, created.get_json()
    by_page = [a["id"] for a in viewer.get(f"{LIST}&sort=title&page_size=3&page=2").get_json()]
    assert by_page[0] == shown[-1]  # the page number shifts: the row is shown twice
    by_cursor = viewer.get(f"{LIST}&sort=title&page_size=3&after={cursor}").get_json()
    assert [a["title"] for a in by_cursor] == [
        "Cursorcase delta",
        "Cursorcase epsilon",
        "Cursorcase gamma",
    ]
    assert not set(shown) & {a["id"] for a in by_cursor}


def _cursor(*parts: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


def test_a_cursor_that_is_not_one_of_this_list_is_a_422_on_after(viewer, seven):  # type: ignore[no-untyped-def]
    cursor = _paging(viewer.get(f"{LIST}&sort=title&page_size=2"))["next_cursor"]
    for url in (
        f"{LIST}&after=not-a-cursor",
        f"{LIST}&sort=-title&after={cursor}",  # made for another sort
        f"{LIST}&sort=title&page=2&after={cursor}",  # page or cursor, not both
        f"{LIST}&sort=title&after={_cursor('title', 5, 1)}",  # a title that is a number
        f"{LIST}&sort=updated&after={_cursor('updated', 'yesterday', 1)}",
        f"{LIST}&sort=title&after={_cursor('title', 'x', 'one')}",
        f"{LIST}&sort=title&after={_cursor('title', 'x')}",
        f"{LIST}&sort=title&after={_cursor('title', 'x', 2**70)}",  # no such id
        f"{LIST}&sort=title&after={_cursor('title', 'a' + chr(0), 1)}",
        f"{LIST}&sort=title&after={_cursor('title', chr(0xD800), 1)}",
        f"{LIST}&sort=stage&after={_cursor('stage', 99999, 1)}",
        f"{LIST}&sort=signed&after={_cursor('signed', '2025-02-30', 1)}",
    ):
        body = assert_error(viewer.get(url), 422, "after")
        assert body["errors"]["after"], url
    assert viewer.get(f"{LIST}&sort=title&after={cursor}").status_code == 200


def test_the_total_stops_counting_at_its_cap(viewer, seven, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(listing, "CAP", 5)
    paging = _paging(viewer.get(f"{LIST}&page_size=2"))
    assert paging["total"] == 5 and paging["total_capped"] is True
    assert paging["total_pages"] == 3 and "next_cursor" in paging
    # A selection under the cap is counted exactly.
    paging = _paging(viewer.get(f"{LIST}&party=IRN"))
    assert paging["total"] == 3 and paging["total_capped"] is False
    # Past the cap the rows are still all there, through the cursor.
    walked: list[int] = []
    url = f"{LIST}&page_size=2"
    while url:
        response = viewer.get(url)
        walked += [a["id"] for a in response.get_json()]
        cursor = _paging(response).get("next_cursor")
        url = cursor and f"{LIST}&page_size=2&after={cursor}"
    assert sorted(walked) == sorted(a.id for a in seven)


def test_the_openapi_document_describes_the_cursor(viewer):  # type: ignore[no-untyped-def]
    spec = viewer.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/agreements"]["get"]
    names = {p["name"] for p in operation["parameters"] if "name" in p}  # or a $ref
    assert {"after", "page", "page_size"} <= names
    header = operation["responses"]["200"]["headers"]["X-Pagination"]["description"]
    assert "next_cursor" in header and "total_capped" in header


def test_the_paging_header_has_smorests_keys_in_smorests_order():  # type: ignore[no-untyped-def]
    """X-Pagination is made without smorest's per-request schema: the same metadata, key for
    key and in the same order, for every page of small and large lists, empty ones too."""
    from flask_smorest.pagination import PaginationMixin

    from tracker.api.base import ApiBlueprint

    for page in (1, 2, 3, 7, 200):
        for page_size in (1, 2, 50):
            for item_count in (0, 1, 2, 3, 49, 50, 51, 10_000):
                theirs = PaginationMixin._make_pagination_metadata(page, page_size, item_count)
                ours = ApiBlueprint._make_pagination_metadata(page, page_size, item_count)
                assert list(ours.items()) == list(theirs.items()), (page, page_size, item_count)
