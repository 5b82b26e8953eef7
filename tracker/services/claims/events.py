"""Stage events: record, amend, retract and prefer claims. Recording is liberal:
a claim is never refused for being out of order; the lifecycle flags it instead."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from tracker.models import AuditEntry, StageEvent, User
from tracker.models.vocab import ConsentType, EventStatus, Stage, Step
from tracker.schemas.events import EventInSchema, EventPatchSchema
from tracker.services import put_dated, require, transactional
from tracker.services.agreements.queries import get_agreement
from tracker.services.audit import audited
from tracker.services.claims.parties import check_codes
from tracker.services.errors import Conflict, FieldErrors, InvalidInput, Stale
from tracker.services.evidence.articles import check_quotes, make_links

# An amendment takes what a claim is made of; settling a conflict is prefer_event's.
_AMEND = EventPatchSchema(exclude=("preferred",))


def get_event(session: Session, event_id: int) -> StageEvent:
    """The event, or NotFound (404)."""
    return require(session, StageEvent, event_id, "event")


def list_events(
    session: Session, agreement_id: int, *, offset: int = 0, limit: int = 100
) -> tuple[list[StageEvent], int]:
    """One page of the agreement's events by date (undated last) and their total; NotFound."""
    get_agreement(session, agreement_id)
    query = select(StageEvent).where(
        StageEvent.agreement_id == agreement_id, StageEvent.deleted_at.is_(None)
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(
        query.order_by(StageEvent.date_earliest.asc().nulls_last(), StageEvent.id)
        .offset(offset)
        .limit(limit)
        .options(selectinload(StageEvent.evidence), selectinload(StageEvent.recorded_by))
    ).all()
    return list(page), total


# A claim the web form records without a quote must say so (the API lets the page flag it).
UNWAIVED = "Choose the article and quote what it says, or tick “Record without evidence”."


def _clean(
    session: Session,
    data: Mapping[str, Any],
    *,
    current: StageEvent | None = None,
    evidence_waived: bool | None = None,
) -> dict[str, Any]:
    """Load the input through its schema (shape), then check what it means: a known party,
    a step only on a ratification, which is one party's, quotes found in their articles.

    `evidence_waived=False` (the web form, its box unticked) refuses a claim with no quote,
    given now or before, on `without_evidence`; None (the API) lets it be recorded bare."""
    errors = FieldErrors()
    values = errors.load(EventInSchema() if current is None else _AMEND, data)
    evidence = values.pop("evidence", None)
    if "party" in values:
        party = values.pop("party")
        codes = check_codes(session, [party], "party", errors) if party else []
        values["party_code"] = codes[0] if codes else None
    put_dated(values, "date", "date_earliest", "date_latest")

    # Shape of the claim as a whole: a step refines ratification, which is per party.
    stage = values.get("stage", current.stage if current else None)
    step = values.get("step", current.step if current else None)
    party = values.get("party_code", current.party_code if current else None)
    if "stage" not in errors.errors and "step" not in errors.errors:
        if step and stage != Stage.RATIFICATION:
            errors.add("step", "only a ratification has steps")
        if stage == Stage.RATIFICATION and not party and "party" not in errors.errors:
            errors.add("party", "a ratification step belongs to one party: give its code")
        # the kind of instrument belongs to the notification step (SPEC §2b): ratification
        # unless said; a claim moved off that step loses it
        if values.get("consent_type") and step != Step.NOTIFICATION:
            errors.add("consent_type", "only the notification step has a kind of instrument")
        elif step == Step.NOTIFICATION:
            kept = current.consent_type if current and "consent_type" not in values else None
            values["consent_type"] = (
                values.get("consent_type") or kept or ConsentType.RATIFICATION.value
            )
        elif current is not None and current.consent_type:
            values["consent_type"] = None
    values["located"] = check_quotes(session, evidence, errors)
    if evidence_waived is False and not data.get("evidence"):
        if current is None or not current.evidence:
            errors.add("without_evidence", UNWAIVED)
    errors.raise_if_any()
    return values


def _apply(event: StageEvent, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name != "located":
            setattr(event, name, value)


@transactional
def record_event(
    session: Session,
    agreement_id: int,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
    evidence_waived: bool | None = None,
) -> StageEvent:
    """Record one claim, with its evidence quotes; raise InvalidInput (422), writing nothing.
    `evidence_waived`: see _clean."""
    agreement = get_agreement(session, agreement_id)
    values = _clean(session, data, evidence_waived=evidence_waived)
    event = StageEvent(agreement=agreement, recorded_by_id=actor.id if actor else None)
    with audited(session, event, actor=actor, action="create", touch=agreement, links=_quotes):
        _apply(event, values)
        event.evidence = make_links(values["located"], actor=actor)
        session.add(event)
    return event


def _quotes(event: StageEvent) -> dict[str, Any]:
    return {"evidence": [link.quote for link in event.evidence]}


def _current(session: Session, event_id: int, expected_version: int | None) -> StageEvent:
    """The event (NotFound 404), or Stale (412) when it is no longer at `expected_version`."""
    event = get_event(session, event_id)
    if expected_version is not None and event.version != expected_version:
        raise Stale(f"event {event_id} changed meanwhile")
    return event


def _amend(
    session: Session,
    event: StageEvent,
    data: Mapping[str, Any],
    *,
    actor: User | None,
    evidence_waived: bool | None = None,
) -> StageEvent:
    values = _clean(session, data, current=event, evidence_waived=evidence_waived)
    with audited(session, event, actor=actor, action="update", touch=event.agreement):
        _apply(event, values)
        event.evidence.extend(make_links(values["located"], actor=actor))
    return event


@transactional
def amend_event(
    session: Session, event_id: int, data: Mapping[str, Any], *, actor: User | None = None
) -> StageEvent:
    """Change the given fields; evidence given here is added to what the event has."""
    return _amend(session, get_event(session, event_id), data, actor=actor)


@transactional
def edit_event(
    session: Session,
    event_id: int,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
    expected_version: int | None = None,
    evidence_waived: bool | None = None,
) -> StageEvent:
    """Amend the claim and, when `preferred` is true in `data`, settle its conflict, as ONE
    transaction: a refusal of either part writes nothing. Stale (412) when the event is no
    longer at `expected_version`; InvalidInput (422). `evidence_waived`: see _clean."""
    fields = dict(data)
    prefer = fields.pop("preferred", False)
    event = _current(session, event_id, expected_version)
    if fields:
        event = _amend(session, event, fields, actor=actor, evidence_waived=evidence_waived)
    if prefer:
        event = prefer_event(session, event_id, actor=actor)
    return event


@transactional
def retract_event(session: Session, event_id: int, *, actor: User | None = None) -> StageEvent:
    """Mark the claim retracted: it stays on the record but counts for nothing."""
    event = get_event(session, event_id)
    return _amend(session, event, {"status": EventStatus.RETRACTED.value}, actor=actor)


def status_before_retraction(session: Session, event: StageEvent) -> str:
    """The status the claim had before its latest retraction, read from the audit log
    (`reported` when the log does not say)."""
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == event.__tablename__, AuditEntry.entity_id == str(event.id))
        .order_by(AuditEntry.id.desc())
    )
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        if (
            after.get("status") == EventStatus.RETRACTED.value
            and before.get("status")
            and before["status"] != EventStatus.RETRACTED.value
        ):
            return str(before["status"])
    return EventStatus.REPORTED.value


@transactional
def undo_retraction(
    session: Session,
    event_id: int,
    *,
    actor: User | None = None,
    expected_version: int | None = None,
) -> StageEvent:
    """Give a retracted claim back the status it had before it was retracted (audited).

    NotFound (404); Conflict (409) when the claim is not retracted; Stale (412)."""
    event = _current(session, event_id, expected_version)
    if event.status != EventStatus.RETRACTED.value:
        raise Conflict(f"event {event_id} is not retracted")
    previous = status_before_retraction(session, event)
    return _amend(session, event, {"status": previous}, actor=actor)


@transactional
def prefer_event(session: Session, event_id: int, *, actor: User | None = None) -> StageEvent:
    """Settle a conflict: this claim is preferred over the others about the same step.

    InvalidInput (422) for a retracted claim: it counts for nothing, so it cannot win."""
    event = get_event(session, event_id)
    if event.status == EventStatus.RETRACTED.value:
        raise InvalidInput(
            {"preferred": "a retracted claim cannot be preferred: restore its status first"}
        )
    rivals = session.scalars(
        select(StageEvent).where(
            StageEvent.agreement_id == event.agreement_id,
            StageEvent.stage == event.stage,
            StageEvent.id != event.id,
            StageEvent.preferred.is_(True),
            StageEvent.step.is_not_distinct_from(event.step),
            StageEvent.party_code.is_not_distinct_from(event.party_code),
        )
    )
    for rival in rivals:
        with audited(session, rival, actor=actor, action="update", agreement_id=rival.agreement_id):
            rival.preferred = False
    with audited(session, event, actor=actor, action="update", touch=event.agreement):
        event.preferred = True
    return event
