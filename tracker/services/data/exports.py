"""Exports for other tools: CSV of agreements and events (spreadsheets), CSL-JSON of the
evidence articles (Zotero and any citation manager).

CSV: UTF-8 with a byte-order mark (so spreadsheet programs read Persian, Russian and Arabic
right), one header row, lists joined with "; ". A cell that a spreadsheet would take for a
formula (starting with =, +, -, @, a tab or a carriage return) is prefixed with an
apostrophe, so an imported title cannot run anything.

CSL-JSON: one item per live article, type "article-newspaper": title, outlet as
container-title, author as a literal name, URL, language, `issued` from the EDTF publication
date (date-parts for a plain day, month or year; the EDTF text otherwise), `accessed` from
the retrieval time, and the tracker's own id under `custom`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.models import Agreement, EvidenceArticle, EvidenceLink, StageEvent, User
from tracker.models.user import public_name
from tracker.services.agreements import listing

FORMULA = ("=", "+", "-", "@", "\t", "\r")
AGREEMENT_COLUMNS = [
    "id",
    "title",
    "kind",
    "parties",
    "party_names",
    "topics",
    "current_stage",
    "status",
    "next_expected",
    "summary",
    "created_at",
    "updated_at",
    "url",
]
EVENT_COLUMNS = [
    "id",
    "agreement_id",
    "agreement_title",
    "stage",
    "step",
    "party",
    "date",
    "date_earliest",
    "date_latest",
    "status",
    "preferred",
    "body",
    "place",
    "note",
    "evidence_quotes",
    "recorded_by",
    "created_at",
]
_PLAIN_DAY = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def cell(value: Any) -> Any:
    """A value safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return "'" + text if text.startswith(FORMULA) else text


def _writer(out: IO[str]) -> Any:
    out.write("\ufeff")
    return csv.writer(out, lineterminator="\r\n")


def agreements_csv(session: Session, out: IO[str], base_url: str, batch: int = 500) -> int:
    """Every live agreement, newest change first; returns how many."""
    writer = _writer(out)
    writer.writerow(AGREEMENT_COLUMNS)
    count = 0
    after: str | None = None
    while True:  # by cursor: each batch read from where the last ended, not skipped to
        page = listing.page(
            session, listing.AgreementFilters(), after=after, limit=batch, counted=False
        )
        rows = page.rows
        for row in rows:
            nxt = row.derived.get("next_expected") or {}
            expected = " ".join(x for x in (nxt.get("stage"), nxt.get("date")) if x)
            writer.writerow(
                cell(v)
                for v in (
                    row.id,
                    row.title,
                    row.kind,
                    "; ".join(code for code, _name in row.parties),
                    "; ".join(name for _code, name in row.parties),
                    "; ".join(row.topics),
                    row.derived.get("current_stage"),
                    row.status,
                    expected,
                    row.summary,
                    row.created_at.isoformat(),
                    row.updated_at.isoformat(),
                    f"{base_url}/agreements/{row.id}",
                )
            )
        count += len(rows)
        after = page.next_cursor
        if after is None:
            return count


def events_csv(session: Session, out: IO[str], *, public: bool = False) -> int:
    """Every live stage event of every live agreement, by agreement and date. `public`: for
    an anonymous reader, `recorded_by` is a display name or "a researcher", never an email."""
    writer = _writer(out)
    writer.writerow(EVENT_COLUMNS)
    quotes = (
        select(func.count())
        .select_from(EvidenceLink)
        .where(EvidenceLink.event_id == StageEvent.id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(StageEvent, Agreement.title, User.email, User.display_name, quotes)
        .join(Agreement, Agreement.id == StageEvent.agreement_id)
        .outerjoin(User, User.id == StageEvent.recorded_by_id)
        .where(StageEvent.deleted_at.is_(None), Agreement.deleted_at.is_(None))
        .order_by(StageEvent.agreement_id, StageEvent.date_earliest, StageEvent.id)
        .execution_options(yield_per=1000)
    )
    count = 0
    for event, title, email, display_name, quoted in rows:
        recorded_by = public_name(display_name) if public and email else email
        writer.writerow(
            cell(v)
            for v in (
                event.id,
                event.agreement_id,
                title,
                event.stage,
                event.step,
                event.party_code,
                event.date,
                event.date_earliest and event.date_earliest.isoformat(),
                event.date_latest and event.date_latest.isoformat(),
                event.status,
                event.preferred,
                event.body,
                event.place,
                event.note,
                quoted,
                recorded_by,
                event.created_at.isoformat(),
            )
        )
        count += 1
    return count


def _issued(published: str | None) -> dict[str, Any] | None:
    if not published:
        return None
    match = _PLAIN_DAY.match(published)
    if match:
        return {"date-parts": [[int(p) for p in match.groups() if p]]}
    return {"raw": published}  # an EDTF interval or uncertain date, as written


def csl_items(session: Session) -> Iterator[dict[str, Any]]:
    """A CSL-JSON item for each live article, oldest first."""
    articles = session.scalars(
        select(EvidenceArticle)
        .where(EvidenceArticle.deleted_at.is_(None))
        .order_by(EvidenceArticle.id)
        .execution_options(yield_per=500)
    )
    for a in articles:
        item: dict[str, Any] = {
            "id": f"treaty-tracker-article-{a.id}",
            "type": "article-newspaper",
            "title": a.title or (a.text[:80] + "…" if len(a.text) > 80 else a.text),
            "custom": {"treaty_tracker_id": a.id, "content_hash": a.content_hash},
        }
        if a.outlet:
            item["container-title"] = a.outlet
        if a.author:
            item["author"] = [{"literal": a.author}]
        if a.url:
            item["URL"] = a.url
        if a.language:
            item["language"] = a.language
        if issued := _issued(a.published):
            item["issued"] = issued
        if a.retrieved_at:
            day = a.retrieved_at.date()
            item["accessed"] = {"date-parts": [[day.year, day.month, day.day]]}
        yield item
