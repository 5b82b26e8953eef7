"""Agreements: create, amend, soft-delete and restore, and their derived lifecycle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from tracker.db import utcnow
from tracker.models import (
    Agreement,
    AgreementParty,
    AgreementState,
    AgreementTopic,
    PrincipleStatement,
    StageEvent,
    User,
)
from tracker.models.vocab import AgreementKind
from tracker.services import audit, checks, fetch, state, transactional
from tracker.services.errors import FieldErrors, NotFound, Stale
from tracker.services.lifecycle import STALLED_AFTER_DAYS, Lifecycle
from tracker.services.parties import check_codes
from tracker.text.normalise import normalise

FIELDS = {
    "ref",
    "title",
    "titles",
    "kind",
    "parties",
    "topics",
    "summary",
    "entry_into_force_rule",
    "duration_years",
}


def get_agreement(
    session: Session, agreement_id: int, *, include_deleted: bool = False
) -> Agreement:
    """The agreement, or NotFound (404) when there is none or it is deleted."""
    agreement = fetch(session, Agreement, agreement_id)
    if agreement is None or (agreement.is_deleted and not include_deleted):
        raise NotFound(f"agreement {agreement_id} does not exist")
    return agreement


def _clean(
    session: Session, data: Mapping[str, Any], *, partial: bool, current_id: int | None = None
) -> dict[str, Any]:
    """Check every given field; raise ValidationError naming each bad one."""
    errors = FieldErrors()
    for unknown in sorted(set(data) - FIELDS):
        errors.add(unknown, "is not a field of an agreement")
    values: dict[str, Any] = {}
    if "title" in data or not partial:
        values["title"] = checks.text(
            errors, "title", data.get("title"), max_length=500, required=True
        )
    if "ref" in data:
        values["ref"] = checks.text(errors, "ref", data["ref"], max_length=100) or None
    if "titles" in data:
        titles = data["titles"] or {}
        if not isinstance(titles, Mapping):
            errors.add("titles", "must map language codes to titles")
        else:
            values["titles"] = {}
            for lang, title in titles.items():
                code = checks.language(errors, "titles", lang)
                value = checks.text(errors, "titles", title, max_length=500, required=True)
                if code and value:
                    values["titles"][code] = value
    if "kind" in data or not partial:
        values["kind"] = checks.choice(
            errors, "kind", data.get("kind") or AgreementKind.AGREEMENT.value, AgreementKind
        )
    if "parties" in data:
        parties = data["parties"] or []
        if isinstance(parties, str) or not isinstance(parties, Sequence):
            errors.add("parties", "must be a list of party codes")
        else:
            values["parties"] = check_codes(session, parties, "parties", errors)
    if "topics" in data:
        topics = data["topics"] or []
        if isinstance(topics, str) or not isinstance(topics, Sequence):
            errors.add("topics", "must be a list of topics")
        else:
            cleaned: list[str] = []
            for topic in topics:
                value = checks.text(errors, "topics", topic, max_length=50, required=True).lower()
                if value and value not in cleaned:
                    cleaned.append(value)
            values["topics"] = cleaned
    if "summary" in data:
        values["summary"] = checks.text(errors, "summary", data["summary"], max_length=20000)
    if "entry_into_force_rule" in data:
        rule = data["entry_into_force_rule"]
        if rule is None:
            values["entry_into_force_days"] = None
        elif not isinstance(rule, Mapping) or set(rule) != {"days_after_last_notification"}:
            errors.add(
                "entry_into_force_rule",
                'must be null or {"days_after_last_notification": N}',
            )
        else:
            days = checks.integer(
                errors,
                "entry_into_force_rule",
                rule["days_after_last_notification"],
                minimum=0,
                maximum=3650,
            )
            if days is None and "entry_into_force_rule" not in errors.errors:
                errors.add("entry_into_force_rule", "days_after_last_notification is required")
            values["entry_into_force_days"] = days
    if "duration_years" in data:
        values["duration_years"] = checks.integer(
            errors, "duration_years", data["duration_years"], minimum=1, maximum=1000
        )
    if values.get("ref"):
        query = select(Agreement.id).where(
            Agreement.ref == values["ref"], Agreement.id != (current_id or 0)
        )
        if session.scalar(query) is not None:
            errors.add("ref", f"an agreement with ref {values['ref']!r} already exists")
    errors.raise_if_any()
    return values


def _apply(agreement: Agreement, values: dict[str, Any]) -> None:
    for name in (
        "ref",
        "title",
        "titles",
        "kind",
        "summary",
        "entry_into_force_days",
        "duration_years",
    ):
        if name in values:
            setattr(agreement, name, values[name])
    if "parties" in values:
        agreement.party_links = [
            AgreementParty(party_code=code, position=i) for i, code in enumerate(values["parties"])
        ]
    if "topics" in values:
        agreement.topic_links = [AgreementTopic(topic=t) for t in values["topics"]]
    texts = [agreement.title or "", *(agreement.titles or {}).values(), agreement.summary or ""]
    agreement.search_text = normalise("\n".join(texts))


def _links_state(agreement: Agreement) -> dict[str, Any]:
    return {"parties": agreement.party_codes, "topics": agreement.topics}


@transactional
def create_agreement(
    session: Session, data: Mapping[str, Any], *, actor: User | None = None
) -> Agreement:
    """Create an agreement; raise ValidationError (422) naming each bad field, writing nothing."""
    values = _clean(session, data, partial=False)
    agreement = Agreement()
    _apply(agreement, values)
    session.add(agreement)
    state.touch(session, agreement)
    audit.record(
        session,
        actor=actor,
        action="create",
        obj=agreement,
        before=None,
        agreement_id=agreement.id,
        extra=_links_state(agreement),
    )
    return agreement


@transactional
def update_agreement(
    session: Session,
    agreement_id: int,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
    expected_version: int | None = None,
) -> Agreement:
    """Amend the given fields; raise Stale (412) when `expected_version` is stale."""
    agreement = get_agreement(session, agreement_id)
    if expected_version is not None and agreement.version != expected_version:
        raise Stale(f"agreement {agreement_id} changed meanwhile")
    values = _clean(session, data, partial=True, current_id=agreement.id)
    before = audit.snapshot(agreement) | _links_state(agreement)
    _apply(agreement, values)
    state.touch(session, agreement)
    audit.record(
        session,
        actor=actor,
        action="update",
        obj=agreement,
        before=before,
        agreement_id=agreement.id,
        extra=_links_state(agreement),
    )
    return agreement


@transactional
def delete_agreement(
    session: Session, agreement_id: int, *, actor: User | None = None
) -> Agreement:
    """Soft-delete: hidden everywhere, restorable by an admin."""
    agreement = get_agreement(session, agreement_id)
    before = audit.snapshot(agreement)
    agreement.deleted_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action="delete",
        obj=agreement,
        before=before,
        agreement_id=agreement.id,
    )
    return agreement


@transactional
def restore_agreement(
    session: Session, agreement_id: int, *, actor: User | None = None
) -> Agreement:
    agreement = get_agreement(session, agreement_id, include_deleted=True)
    before = audit.snapshot(agreement)
    agreement.deleted_at = None
    audit.record(
        session,
        actor=actor,
        action="restore",
        obj=agreement,
        before=before,
        agreement_id=agreement.id,
    )
    return agreement


def list_agreements(session: Session) -> list[Agreement]:
    """Every agreement not deleted, newest first, with parties and events loaded."""
    query = (
        select(Agreement)
        .where(Agreement.deleted_at.is_(None))
        .options(selectinload(Agreement.party_links))
        .order_by(Agreement.updated_at.desc(), Agreement.id.desc())
    )
    return list(session.scalars(query))


def lifecycles(
    session: Session,
    agreements: Sequence[Agreement],
    *,
    today: date | None = None,
    stalled_after_days: int = STALLED_AFTER_DAYS,
) -> dict[int, Lifecycle]:
    """The derived lifecycle of each agreement, from the cache, in a constant number of queries."""
    return state.read(session, agreements, today=today, stalled_after_days=stalled_after_days)


def lifecycle(
    session: Session, agreement: Agreement, *, today: date | None = None, **kw: Any
) -> Lifecycle:
    return lifecycles(session, [agreement], today=today, **kw)[agreement.id]


@dataclass(frozen=True)
class Overview:
    """One agreement as a researcher reads it: the record and what is derived from it."""

    agreement: Agreement
    lifecycle: Lifecycle
    events: list[StageEvent]
    statements: list[PrincipleStatement]


def overview(session: Session, agreement_id: int, *, today: date | None = None) -> Overview:
    """The agreement with its events (by date), statements and lifecycle; NotFound (404)."""
    agreement = session.scalar(
        select(Agreement)
        .where(Agreement.id == agreement_id, Agreement.deleted_at.is_(None))
        .options(
            selectinload(Agreement.party_links),
            selectinload(Agreement.topic_links),
            selectinload(Agreement.events).selectinload(StageEvent.evidence),
            selectinload(Agreement.events).selectinload(StageEvent.recorded_by),
            selectinload(Agreement.statements).selectinload(PrincipleStatement.evidence),
        )
    )
    if agreement is None:
        raise NotFound(f"agreement {agreement_id} does not exist")
    events = sorted(
        (e for e in agreement.events if not e.is_deleted),
        key=lambda e: (e.date_earliest or date.max, e.id),
    )
    statements = [s for s in agreement.statements if not s.is_deleted]
    return Overview(agreement, lifecycle(session, agreement, today=today), events, statements)


def board(session: Session, *, today: date | None = None) -> list[tuple[Agreement, Lifecycle]]:
    """Every agreement with its lifecycle, newest change first."""
    agreements = list_agreements(session)
    derived = lifecycles(session, agreements, today=today)
    return [(a, derived[a.id]) for a in agreements]


@dataclass(frozen=True)
class AgreementFilters:
    party: str | None = None
    stage: str | None = None
    status: str | None = None
    topic: str | None = None
    principle: str | None = None
    q: str | None = None
    updated_since: datetime | None = None


_SORTS = {
    "updated": (Agreement.updated_at,),
    "created": (Agreement.created_at,),
    "title": (Agreement.title,),
    "next_expected": (AgreementState.next_expected_date,),
}


def search(
    session: Session,
    filters: AgreementFilters,
    *,
    sort: str = "-updated",
    offset: int = 0,
    limit: int = 50,
    today: date | None = None,
    stalled_after_days: int = STALLED_AFTER_DAYS,
) -> tuple[list[Agreement], int]:
    """One page of agreements matching `filters`, and how many match in all.

    Filters on derived stage and status use the lifecycle cache. `q` matches words of the
    titles and summary in any spelling (through the normaliser). Parties, topics and the
    cached lifecycle are loaded with the page, in a constant number of queries.
    """
    today = today or utcnow().date()
    query = (
        select(Agreement)
        .outerjoin(AgreementState, AgreementState.agreement_id == Agreement.id)
        .where(Agreement.deleted_at.is_(None))
    )
    if filters.party:
        query = query.where(
            Agreement.party_links.any(AgreementParty.party_code == filters.party.upper())
        )
    if filters.topic:
        query = query.where(
            Agreement.topic_links.any(AgreementTopic.topic == filters.topic.lower())
        )
    if filters.principle:
        query = query.where(
            Agreement.statements.any(
                (PrincipleStatement.principle_code == filters.principle)
                & PrincipleStatement.deleted_at.is_(None)
            )
        )
    if filters.stage:
        query = query.where(AgreementState.current_stage == filters.stage)
    if filters.status:
        query = query.where(state.status_filter(filters.status, today, stalled_after_days))
    if filters.updated_since:
        query = query.where(Agreement.updated_at >= filters.updated_since)
    if filters.q:
        for word in normalise(filters.q).split():
            query = query.where(Agreement.search_text.contains(word, autoescape=True))

    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    descending = sort.startswith("-")
    (column,) = _SORTS[sort.lstrip("-")]
    order = column.desc().nulls_last() if descending else column.asc().nulls_last()
    tiebreak = Agreement.id.desc() if descending else Agreement.id.asc()
    page = session.scalars(
        query.order_by(order, tiebreak)
        .offset(offset)
        .limit(limit)
        .options(
            selectinload(Agreement.party_links),
            selectinload(Agreement.topic_links),
        )
    ).all()
    return list(page), total or 0
