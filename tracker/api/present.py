"""Models and derived state turned into the API's representations (the schemas document them).

Built by hand where it was measured to matter (a page of agreements, one agreement: see
docs/benchmarks.md) and for the shapes one agreement's detail shares with its own resources
(events and statements, built from the detail's rows as from the ORM), and for articles,
whose `cited_by` and deleted rows are made from more than the model's columns. The rest is
made by marshmallow from its schema: accounts, tokens, digests, principles and deleted
agreements by the response (schemas.common.DumpSchema); reminders and audit entries, whose
people depend on the reader, by the view with the schema made for that reader
(schemas.common.ReaderSchema). tests/api/test_presenters.py checks that every shape built here
has exactly its schema's fields.
"""

from __future__ import annotations

from typing import Any

from tracker.models import (
    Declaration,
    EvidenceArticle,
    PrincipleStatement,
    StageEvent,
)
from tracker.models.user import public_name
from tracker.services.agreements.listing import AgreementRow
from tracker.services.agreements.reading import AgreementDetail, ParticipantRow
from tracker.services.claims.parties import label


def person(email: str | None, display_name: str | None, *, public: bool) -> str | None:
    """A user as the reader may see them: the email, or for an anonymous reader (public
    read) the display name or "a researcher", never the email."""
    if email is None:
        return None
    return public_name(display_name) if public else email


def quote(link: Any) -> dict[str, Any]:
    """An evidence quote, from an EvidenceLink or a row with its column names."""
    return {
        "id": link.id,
        "article_id": link.article_id,
        "quote": link.quote,
        "start": link.quote_start,
        "end": link.quote_end,
    }


def event(e: StageEvent, *, public: bool = False) -> dict[str, Any]:
    """`public`: for an anonymous reader, who recorded it is named without their email."""
    who = e.recorded_by if e.recorded_by_id else None
    recorded_by = person(
        who.email if who else None, who.display_name if who else None, public=public
    )
    return _event(e, [quote(link) for link in e.evidence], recorded_by)


def _event(e: Any, evidence: list[dict[str, Any]], recorded_by: str | None) -> dict[str, Any]:
    """An event from a StageEvent or a row with the same column names."""
    return {
        "id": e.id,
        "agreement_id": e.agreement_id,
        "stage": e.stage,
        "step": e.step,
        "party": e.party_code,
        "body": e.body,
        "place": e.place,
        "date": e.date,
        "date_earliest": e.date_earliest,
        "date_latest": e.date_latest,
        "status": e.status,
        "consent_type": e.consent_type,
        "preferred": e.preferred,
        "note": e.note,
        "evidence": evidence,
        "recorded_by": recorded_by,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
    }


def statement(s: PrincipleStatement) -> dict[str, Any]:
    return _statement(s, s.principle.label("en"), [quote(link) for link in s.evidence])


def _statement(s: Any, label: str, evidence: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": s.id,
        "agreement_id": s.agreement_id,
        "principle": s.principle_code,
        "label": label,
        "party": s.party_code,
        "clause": s.clause,
        "note": s.note,
        "evidence": evidence,
    }


def agreement_summary(row: AgreementRow) -> dict[str, Any]:
    derived = row.derived
    depositary = row.depositary
    return {
        "id": row.id,
        "title": row.title,
        "titles": row.titles,
        "kind": row.kind,
        "bilateral": row.bilateral,
        "parties": [{"code": code, "name": name} for code, name in row.parties],
        "topics": row.topics,
        "summary": row.summary,
        "entry_into_force_rule": row.entry_into_force_rule,
        "withdrawal_rule": row.withdrawal_rule,
        "duration_years": row.duration_years,
        "depositary": None
        if depositary is None
        else {"code": depositary[0], "name": depositary[1]},
        "signature_opens": row.signature_opens,
        "signature_closes": row.signature_closes,
        "current_stage": derived["current_stage"],
        "status": row.status,
        "next_expected": derived["next_expected"],
        "ratification": derived["ratification"],
        "participation": derived.get("participation", {}),
        "instruments_deposited": derived.get("instruments_deposited", 0),
        "instruments_required": derived.get("instruments_required"),
        "conflicts": derived["conflicts"],
        "flags": derived["flags"],
        # ISO strings here rather than in the JSON provider's fallback: 100 fewer callbacks a page.
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def agreement(d: AgreementDetail, *, public: bool = False) -> dict[str, Any]:
    """An agreement with its events, principles and evidence (from agreements.reading.detail);
    `public`: for an anonymous reader (no emails)."""

    articles = {link.article_id for links in d.links.values() for link in links}
    return agreement_summary(d.row) | {
        "events": [
            _event(e, _quotes(d, ("event", e.id)), person(e.email, e.display_name, public=public))
            for e in d.events
        ],
        "parties_progress": [p.to_json() for p in d.progress],
        "principles": statements(d),
        "evidence_count": len(articles),
    }


def statements(d: AgreementDetail) -> list[dict[str, Any]]:
    """The agreement's statements of principle with their quotes, from its detail."""
    return [
        _statement(s, s.labels.get("en") or s.principle_code, _quotes(d, ("statement", s.id)))
        for s in d.statements
    ]


def _quotes(d: AgreementDetail, owner: tuple[str, int]) -> list[dict[str, Any]]:
    return [quote(link) for link in d.links.get(owner, ())]


def article_summary(a: EvidenceArticle) -> dict[str, Any]:
    return {
        "id": a.id,
        "url": a.url,
        "title": a.title,
        "outlet": a.outlet,
        "author": a.author,
        "language": a.language,
        "published": a.published,
        "retrieved_at": a.retrieved_at,
        "content_hash": a.content_hash,
        "cites": a.cites_id,
        "duplicate_of": a.duplicate_of_id,
        "hidden": a.hidden,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
    }


def article(a: EvidenceArticle) -> dict[str, Any]:
    return article_summary(a) | {
        "text": a.text,
        "cited_by": sorted(c.id for c in a.cited_by if not c.is_deleted),
    }


def deleted_article(a: EvidenceArticle, deleted_by: str | None) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.title,
        "outlet": a.outlet,
        "deleted_at": a.deleted_at,
        "deleted_by": deleted_by,
    }


def participant(p: ParticipantRow) -> dict[str, Any]:
    """A row of the participants table (SPEC §2b)."""
    return (
        {"party": {"code": p.row.party, "name": p.name}}
        | {k: v for k, v in p.row.to_json().items() if k != "party"}
        | {
            "declarations": [
                {
                    "id": d.id,
                    "kind": d.kind,
                    "made_at": d.made_at,
                    "withdrawn_on": d.withdrawn_on,
                    "objects_to": d.objects_to_id,
                }
                for d in p.declarations
            ]
        }
    )


def declaration(d: Declaration) -> dict[str, Any]:
    """A party's declaration, with the live objections that answer it."""
    return {
        "id": d.id,
        "agreement_id": d.agreement_id,
        "party": {"code": d.party_code, "name": party_name(d.party)},
        "kind": d.kind,
        "text": d.text,
        "language": d.language,
        "made_at": d.made_at,
        "date": d.date,
        "objects_to": d.objects_to_id,
        "objected_by": [o.id for o in d.objections if not o.is_deleted],
        "withdrawn_on": d.withdrawn_on,
        "note": d.note,
        "evidence": [quote(link) for link in d.evidence],
        "version": d.version,
        "created_at": d.created_at,
        "updated_at": d.updated_at,
    }


def party_name(party: Any) -> str:
    """A party's English name, as the participants table names it."""
    return label((party.names or {}).get("en") or party.code)
