"""Models and derived state turned into the API's representations (the schemas document them)."""

from __future__ import annotations

from typing import Any

from tracker.models import (
    ApiToken,
    Digest,
    EvidenceArticle,
    EvidenceLink,
    Principle,
    PrincipleStatement,
    Reminder,
    StageEvent,
    User,
)
from tracker.services.agreements import AgreementRow, Overview


def quote(link: EvidenceLink) -> dict[str, Any]:
    return {
        "id": link.id,
        "article_id": link.article_id,
        "quote": link.quote,
        "start": link.quote_start,
        "end": link.quote_end,
    }


def event(e: StageEvent) -> dict[str, Any]:
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
        "preferred": e.preferred,
        "note": e.note,
        "evidence": [quote(link) for link in e.evidence],
        "recorded_by": e.recorded_by.email if e.recorded_by_id and e.recorded_by else None,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
    }


def statement(s: PrincipleStatement) -> dict[str, Any]:
    return {
        "id": s.id,
        "agreement_id": s.agreement_id,
        "principle": s.principle_code,
        "label": s.principle.label("en"),
        "party": s.party_code,
        "clause": s.clause,
        "note": s.note,
        "evidence": [quote(link) for link in s.evidence],
    }


def agreement_summary(row: AgreementRow) -> dict[str, Any]:
    derived = row.derived
    rule = row.entry_into_force_days
    return {
        "id": row.id,
        "title": row.title,
        "titles": row.titles,
        "kind": row.kind,
        "bilateral": len(row.parties) == 2,
        "parties": [{"code": code, "name": name} for code, name in row.parties],
        "topics": row.topics,
        "summary": row.summary,
        "entry_into_force_rule": None if rule is None else {"days_after_last_notification": rule},
        "duration_years": row.duration_years,
        "current_stage": derived["current_stage"],
        "status": row.status,
        "next_expected": derived["next_expected"],
        "ratification": derived["ratification"],
        "conflicts": derived["conflicts"],
        "flags": derived["flags"],
        # ISO strings here rather than in the JSON provider's fallback: 100 fewer callbacks a page.
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def agreement(view: Overview) -> dict[str, Any]:
    links = [link for e in view.events for link in e.evidence] + [
        link for s in view.statements for link in s.evidence
    ]
    return agreement_summary(AgreementRow.of(view.agreement, view.lifecycle)) | {
        "events": [event(e) for e in view.events],
        "principles": [statement(s) for s in view.statements],
        "evidence_count": len({link.article_id for link in links}),
    }


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
        "created_at": a.created_at,
        "updated_at": a.updated_at,
    }


def article(a: EvidenceArticle) -> dict[str, Any]:
    return article_summary(a) | {
        "text": a.text,
        "cited_by": sorted(c.id for c in a.cited_by if not c.is_deleted),
    }


def principle(p: Principle) -> dict[str, Any]:
    return {"code": p.code, "labels": p.labels, "description": p.description}


def reminder(r: Reminder) -> dict[str, Any]:
    return {
        "id": r.id,
        "agreement_id": r.agreement_id,
        "stage": r.stage,
        "party": r.party_code,
        "due": r.due,
        "reason": r.reason,
        "assignee": r.assignee.email if r.assignee else None,
        "status": r.status,
        "snoozed_until": r.snoozed_until,
        "rule": r.rule,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
        "closed_at": r.closed_at,
        "closed_note": r.closed_note,
    }


def digest(d: Digest) -> dict[str, Any]:
    return {
        "id": d.id,
        "user": d.user.email,
        "week": d.week,
        "created_at": d.created_at,
        "sent_at": d.sent_at,
        "sections": d.sections,
        "links": {
            "html": f"/api/v1/digests/{d.id}/html",
            "text": f"/api/v1/digests/{d.id}/text",
        },
    }


def user(u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "email": u.email,
        "display_name": u.display_name,
        "role": u.role,
        "timezone": u.timezone,
        "is_active": u.is_active,
        "digest_mode": u.digest_mode,
        "digest_watchlist": u.digest_watchlist,
        "digest_send_empty": u.digest_send_empty,
        "show_jalali": u.show_jalali,
        "created_at": u.created_at,
    }


def token(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.id,
        "user_id": t.user_id,
        "name": t.name,
        "prefix": t.prefix,
        "created_at": t.created_at,
        "last_used_at": t.last_used_at,
        "revoked_at": t.revoked_at,
    }
