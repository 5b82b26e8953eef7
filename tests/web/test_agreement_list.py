"""The agreement form with parties typed by name, and the agreements list with its GET form:
filters kept in the form, sorts, date columns, paging and empty results that say so."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.web.conftest import csrf, errors_beside
from tracker.models import Agreement
from tracker.services.agreements import listing


def _count(session) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(Agreement))


def _new(editor_web, parties: str, title: str = "Typed by name"):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": csrf(editor_web, "/agreements/new"),
        "title": title,
        "kind": "treaty",
        "parties": parties,
    }
    return editor_web.post("/agreements/new", data=data)


@pytest.mark.parametrize(
    ("typed", "codes"),
    [
        ("Russia, North Korea", ["RUS", "PRK"]),
        ("ایران، Россия", ["IRN", "RUS"]),
        ("«ایران», «Россия»", ["IRN", "RUS"]),
        ("الكرملين, DPRK", ["RUS", "PRK"]),
    ],
)
def test_parties_typed_by_name_are_stored_as_codes(editor_web, session, typed, codes):
    response = _new(editor_web, typed, title=f"By name {typed}")
    assert response.status_code == 302, errors_beside(response.get_data(as_text=True), "parties")
    made = session.scalar(select(Agreement).where(Agreement.title == f"By name {typed}"))
    assert made.party_codes == codes


def test_an_unknown_party_name_is_named_with_a_suggestion_and_nothing_is_stored(
    editor_web, session
):
    before = _count(session)
    response = _new(editor_web, "Rusia, North Korea")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    beside = htmllib.unescape(errors_beside(page, "parties"))
    assert "‘Rusia’ is not a party we know — did you mean Russia (RUS)?" in beside
    assert 'value="Rusia, North Korea"' in page  # what was typed is kept
    assert _count(session) == before


def test_the_form_suggests_party_names_and_says_what_to_type(editor_web):
    page = editor_web.get("/agreements/new").get_data(as_text=True)
    assert 'list="party-names"' in page and '<datalist id="party-names">' in page
    assert '<option value="North Korea (PRK)"' in page
    assert '<option value="Iran (IRN)" label="' in page and "Иран" in page
    assert "Names or codes, separated by commas" in page


def test_the_edit_form_shows_parties_by_name_and_code_and_round_trips(editor_web, session):
    treaty = factories.agreement(session, title="Round trip", parties=["RUS", "PRK", "COD"])
    path = f"/agreements/{treaty.id}/edit"
    page = editor_web.get(path).get_data(as_text=True)
    shown = (
        "Russian Federation (RUS), North Korea (PRK), The Democratic Republic of the Congo (COD)"
    )
    assert f'value="{shown}"' in page
    version = re.search(r'name="version"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="version"', page
    )
    data = {
        "csrf_token": csrf(editor_web, path),
        "title": "Round trip",
        "kind": "treaty",
        "parties": shown + ", ایران",
        "version": version.group(1),
    }
    response = editor_web.post(path, data=data)
    assert response.status_code == 302, errors_beside(response.get_data(as_text=True), "parties")
    session.refresh(treaty)
    assert treaty.party_codes == ["RUS", "PRK", "COD", "IRN"]


# ---------------------------------------------------------------- the list


@pytest.fixture
def listed(session):  # type: ignore[no-untyped-def]
    pact = factories.agreement(
        session, title="Listing pyongyang pact", kind="treaty", parties=["RUS", "PRK"]
    )
    factories.event(session, pact.id, "signing", "2024-06-19")
    factories.event(session, pact.id, "entry_into_force", "2024-12-04")
    memo = factories.agreement(
        session,
        title="Listing caspian memo",
        kind="memorandum",
        parties=["RUS", "IRN"],
        topics=["transport"],
    )
    factories.event(session, memo.id, "announcement", "2025-03-01")
    return pact, memo


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return re.findall(r'<a href="/agreements/\d+" dir="auto">([^<]+)</a>', body)


def test_filters_by_party_name_and_kind_are_kept_in_the_form(viewer_web, listed):
    response = viewer_web.get("/agreements?party=ایران&kind=memorandum&q=listing")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _rows(page) == ["Listing caspian memo"]
    assert 'value="ایران"' in page
    assert '<option value="memorandum" selected>' in page
    page = viewer_web.get("/agreements?party=North Korea&q=listing").get_data(as_text=True)
    assert _rows(page) == ["Listing pyongyang pact"]
    page = viewer_web.get("/agreements?party=PRK&kind=memorandum&q=listing").get_data(as_text=True)
    assert _rows(page) == [] and "No agreement matches these filters." in page


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("stage=entry_into_force", ["Listing pyongyang pact"]),
        ("stage=announcement", ["Listing caspian memo"]),
        ("status=in_force", ["Listing pyongyang pact"]),
        ("topic=transport", ["Listing caspian memo"]),
        ("kind=treaty", ["Listing pyongyang pact"]),
        ("sort=title", ["Listing caspian memo", "Listing pyongyang pact"]),
        ("sort=-signed", ["Listing pyongyang pact", "Listing caspian memo"]),
        ("sort=-stage", ["Listing pyongyang pact", "Listing caspian memo"]),
        ("sort=stage", ["Listing caspian memo", "Listing pyongyang pact"]),
        ("sort=-last_activity", ["Listing caspian memo", "Listing pyongyang pact"]),
    ],
)
def test_each_filter_and_sort(viewer_web, listed, query, titles):
    page = viewer_web.get(f"/agreements?q=listing&{query}").get_data(as_text=True)
    assert _rows(page) == titles


def test_the_list_shows_signing_entry_into_force_and_last_event(viewer_web, listed):
    page = viewer_web.get("/agreements?q=listing&sort=title").get_data(as_text=True)
    for header in ("Signed", "In force", "Last event", "Updated"):
        assert f'<th scope="col">{header}</th>' in page
    pact_row = page.split("Listing pyongyang pact", 1)[1].split("</tr>", 1)[0]
    assert '<time datetime="2024-06-19" dir="ltr">19 Jun 2024</time>' in pact_row
    assert '<time datetime="2024-12-04" dir="ltr">4 Dec 2024</time>' in pact_row
    memo_row = page.split("Listing caspian memo", 1)[1].split("</tr>", 1)[0]
    assert '<time datetime="2025-03-01" dir="ltr">1 Mar 2025</time>' in memo_row  # last event
    assert 'class="table-scroll"' in page


def test_a_party_the_list_does_not_know_is_named_with_a_suggestion(viewer_web, listed):
    response = viewer_web.get("/agreements?party=Rusia")
    page = htmllib.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "‘Rusia’ is not a party we know — did you mean Russia (RUS)?" in page
    assert _rows(page) == [] and 'value="Rusia"' in page
    for bad in ("kind=pact", "stage=done", "status=sleeping"):
        response = viewer_web.get(f"/agreements?{bad}")
        assert response.status_code == 422
        assert "is not a" in htmllib.unescape(response.get_data(as_text=True))
    # An unknown sort or page falls back to the default, never a 500.
    assert viewer_web.get("/agreements?sort=colour&page=x").status_code == 200


def test_the_list_pages(viewer_web, session):
    for n in range(52):
        factories.agreement(session, title=f"Paged listing {n:02d}")
    page = viewer_web.get("/agreements?q=paged listing&sort=title").get_data(as_text=True)
    assert len(_rows(page)) == 50 and "52 agreements, page 1 of 2" in page
    assert 'rel="next" href="/agreements?' in page and "page=2" in page
    second = viewer_web.get("/agreements?q=paged listing&sort=title&page=2").get_data(as_text=True)
    assert _rows(second) == ["Paged listing 50", "Paged listing 51"]
    assert 'rel="prev"' in second
    beyond = viewer_web.get("/agreements?q=paged listing&page=9").get_data(as_text=True)
    assert "There is no page 9" in beyond


def test_past_the_cap_the_list_says_more_than(viewer_web, session, monkeypatch):  # type: ignore[no-untyped-def]
    for n in range(7):
        factories.agreement(session, title=f"Capped listing {n}")
    monkeypatch.setattr(listing, "CAP", 5)
    page = viewer_web.get("/agreements?q=capped listing").get_data(as_text=True)
    assert "More than 5 agreements (counted up to 5" in page and len(_rows(page)) == 7
    page = viewer_web.get("/agreements?q=capped listing 4").get_data(as_text=True)
    assert "1 agreement." in page
