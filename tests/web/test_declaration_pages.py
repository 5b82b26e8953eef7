"""Declarations and reservations on the agreement page: shown per party, with objections
under what they answer, and the forms to record, edit and remove them."""

from __future__ import annotations

import re

from tests import factories
from tests.web.conftest import csrf, errors_beside
from tracker.services.claims import declarations

RESERVATION = "جمهوری اسلامی ایران خود را ملزم به بند ۲ ماده ۱۴ نمی‌داند."


def _treaty(session):  # type: ignore[no-untyped-def]
    return factories.agreement(
        session, title="Convention on a common matter", parties=["IRN", "RUS", "FRA"]
    )


def _record(session, treaty, **data):  # type: ignore[no-untyped-def]
    return declarations.record_declaration(session, treaty.id, data)


def test_the_page_shows_a_reservation_its_objection_and_the_participants_markers(
    viewer_web, session
):
    treaty = _treaty(session)
    article = factories.article(session, f"گزارش: {RESERVATION}", language="fa")
    reservation = _record(
        session,
        treaty,
        party="IRN",
        kind="reservation",
        text=RESERVATION,
        language="fa",
        made_at="consent",
        date="2025-01-17",
        evidence=[{"article_id": article.id, "quote": RESERVATION}],
    )
    objection = _record(
        session, treaty, party="RUS", kind="objection", objects_to=reservation.id, date="2026-03-01"
    )
    html = viewer_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    section = html[html.index('id="declarations"') :]
    item = section[section.index(f'id="declaration-{reservation.id}"') :]
    item = item[: item.index("</li>\n")]
    # the Persian words as written, in a block the browser lays out right to left
    assert re.search(
        r'<blockquote class="declaration-text" dir="auto" lang="fa">[^<]*' + RESERVATION[:10], item
    )
    assert "made at consent" in item
    assert f'Objected to by <a href="#declaration-{objection.id}">RUS</a>' in item
    assert (
        f'<a href="#declaration-{objection.id}">RUS objects</a> '
        '(<time datetime="2026-03-01" dir="ltr">1 Mar 2026</time>)'
    ) in item
    assert f'href="/articles/{article.id}' in item  # the evidence links to its article
    rus = section[section.index(f'id="declaration-{objection.id}"') :]
    assert f'to <a href="#declaration-{reservation.id}">IRN\'s reservation</a>' in rus
    row = html[html.index('id="participant-IRN"') :]
    row = row[: row.index("</tr>")]
    assert f'href="#declaration-{reservation.id}">reservation</a>' in row
    assert "Record a declaration" not in html  # a viewer has no forms

    declarations.amend_declaration(session, reservation.id, {"withdrawn_on": "2026-05-04"})
    html = viewer_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    row = html[html.index('id="participant-IRN"') :]
    assert "<s>reservation</s> (withdrawn)" in row[: row.index("</tr>")]
    assert "withdrawn-mark" in html and "<del>" in html


def test_an_editor_records_a_reservation_and_an_objection_with_the_form(editor_web, session):
    treaty = _treaty(session)
    path = f"/agreements/{treaty.id}/declarations/new"
    token = csrf(editor_web, path)
    response = editor_web.post(
        path,
        data={
            "csrf_token": token,
            "party": "IRN",
            "kind": "reservation",
            "made_at": "signature",
            "date": "۱۴۰۳/۱۰/۲۸",
            "text": RESERVATION,
            "language": "fa",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    (made,) = declarations.list_declarations(session, treaty.id)
    assert (made.date, made.text, made.made_at) == ("2025-01-17", RESERVATION, "signature")

    # an objection by the same party, and one with nothing to answer: errors beside fields
    form = editor_web.get(path + f"?kind=objection&objects_to={made.id}").get_data(as_text=True)
    assert f'<option selected value="{made.id}">' in form or f'value="{made.id}" selected' in form
    response = editor_web.post(
        path,
        data={"csrf_token": token, "party": "IRN", "kind": "objection", "objects_to": made.id},
    )
    assert response.status_code == 422
    assert "cannot object to its own" in errors_beside(
        response.get_data(as_text=True), "objects_to"
    )
    response = editor_web.post(
        path, data={"csrf_token": token, "party": "", "kind": "objection", "date": "2025-02-30"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert errors_beside(html, "party") and errors_beside(html, "date")
    assert errors_beside(html, "objects_to")
    response = editor_web.post(
        path,
        data={"csrf_token": token, "party": "FRA", "kind": "objection", "objects_to": made.id},
    )
    assert response.status_code == 302
    objection = declarations.list_declarations(session, treaty.id)[-1]
    assert (objection.party_code, objection.objects_to_id) == ("FRA", made.id)


def test_an_editor_withdraws_and_removes_with_confirmation(editor_web, session):
    treaty = _treaty(session)
    reservation = _record(session, treaty, party="IRN", kind="reservation", text="Текст оговорки")
    objection = _record(session, treaty, party="FRA", kind="objection", objects_to=reservation.id)
    edit = f"/declarations/{reservation.id}/edit"
    page = editor_web.get(edit).get_data(as_text=True)
    token = csrf(editor_web, edit)
    assert "Текст оговорки" in page
    response = editor_web.post(
        edit,
        data={
            "csrf_token": token,
            "party": "IRN",
            "kind": "reservation",
            "text": "Текст оговорки",
            "withdrawn_on": "2024-01-01/2023-01-01",
            "version": str(reservation.version),
        },
    )
    assert response.status_code == 422
    assert errors_beside(response.get_data(as_text=True), "withdrawn_on")
    response = editor_web.post(
        edit,
        data={
            "csrf_token": token,
            "party": "IRN",
            "kind": "reservation",
            "text": "Текст оговорки",
            "withdrawn_on": "2026-05-04",
            "version": str(reservation.version),
        },
    )
    assert response.status_code == 302
    session.expire_all()
    assert declarations.get_declaration(session, reservation.id).withdrawn_on == "2026-05-04"

    remove = f"/declarations/{reservation.id}/remove"
    page = editor_web.get(remove).get_data(as_text=True)
    assert "remove the objection first" in page
    editor_web.post(remove, data={"csrf_token": token})
    session.expire_all()
    assert len(declarations.list_declarations(session, treaty.id)) == 2
    page = editor_web.get(f"/declarations/{objection.id}/remove").get_data(as_text=True)
    assert "Remove it" in page
    editor_web.post(f"/declarations/{objection.id}/remove", data={"csrf_token": token})
    editor_web.post(remove, data={"csrf_token": token})
    session.expire_all()
    assert declarations.list_declarations(session, treaty.id) == []
    html = editor_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    assert "Editor removed FRA&#39;s objection to IRN&#39;s reservation" in html


def test_the_search_page_finds_a_reservation_and_links_to_it(viewer_web, session):
    treaty = _treaty(session)
    made = _record(session, treaty, party="IRN", kind="reservation", text=RESERVATION)
    html = viewer_web.get(
        "/search", query_string={"q": "جمهوري اسلامي", "type": "declaration"}
    ).get_data(as_text=True)
    assert f'href="/agreements/{treaty.id}#declaration-{made.id}"' in html
    assert "IRN&#39;s reservation to Convention on a common matter" in html
