"""The participants table on an agreement's page, sortable by plain links, and the box that
imports the UN's status table."""

from __future__ import annotations

import re

from tests import factories, un_status
from tests.web.conftest import csrf, errors_beside
from tracker.services.accounts.users import update_user
from tracker.services.claims.status_import import import_status


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr id="participant-([A-Z]+)"', html)


def test_a_bilateral_agreement_shows_its_two_rows(viewer_web, session):
    agreement = factories.agreement(session)
    factories.event(session, agreement.id, "signing", "2025-01-17")
    html = viewer_web.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert _rows(html) == ["RUS", "IRN"]
    assert '<table class="participants">' in html
    assert "<bdi>Russian Federation</bdi>" in html or "<bdi>Russia" in html
    assert "Import the UN&#39;s status table" not in html  # a viewer has no box


def test_the_table_sorts_by_each_column(viewer_web, people, session):
    agreement = factories.agreement(session)
    import_status(session, agreement.id, un_status.table(un_status.ROWS[:8]))
    path = f"/agreements/{agreement.id}"
    html = viewer_web.get(path).get_data(as_text=True)
    assert _rows(html)[:2] == ["RUS", "IRN"]
    assert f'href="/agreements/{agreement.id}?participants=consented#participants"' in html
    by_consent = viewer_web.get(path + "?participants=consented").get_data(as_text=True)
    assert _rows(by_consent)[:5] == ["PRK", "TUR", "CIV", "KOR", "VEN"]
    assert "?participants=-consented#participants" in by_consent  # again: the reverse
    latest = viewer_web.get(path + "?participants=-consented").get_data(as_text=True)
    assert _rows(latest)[:2] == ["VEN", "KOR"]
    by_name = viewer_web.get(path + "?participants=-participant").get_data(as_text=True)
    assert _rows(by_name)[0] == "VEN"
    for column in ("signed", "bound_from", "withdrawal_notified", "suspended_since", "bogus"):
        assert viewer_web.get(path + f"?participants={column}").status_code == 200
    # the marker after the date, its kind in words
    assert re.search(r'<abbr title="Accession">a</abbr>', html)

    update_user(session, people["viewer"].id, {"show_jalali": True})
    jalali = viewer_web.get(path).get_data(as_text=True)
    row = jalali[jalali.index('id="participant-PRK"') :]
    assert "1398" in row[: row.index("</tr>")]  # 3 Apr 2019 is 14 Farvardin 1398


def test_the_box_imports_a_pasted_table(editor_web, session):
    agreement = factories.agreement(session, ref="UN-WEB-1")
    path = f"/agreements/{agreement.id}"
    token = csrf(editor_web, path)
    pasted = un_status.table(un_status.ROWS[:24])
    response = editor_web.post(
        f"{path}/status", data={"csrf_token": token, "text": pasted}, follow_redirects=True
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = un_status.ROWS[:24]
    message = (
        f"Recorded {un_status.claim_count(rows)} claims for {len(un_status.readable(rows))} "
        "participants; 5 rows not read: line 10: neither a signature nor an instrument date; "
        "line 20: ‘Atlantis’ is not a participant we know"
    )
    assert message.replace("‘", "&lsquo;") in html or message in html
    assert "PRK" in _rows(html) and "DEU" in _rows(html)

    again = editor_web.post(
        f"{path}/status", data={"csrf_token": token, "text": pasted}, follow_redirects=True
    )
    assert "Recorded 0 claims for 0 participants" in again.get_data(as_text=True)


def test_the_box_names_why_nothing_was_read(editor_web, viewer_web, session):
    agreement = factories.agreement(session)
    path = f"/agreements/{agreement.id}"
    token = csrf(editor_web, path)
    response = editor_web.post(
        f"{path}/status",
        data={"csrf_token": token, "text": "Participant\tSignature\nAtlantis\t1 Jan 2020\n"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "is not a participant we know" in errors_beside(html, "text")
    viewer_token = csrf(viewer_web, "/account")
    refused = viewer_web.post(f"{path}/status", data={"csrf_token": viewer_token, "text": "x"})
    assert refused.status_code == 403
