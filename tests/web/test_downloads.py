"""Downloads for spreadsheets and citation managers: CSV of agreements and events, CSL-JSON of
the evidence, checked as a spreadsheet and Zotero would read them."""

from __future__ import annotations

import csv
import io
import json

import jsonschema
from sqlalchemy import select

from tests import factories
from tracker.models import Agreement
from tracker.services.data.exports import agreements_csv

# CSL-JSON as the CSL 1.0.2 specification defines an item (the fields this export writes,
# and no others allowed): item types, name variables, date variables.
NAME = {
    "type": "object",
    "properties": {
        "family": {"type": "string"},
        "given": {"type": "string"},
        "literal": {"type": "string"},
    },
    "additionalProperties": False,
}
DATE = {
    "type": "object",
    "properties": {
        "date-parts": {
            "type": "array",
            "minItems": 1,
            "maxItems": 2,
            "items": {
                "type": "array",
                "minItems": 1,
                "maxItems": 3,
                "items": {"type": ["string", "number"]},
            },
        },
        "raw": {"type": "string"},
        "literal": {"type": "string"},
    },
    "additionalProperties": False,
}
CSL_DATA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["type", "id"],
        "additionalProperties": False,
        "properties": {
            "type": {
                "enum": [
                    "article",
                    "article-journal",
                    "article-magazine",
                    "article-newspaper",
                    "bill",
                    "book",
                    "broadcast",
                    "chapter",
                    "dataset",
                    "document",
                    "entry",
                    "report",
                    "post",
                    "post-weblog",
                    "speech",
                    "treaty",
                    "webpage",
                ]
            },
            "id": {"type": ["string", "number"]},
            "title": {"type": "string"},
            "container-title": {"type": "string"},
            "author": {"type": "array", "items": NAME},
            "URL": {"type": "string"},
            "language": {"type": "string"},
            "issued": DATE,
            "accessed": DATE,
            "note": {"type": "string"},
            "custom": {"type": "object"},
        },
    },
}


def _csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # spreadsheets then read the Persian right
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_agreements_and_events_as_csv_for_a_spreadsheet(viewer_web, people, session):
    treaty = factories.agreement(
        session,
        title='=HYPERLINK("http://evil.example", "click")',
        titles={"fa": "معاهده"},
        parties=["RUS", "IRN"],
        topics=["energy"],
    )
    report = factories.article(session, "Tehran ratified the treaty on 21 May.")
    factories.event(
        session,
        treaty.id,
        "ratification",
        "2025-05-21",
        party="IRN",
        step="lower_house",
        note="+ vote of 200",
        evidence=[{"article_id": report.id, "quote": "Tehran ratified the treaty"}],
        actor=people["editor"],
    )
    rows = {r["id"]: r for r in _csv(viewer_web.get("/agreements.csv"))}
    row = rows[str(treaty.id)]
    assert row["title"].startswith("'=HYPERLINK")  # shown as text, never run as a formula
    assert (row["parties"], row["topics"]) == ("RUS; IRN", "energy")
    assert row["party_names"] == "Russian Federation; Iran"
    assert row["current_stage"] == "ratification" and row["url"].endswith(
        f"/agreements/{treaty.id}"
    )

    events = [e for e in _csv(viewer_web.get("/events.csv")) if e["agreement_id"] == str(treaty.id)]
    assert len(events) == 1
    event = events[0]
    assert (event["stage"], event["step"], event["party"], event["date"]) == (
        "ratification",
        "lower_house",
        "IRN",
        "2025-05-21",
    )
    assert event["evidence_quotes"] == "1" and event["recorded_by"] == "editor@example.org"
    assert event["note"] == "'+ vote of 200"


def test_evidence_as_csl_json_for_zotero(viewer_web, session):
    factories.article(
        session,
        "مجلس شورای اسلامی معاهده را تصویب کرد.",
        language="fa",
        outlet="IRNA",
        author="خبرنگار",
        title="تصویب معاهده",
        url="https://irna.example/news/1",
        published="2025-05-21",
    )
    factories.article(session, "A report of some weeks in spring.", published="2025-04/2025-05")
    response = viewer_web.get("/evidence.csl.json")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.citationstyles.csl+json"
    items = json.loads(response.get_data(as_text=True))
    jsonschema.validate(items, CSL_DATA)
    by_title = {item["title"]: item for item in items}
    persian = by_title["تصویب معاهده"]
    assert persian["type"] == "article-newspaper" and persian["container-title"] == "IRNA"
    assert persian["author"] == [{"literal": "خبرنگار"}] and persian["language"] == "fa"
    assert persian["issued"] == {"date-parts": [[2025, 5, 21]]}
    assert persian["URL"] == "https://irna.example/news/1"
    spring = next(i for i in items if i["title"].startswith("A report of some weeks"))
    assert spring["issued"] == {"raw": "2025-04/2025-05"}
    assert len({item["id"] for item in items}) == len(items)


def test_the_csv_holds_every_live_agreement_once_whatever_its_batches(session):  # type: ignore[no-untyped-def]
    for n in range(5):
        factories.agreement(session, title=f"Batched export {n}")
    gone = factories.agreement(session, title="Batched export deleted")
    gone.deleted_at = gone.created_at
    session.flush()
    out = io.StringIO()
    written = agreements_csv(session, out, "https://tracker.example", batch=2)
    ids = [row["id"] for row in csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff")))]
    live = session.scalars(select(Agreement.id).where(Agreement.deleted_at.is_(None))).all()
    assert written == len(ids) == len(live) and sorted(map(int, ids)) == sorted(live)
