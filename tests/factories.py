"""Test data made through the services, as a researcher would make it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tracker.models import Agreement, EvidenceArticle, StageEvent
from tracker.services.agreements.commands import create_agreement
from tracker.services.claims.events import record_event
from tracker.services.evidence.articles import add_article


def agreement(session: Session, *, ref: str | None = None, **fields: Any) -> Agreement:
    data = {"title": "Test agreement", "kind": "treaty", "parties": ["RUS", "IRN"]} | fields
    return create_agreement(session, data, ref=ref)


def event(
    session: Session,
    agreement_id: int,
    stage: str,
    date: str | None = None,
    *,
    actor: Any = None,
    **fields: Any,
) -> StageEvent:
    data = {"stage": stage, **({"date": date} if date else {}), **fields}
    return record_event(session, agreement_id, data, actor=actor)


def article(
    session: Session, text: str = "Moscow and Tehran signed the treaty.", **fields: Any
) -> EvidenceArticle:
    return add_article(session, {"text": text, "outlet": "Test outlet", "language": "en"} | fields)
