"""One agreement as it is read: `overview` (ORM objects, for the web page and its timeline)
and `detail` (Core rows, for the API, a constant six statements)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session, selectinload

from tracker.db import among, utcnow
from tracker.models import (
    Agreement,
    Declaration,
    EvidenceLink,
    Party,
    Principle,
    PrincipleStatement,
    StageEvent,
    User,
)
from tracker.models.vocab import EventStatus
from tracker.services.agreements import state
from tracker.services.agreements.lifecycle import (
    STALLED_AFTER_DAYS,
    KeyDate,
    Lifecycle,
    PartyProgress,
    key_dates,
    party_progress,
)
from tracker.services.agreements.listing import (
    PAGE,
    AgreementRow,
    parties_and_topics,
    rows_of,
    split_parties_and_topics,
)
from tracker.services.agreements.participation import (
    EntryIntoForceRule,
    Participant,
    WithdrawalRule,
)
from tracker.services.agreements.queries import get_agreement, lifecycle
from tracker.services.claims.parties import label
from tracker.services.errors import NotFound

_A = Agreement.__table__
_PS = PrincipleStatement.__table__
_E = StageEvent.__table__


@dataclass(frozen=True)
class PrincipleGroup:
    """A principle as one stating party (or the parties together) states it, with every
    statement that records it: each statement's quotes and clauses are its sources."""

    code: str
    labels: dict[str, str]
    party_code: str | None
    statements: list[PrincipleStatement]

    def label(self, language: str = "en") -> str:
        return self.labels.get(language) or self.labels.get("en") or self.code


def group_statements(statements: Sequence[PrincipleStatement]) -> list[PrincipleGroup]:
    """One group per (principle, stating party), in the order each was first recorded."""
    groups: dict[tuple[str, str | None], PrincipleGroup] = {}
    for statement in sorted(statements, key=lambda s: s.id):
        key = (statement.principle_code, statement.party_code)
        if key not in groups:
            labels = statement.principle.labels if statement.principle else {}
            groups[key] = PrincipleGroup(key[0], labels or {}, key[1], [])
        groups[key].statements.append(statement)
    return list(groups.values())


@dataclass(frozen=True)
class Overview:
    """One agreement as a researcher reads it: the record and what is derived from it."""

    agreement: Agreement
    lifecycle: Lifecycle
    events: list[StageEvent]
    statements: list[PrincipleStatement]
    # Per party: the ratification steps reached, their dates, the state in words.
    progress: list[PartyProgress] = field(default_factory=list)
    # The key dates in one line (parts to join with " · ").
    key_dates: list[KeyDate] = field(default_factory=list)
    # Claims (not retracted) with no evidence quoted; statements with neither a quote nor a
    # clause of the text.
    unsupported_events: list[int] = field(default_factory=list)
    unsupported_statements: list[int] = field(default_factory=list)
    principles: list[PrincipleGroup] = field(default_factory=list)

    @property
    def unsupported_count(self) -> int:
        return len(self.unsupported_events) + len(self.unsupported_statements)

    @property
    def entry_into_force_rule(self) -> EntryIntoForceRule | None:
        return state.entry_into_force_rule(self.agreement)

    @property
    def withdrawal_rule(self) -> WithdrawalRule | None:
        return state.withdrawal_rule(self.agreement)


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
    life = lifecycle(session, agreement, today=today)
    progress = party_progress(
        agreement.party_codes,
        events,
        cached={
            "counted_event_ids": life.counted_event_ids,
            "conflicts": life.conflicts,
            "ratification": life.ratification,
        },
    )
    return Overview(
        agreement,
        life,
        events,
        statements,
        progress=progress,
        key_dates=key_dates(events, life, progress),
        unsupported_events=[
            e.id for e in events if e.status != EventStatus.RETRACTED and not e.evidence
        ],
        unsupported_statements=[s.id for s in statements if not s.evidence and not s.clause],
        principles=group_statements(statements),
    )


_U = User.__table__
_L = EvidenceLink.__table__
_PR = Principle.__table__
_ONE = PAGE.add_columns(_A.c.version).where(_A.c.id == bindparam("id"), _A.c.deleted_at.is_(None))
_ONE_PARTIES_AND_TOPICS = parties_and_topics(lambda column: column == bindparam("id"))
_ONE_EVENTS = (
    select(
        *(c for c in _E.c if c.name not in {"deleted_at", "version"}),
        _U.c.email,
        _U.c.display_name,
    )
    .select_from(_E.outerjoin(_U, _U.c.id == _E.c.recorded_by_id))
    .where(_E.c.agreement_id == bindparam("id"), _E.c.deleted_at.is_(None))
)
_ONE_STATEMENTS = (
    select(
        _PS.c.id,
        _PS.c.agreement_id,
        _PS.c.principle_code,
        _PR.c.labels,
        _PS.c.party_code,
        _PS.c.clause,
        _PS.c.note,
    )
    .select_from(_PS.join(_PR, _PR.c.code == _PS.c.principle_code))
    .where(_PS.c.agreement_id == bindparam("id"), _PS.c.deleted_at.is_(None))
    .order_by(_PS.c.id)
)
_ONE_LINKS = select(
    _L.c.id,
    _L.c.event_id,
    _L.c.statement_id,
    _L.c.article_id,
    _L.c.quote,
    _L.c.quote_start,
    _L.c.quote_end,
).order_by(_L.c.id)
# The evidence of an agreement's events and statements (ids as lists `events`, `statements`),
# built once: a statement made per request cost as much as running it.
_LINKS_OF = _ONE_LINKS.where(
    or_(
        among(_L.c.event_id, "events"),
        among(_L.c.statement_id, "statements"),
    )
)


@dataclass(frozen=True)
class AgreementDetail:
    """One agreement as the API shows it, read with Core statements: plain values only.

    `events` (by date, then id) and `statements` are rows; `links` maps ("event", id) and
    ("statement", id) to their evidence rows, in the order they were added.
    """

    row: AgreementRow
    version: int
    events: list[Any]
    statements: list[Any]
    links: dict[tuple[str, int], list[Any]]
    progress: list[PartyProgress] = field(default_factory=list)


def detail(
    session: Session,
    agreement_id: int,
    *,
    today: date | None = None,
    stalled_after_days: int = STALLED_AFTER_DAYS,
) -> AgreementDetail:
    """The agreement with its lifecycle, events, statements and their evidence; NotFound (404).

    Six statements whatever the number of events: the ORM's loading of the same graph
    (`overview`) cost ten times the queries themselves (see docs/benchmarks.md).
    """
    today = today or utcnow().date()
    connection = session.connection()
    key = {"id": agreement_id}
    one = connection.execute(_ONE, key).one_or_none()
    if one is None:
        raise NotFound(f"agreement {agreement_id} does not exist")
    parties: dict[int, list[tuple[str, str]]] = {agreement_id: []}
    topics: dict[int, list[str]] = {agreement_id: []}
    split_parties_and_topics(
        connection.execute(_ONE_PARTIES_AND_TOPICS, key).all(), parties, topics
    )
    row = rows_of(session, [one], parties, topics, today, stalled_after_days)[0]
    events = sorted(
        connection.execute(_ONE_EVENTS, key).all(),
        key=lambda e: (e.date_earliest or date.max, e.id),
    )
    statements = connection.execute(_ONE_STATEMENTS, key).all()
    links: dict[tuple[str, int], list[Any]] = {}
    if events or statements:
        found = connection.execute(
            _LINKS_OF,
            {"events": [e.id for e in events], "statements": [s.id for s in statements]},
        )
        for link in found:
            owner = ("event", link.event_id) if link.event_id else ("statement", link.statement_id)
            links.setdefault(owner, []).append(link)
    progress = party_progress(
        [code for code, _ in row.parties],
        events,
        cached=row.derived,
    )
    return AgreementDetail(row, one.version, events, statements, links, progress)


@dataclass(frozen=True)
class ParticipantRow:
    """One row of the participants table (SPEC §2b) with its party's English name."""

    name: str
    row: Participant
    # The party's live declarations to the agreement (reservations, objections ...), by date.
    declarations: tuple[Declaration, ...] = ()


def declarations_by_party(session: Session, agreement_id: int) -> dict[str, list[Declaration]]:
    """The agreement's live declarations per party, each party's by date (undated last)."""
    found: dict[str, list[Declaration]] = {}
    for d in session.scalars(
        select(Declaration)
        .where(Declaration.agreement_id == agreement_id, Declaration.deleted_at.is_(None))
        .order_by(Declaration.date_earliest.asc().nulls_last(), Declaration.id)
    ):
        found.setdefault(d.party_code, []).append(d)
    return found


def participants(
    session: Session, agreement_id: int, *, today: date | None = None
) -> list[ParticipantRow]:
    """Each party's row of the participants table, from the lifecycle cache, in the order of
    the agreement's parties; NotFound (404) when the agreement does not exist or is deleted."""
    agreement = get_agreement(session, agreement_id)
    life = lifecycle(session, agreement, today=today)
    names = {
        code: label((names or {}).get("en") or code)
        for code, names in session.execute(
            select(Party.code, Party.names).where(
                Party.code.in_([p.party for p in life.participants])
            )
        )
    }
    made = declarations_by_party(session, agreement.id)
    return [
        ParticipantRow(names.get(p.party, p.party), p, tuple(made.get(p.party, ())))
        for p in life.participants
    ]
