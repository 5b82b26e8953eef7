"""GET /api/v1/agreements/{id}/participants: the participants table as JSON and CSV."""

from __future__ import annotations

import csv
import io
import json

from tests import factories, un_status
from tests.api.conftest import assert_error
from tracker.services.agreements import commands
from tracker.services.claims.status_import import import_status


def _imported(session):  # type: ignore[no-untyped-def]
    agreement = factories.agreement(session, ref="UN-API-1")
    import_status(session, agreement.id, un_status.table())
    return agreement.id


def test_rows_paged_with_etag(viewer, session):
    aid = _imported(session)
    path = f"/api/v1/agreements/{aid}/participants"
    first = viewer.get(path, query_string={"page_size": 20})
    assert first.status_code == 200
    rows = first.get_json()
    assert len(rows) == 20
    paging = json.loads(first.headers["X-Pagination"])
    parties = 2 + len([r for r in un_status.readable() if r[3] not in ("RUS", "IRN")])
    assert paging["total"] == parties and paging["total_pages"] == 3
    assert rows[0] == {
        "party": {"code": "RUS", "name": "Russian Federation"},
        "participation": "not_signed",
        "signed": None,
        "consent_type": None,
        "consent_marker": None,
        "consented": None,
        "bound_from": None,
        "withdrawal_notified": None,
        "withdrawal_effective": None,
        "suspended_since": None,
        "declarations": [],
    }
    by_code = {r["party"]["code"]: r for r in rows}
    assert by_code["PRK"]["consent_type"] == "accession"
    assert by_code["PRK"]["consent_marker"] == "a"
    assert by_code["PRK"]["consented"] == "2019-04-03"
    assert by_code["PRK"]["participation"] == "consented"
    assert by_code["IRN"]["signed"] == "2023-09-20" and by_code["IRN"]["participation"] == "signed"

    etag = first.headers["ETag"]
    again = viewer.get(path, query_string={"page_size": 20}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    other_page = viewer.get(path, query_string={"page_size": 20, "page": 2})
    assert other_page.status_code == 200 and other_page.headers["ETag"] != etag
    whole = viewer.get(path, query_string={"page_size": 200}).get_json()
    assert len(whole) == parties
    assert viewer.get(path, query_string={"page_size": 201}).status_code == 422

    # a new claim changes the table and its ETag
    factories.event(session, aid, "signing", "2023-09-21", party="RUS")
    changed = viewer.get(path, query_string={"page_size": 20}, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.get_json()[0]["signed"] == "2023-09-21"


def test_csv(viewer, session):
    aid = _imported(session)
    path = f"/api/v1/agreements/{aid}/participants"
    response = viewer.get(path, query_string={"format": "csv", "page_size": 200})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "X-Pagination" in response.headers
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert lines[0] == [
        "party_code",
        "party_name",
        "participation",
        "signed",
        "consent_type",
        "consent_marker",
        "consented",
        "bound_from",
        "withdrawal_notified",
        "withdrawal_effective",
        "suspended_since",
        "declarations",
    ]
    rows = {line[0]: line for line in lines[1:]}
    assert len(rows) == len(viewer.get(path, query_string={"page_size": 200}).get_json())
    assert rows["CIV"][3:7] == ["2023-09-21", "acceptance", "A", "2024-03-05"]
    assert rows["DEU"][4:7] == ["ratification", "", "2024-11-11"]
    etag = response.headers["ETag"]
    cached = viewer.get(
        path, query_string={"format": "csv", "page_size": 200}, headers={"If-None-Match": etag}
    )
    assert cached.status_code == 304
    paged = viewer.get(path, query_string={"format": "csv", "page_size": 5, "page": 2})
    assert len(paged.get_data(as_text=True).strip().splitlines()) == 6


def test_bad_format_unknown_and_deleted_agreements(viewer, session):
    aid = factories.agreement(session).id
    path = f"/api/v1/agreements/{aid}/participants"
    assert_error(viewer.get(path, query_string={"format": "xml"}), 422, "format")
    assert_error(viewer.get("/api/v1/agreements/999999/participants"), 404)
    # a bilateral agreement has its two rows
    assert [r["party"]["code"] for r in viewer.get(path).get_json()] == ["RUS", "IRN"]
    commands.delete_agreement(session, aid)
    assert_error(viewer.get(path), 404)


def test_read_like_the_detail(anonymous, app, session):
    aid = factories.agreement(session).id
    path = f"/api/v1/agreements/{aid}/participants"
    assert_error(anonymous.get(path), 401)
    app.config["PUBLIC_READ"] = True
    assert anonymous.get(path).status_code == 200
