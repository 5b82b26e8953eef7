"""The lifecycle cache: derived state stored per agreement so lists filter and sort fast.

`refresh` is the only writer. Every service that changes what the lifecycle is derived from
(claims, their evidence, the agreement's parties or rule) makes the change inside
`audit.audited(..., touch=agreement)`, which calls `touch` in the same transaction before it
writes the audit entry, so the cache is never behind what was committed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import (
    Agreement,
    AgreementParticipation,
    AgreementState,
    EvidenceArticle,
    EvidenceLink,
    PrincipleStatement,
    StageEvent,
)
from tracker.models.vocab import HAPPENED, LIFECYCLE, AgreementStatus, Stage
from tracker.services import transactional
from tracker.services.agreements.lifecycle import STALLED_AFTER_DAYS, Lifecycle, derive
from tracker.services.agreements.participation import EntryIntoForceRule, WithdrawalRule
from tracker.text.dates import DateError, parse_edtf_date


def evidence_dates(session: Session, agreement_ids: Sequence[int]) -> dict[int, list[date]]:
    """Per agreement, the days its evidence was published (or linked, when undated)."""
    result: dict[int, list[date]] = {i: [] for i in agreement_ids}
    if not agreement_ids:
        return result
    columns = (EvidenceLink.created_at, EvidenceArticle.published_latest)
    queries = [
        select(StageEvent.agreement_id, *columns)
        .join(StageEvent, EvidenceLink.event_id == StageEvent.id)
        .where(StageEvent.agreement_id.in_(agreement_ids)),
        select(PrincipleStatement.agreement_id, *columns)
        .join(PrincipleStatement, EvidenceLink.statement_id == PrincipleStatement.id)
        .where(PrincipleStatement.agreement_id.in_(agreement_ids)),
        select(EvidenceLink.agreement_id, *columns).where(
            EvidenceLink.agreement_id.in_(agreement_ids)
        ),
    ]
    for query in queries:
        query = query.join(EvidenceArticle, EvidenceLink.article_id == EvidenceArticle.id)
        for agreement_id, linked_at, published in session.execute(query):
            result[agreement_id].append(published or linked_at.date())
    return result


def refresh(session: Session, agreements: Sequence[Agreement]) -> None:
    """Derive and store the lifecycle of these agreements (a constant number of queries)."""
    if not agreements:
        return
    ids = [a.id for a in agreements]
    events: dict[int, list[StageEvent]] = {i: [] for i in ids}
    for event in session.scalars(
        select(StageEvent)
        .where(StageEvent.agreement_id.in_(ids), StageEvent.deleted_at.is_(None))
        .order_by(StageEvent.id)
    ):
        events[event.agreement_id].append(event)
    dates = evidence_dates(session, ids)
    existing = {
        s.agreement_id: s
        for s in session.scalars(select(AgreementState).where(AgreementState.agreement_id.in_(ids)))
    }
    participation: dict[tuple[int, str], AgreementParticipation] = {
        (p.agreement_id, p.party_code): p
        for p in session.scalars(
            select(AgreementParticipation).where(AgreementParticipation.agreement_id.in_(ids))
        )
    }
    today = utcnow().date()
    for agreement in agreements:
        life = derive(
            party_codes=agreement.party_codes,
            events=events[agreement.id],
            today=today,
            entry_into_force_rule=entry_into_force_rule(agreement),
            withdrawal_rule=withdrawal_rule(agreement),
            bilateral=agreement.bilateral,
            evidence_dates=dates[agreement.id],
            created_on=agreement.created_at.date(),
        )
        row = existing.get(agreement.id) or AgreementState(agreement_id=agreement.id)
        _store(row, life, events[agreement.id])
        session.add(row)
        for code, value in life.participation.items():
            cached = participation.pop((agreement.id, code), None)
            if cached is None:
                session.add(
                    AgreementParticipation(
                        agreement_id=agreement.id, party_code=code, participation=value
                    )
                )
            elif cached.participation != value:
                cached.participation = value
    for gone in participation.values():  # a party no longer of its agreement
        session.delete(gone)


def entry_into_force_rule(agreement: Agreement) -> EntryIntoForceRule | None:
    """The agreement's rule of entry into force, of either kind (SPEC §2b), or None."""
    if agreement.instruments_required is not None:
        return EntryIntoForceRule(
            instruments_required=agreement.instruments_required,
            days_after_instrument=agreement.days_after_instrument,
            days_after_own_instrument=agreement.days_after_own_instrument,
        )
    if agreement.entry_into_force_days is not None:
        return EntryIntoForceRule(days_after_last_notification=agreement.entry_into_force_days)
    return None


def withdrawal_rule(agreement: Agreement) -> WithdrawalRule | None:
    if agreement.withdrawal_period is None or agreement.withdrawal_unit is None:
        return None
    return WithdrawalRule(agreement.withdrawal_period, agreement.withdrawal_unit)


# Where each stage of the lifecycle sorts (the list's sort by stage).
_STAGE_RANK = {stage.value: rank for rank, stage in enumerate(LIFECYCLE)}
_HAPPENED = {status.value for status in HAPPENED}


def _first_claimed(events: Sequence[StageEvent], stage: str) -> date | None:
    """The first day of the earliest reported or confirmed claim of `stage`, if dated."""
    days = [
        e.date_earliest
        for e in events
        if e.stage == stage and e.status in _HAPPENED and e.date_earliest is not None
    ]
    return min(days, default=None)


def _store(row: AgreementState, life: Lifecycle, events: Sequence[StageEvent]) -> None:
    nxt = life.next_expected
    row.current_stage = life.current_stage
    row.base_status = life.base_status
    row.last_activity = life.last_activity
    row.next_expected_date = _first_day(nxt.date) if nxt and nxt.date else None
    # The list's sort keys (tracker.services.agreements.listing).
    row.stage_rank = _STAGE_RANK.get(life.current_stage or "")
    row.signed_on = _first_claimed(events, Stage.SIGNING.value)
    expected_in_force = (
        row.next_expected_date if nxt and nxt.stage == Stage.ENTRY_INTO_FORCE.value else None
    )
    row.in_force_on = _first_claimed(events, Stage.ENTRY_INTO_FORCE.value) or expected_in_force
    row.has_conflicts = bool(life.conflicts)
    row.derived = life.to_json()
    row.computed_at = utcnow()


def _first_day(edtf: str) -> date | None:
    try:
        return parse_edtf_date(edtf).earliest
    except DateError:
        return None


def touch(session: Session, agreement: Agreement) -> None:
    """The agreement changed: bump its updated time and refresh its cached lifecycle."""
    agreement.updated_at = utcnow()
    session.flush()
    refresh(session, [agreement])


def read(
    session: Session,
    agreements: Sequence[Agreement],
    *,
    today: date | None = None,
    stalled_after_days: int = STALLED_AFTER_DAYS,
) -> dict[int, Lifecycle]:
    """The lifecycle of each agreement from the cache (refreshed first where missing)."""
    today = today or utcnow().date()
    ids = [a.id for a in agreements]
    rows = (
        {
            s.agreement_id: s
            for s in session.scalars(
                select(AgreementState).where(AgreementState.agreement_id.in_(ids))
            )
        }
        if ids
        else {}
    )
    missing = [a for a in agreements if a.id not in rows]
    if missing:
        refresh(session, missing)
        session.flush()
        rows |= {
            s.agreement_id: s
            for s in session.scalars(
                select(AgreementState).where(
                    AgreementState.agreement_id.in_([a.id for a in missing])
                )
            )
        }
    return {
        i: Lifecycle.from_json(rows[i].derived, today=today, stalled_after_days=stalled_after_days)
        for i in ids
    }


def status_filter(
    status: str,
    today: date,
    stalled_after_days: int = STALLED_AFTER_DAYS,
    column: Callable[[Any], Any] = lambda column: column,
) -> ColumnElement[bool]:
    """A SQL condition on AgreementState for the derived status on `today`; `column` wraps
    each column it reads (tracker.services.agreements.listing.unindexed)."""
    quiet_since = today - timedelta(days=stalled_after_days)
    columns = AgreementState.__table__.c
    base_status, last_activity = column(columns.base_status), column(columns.last_activity)
    if status == AgreementStatus.STALLED:
        return and_(
            base_status == AgreementStatus.ACTIVE.value,
            last_activity <= quiet_since,
        )
    if status == AgreementStatus.ACTIVE:
        return and_(
            base_status == AgreementStatus.ACTIVE.value,
            or_(last_activity.is_(None), last_activity > quiet_since),
        )
    return base_status == status


@transactional
def rebuild(session: Session, *, only_missing: bool = False, batch: int = 500) -> int:
    """Refresh the cache of every agreement (or of those without one); returns the count."""
    query = select(Agreement).order_by(Agreement.id).limit(batch)
    if only_missing:
        query = query.outerjoin(AgreementState).where(AgreementState.agreement_id.is_(None))
    count = 0
    last_id = 0
    while chunk := list(session.scalars(query.where(Agreement.id > last_id))):
        refresh(session, chunk)
        session.flush()
        count += len(chunk)
        last_id = chunk[-1].id
    return count
