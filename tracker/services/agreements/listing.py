"""Agreements as lists show them (AgreementRow): filtered, sorted and paged with Core
statements on the tables, whatever the page size in four or five queries."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, case, exists, func, select, type_coerce
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import (
    Agreement,
    AgreementParticipation,
    AgreementParty,
    AgreementState,
    AgreementTopic,
    Party,
    PrincipleStatement,
    StageEvent,
)
from tracker.models.vocab import HAPPENED, LIFECYCLE, Stage
from tracker.services.agreements import state
from tracker.services.agreements.lifecycle import STALLED_AFTER_DAYS, status_on
from tracker.services.agreements.queries import get_agreement
from tracker.services.fulltext import matches as fts_matches
from tracker.services.fulltext import terms as search_terms


@dataclass(frozen=True)
class AgreementFilters:
    party: str | None = None
    stage: str | None = None
    status: str | None = None
    topic: str | None = None
    principle: str | None = None
    q: str | None = None
    updated_since: datetime | None = None
    kind: str | None = None
    participation: str | None = None  # of `party` (SPEC §2b)


# Lists are read with Core statements on the tables: the ORM's per-statement work cost more
# than the queries themselves on a page of 50 (see docs/benchmarks.md).
_A = Agreement.__table__
_S = AgreementState.__table__
_AP = AgreementParty.__table__
_AT = AgreementTopic.__table__
_PS = PrincipleStatement.__table__
_P = Party.__table__
_E = StageEvent.__table__

_JOINED = _A.outerjoin(_S, _S.c.agreement_id == _A.c.id)
_DEPOSITARY = Party.__table__.alias("depositary")
_PARTICIPATION = AgreementParticipation.__table__
# Built once: constructing a statement costs about as much as running it on a small page.
PAGE = select(
    _A.c.id,
    _A.c.title,
    _A.c.titles,
    _A.c.kind,
    _A.c.summary,
    _A.c.entry_into_force_days,
    _A.c.instruments_required,
    _A.c.days_after_instrument,
    _A.c.days_after_own_instrument,
    _A.c.withdrawal_period,
    _A.c.withdrawal_unit,
    _A.c.bilateral,
    _A.c.depositary_code,
    _DEPOSITARY.c.names.label("depositary_names"),
    _A.c.signature_opens,
    _A.c.signature_closes,
    _A.c.duration_years,
    _A.c.created_at,
    _A.c.updated_at,
    _S.c.derived,
).select_from(_JOINED.outerjoin(_DEPOSITARY, _DEPOSITARY.c.code == _A.c.depositary_code))
_COUNT_ALL = select(func.count()).select_from(_A)
_COUNT_JOINED = select(func.count()).select_from(_JOINED)
# Party names as stored (JSON text on SQLite): each distinct value is decoded once a page
# (english_names) instead of once a row, a fifth of a page's time.
PAGE_PARTIES = (
    select(_AP.c.agreement_id, _AP.c.party_code, type_coerce(_P.c.names, Text))
    .select_from(_AP.join(_P, _P.c.code == _AP.c.party_code))
    .order_by(_AP.c.agreement_id, _AP.c.position)
)
PAGE_TOPICS = select(_AT.c.agreement_id, _AT.c.topic).order_by(_AT.c.topic)

_HAPPENED = [s.value for s in HAPPENED]
_DATED_STAGES = (Stage.SIGNING.value, Stage.ENTRY_INTO_FORCE.value)


def _first_claimed(stage: str) -> Any:
    """Per agreement, the first day of its earliest reported or confirmed claim of `stage`:
    one grouped pass over the claims, joined, rather than a lookup per agreement."""
    return (
        select(_E.c.agreement_id, func.min(_E.c.date_earliest).label("day"))
        .where(_E.c.stage == stage, _E.c.status.in_(_HAPPENED), _E.c.deleted_at.is_(None))
        .group_by(_E.c.agreement_id)
        .subquery(f"first_{stage}")
    )


_SIGNED = _first_claimed(Stage.SIGNING.value)
_IN_FORCE = _first_claimed(Stage.ENTRY_INTO_FORCE.value)


# The next expected event is the entry into force (from the rule or an expected claim).
_EXPECTED_IN_FORCE = case(
    (_S.c.next_expected_date.is_(None), None),  # most rows: their JSON is never read
    (
        _S.c.derived["next_expected"]["stage"].as_string() == Stage.ENTRY_INTO_FORCE.value,
        _S.c.next_expected_date,
    ),
)

_SORTS: dict[str, Any] = {
    "updated": _A.c.updated_at,
    "created": _A.c.created_at,
    "title": _A.c.title,
    "next_expected": _S.c.next_expected_date,
    # The furthest stage reached, in lifecycle order.
    "stage": case(
        {stage.value: rank for rank, stage in enumerate(LIFECYCLE)}, value=_S.c.current_stage
    ),
    "signed": _SIGNED.c.day,
    # In force since, or else expected to enter into force on.
    "in_force": func.coalesce(_IN_FORCE.c.day, _EXPECTED_IN_FORCE),
    "last_activity": _S.c.last_activity,
}
# Sorts by a column that cannot be null use its index; the others put undated rows last.
_NOT_NULL_SORTS = {"updated", "created", "title"}
# The claims a sort needs joined to the agreements.
_SORT_JOINS = {"signed": _SIGNED, "in_force": _IN_FORCE}
SORTS = tuple(_SORTS)
# Days of the signing and entry-into-force claims of a page, earliest first.
_PAGE_DATES = (
    select(_E.c.agreement_id, _E.c.stage, _E.c.date)
    .where(_E.c.stage.in_(_DATED_STAGES), _E.c.status.in_(_HAPPENED), _E.c.deleted_at.is_(None))
    .order_by(_E.c.date_earliest.is_(None), _E.c.date_earliest, _E.c.id)
)


def english_names(rows: Iterable[Any]) -> Iterator[tuple[int, str, str]]:
    """(agreement id, party code, English name) from rows of PAGE_PARTIES."""
    decoded: dict[str, str] = {}
    for agreement_id, code, names in rows:
        if isinstance(names, str):  # JSON text (SQLite); PostgreSQL's driver gives a dict
            if names not in decoded:
                decoded[names] = json.loads(names).get("en") or code
            yield agreement_id, code, decoded[names]
        else:
            yield agreement_id, code, (names or {}).get("en") or code


@dataclass(frozen=True)
class AgreementRow:
    """An agreement as lists show it: plain values, no ORM objects (fast to build and dump)."""

    id: int
    title: str
    titles: dict[str, str]
    kind: str
    summary: str
    entry_into_force_rule: dict[str, int] | None  # either shape (SPEC §2b)
    withdrawal_rule: dict[str, int] | None
    bilateral: bool
    depositary: tuple[str, str] | None  # (code, English name)
    signature_opens: str | None
    signature_closes: str | None
    duration_years: int | None
    created_at: datetime
    updated_at: datetime
    parties: list[tuple[str, str]]  # (code, English name), in the agreement's order
    topics: list[str]
    derived: dict[str, Any]  # Lifecycle.to_json()
    status: str
    # EDTF of the earliest reported or confirmed signing and entry-into-force claims, when
    # the list asked for them (search(..., dates=True)); "" for such a claim without a date.
    signed: str | None = None
    in_force: str | None = None


def _conditions(
    session: Session, filters: AgreementFilters, today: date, stalled_after_days: int
) -> list[Any]:
    """The WHERE clauses of a search (Core, on the tables)."""
    conditions: list[Any] = [_A.c.deleted_at.is_(None)]
    if filters.party:
        conditions.append(
            exists().where(_AP.c.agreement_id == _A.c.id, _AP.c.party_code == filters.party.upper())
        )
    if filters.topic:
        conditions.append(
            exists().where(_AT.c.agreement_id == _A.c.id, _AT.c.topic == filters.topic.lower())
        )
    if filters.principle:
        conditions.append(
            exists().where(
                _PS.c.agreement_id == _A.c.id,
                _PS.c.principle_code == filters.principle,
                _PS.c.deleted_at.is_(None),
            )
        )
    if filters.kind:
        conditions.append(_A.c.kind == filters.kind)
    if filters.party and filters.participation:
        conditions.append(
            exists().where(
                _PARTICIPATION.c.agreement_id == _A.c.id,
                _PARTICIPATION.c.party_code == filters.party.upper(),
                _PARTICIPATION.c.participation == filters.participation,
            )
        )
    if filters.stage:
        conditions.append(_S.c.current_stage == filters.stage)
    if filters.status:
        conditions.append(state.status_filter(filters.status, today, stalled_after_days))
    if filters.updated_since:
        conditions.append(_A.c.updated_at >= filters.updated_since)
    if filters.q and (words := search_terms(filters.q)):
        conditions.append(fts_matches(session, "agreement", words))
    return conditions


def search(
    session: Session,
    filters: AgreementFilters,
    *,
    sort: str = "-updated",
    offset: int = 0,
    limit: int = 50,
    today: date | None = None,
    stalled_after_days: int = STALLED_AFTER_DAYS,
    dates: bool = False,
    total: int | None = None,
) -> tuple[list[AgreementRow], int]:
    """One page of agreements matching `filters`, and how many match in all.

    Filters on derived stage and status use the lifecycle cache. `q` matches words of the
    titles and summary in any spelling (through the normaliser). Sorts: SORTS, "-" first for
    descending; undated rows come last either way. Four queries whatever the page size: the
    count, the page with its cached lifecycle, its parties, its topics; one more for a sort by
    a derived key (the ids are sorted alone first), and one with `dates` for the days of
    signing and entry into force (AgreementRow.signed, .in_force). A `total` already counted
    (by `freshness`, in the same transaction) saves the count.
    """
    today = today or utcnow().date()
    connection = session.connection()
    conditions = _conditions(session, filters, today, stalled_after_days)
    if total is None:
        counting = _COUNT_JOINED if filters.stage or filters.status else _COUNT_ALL
        total = connection.execute(counting.where(*conditions)).scalar() or 0
    key = sort.lstrip("-")
    column = _SORTS[key]
    descending = sort.startswith("-")
    order = [
        column.desc() if descending else column.asc(),
        _A.c.id.desc() if descending else _A.c.id.asc(),
    ]
    if key in _NOT_NULL_SORTS:  # read in index order, a page at a time
        page = connection.execute(
            PAGE.where(*conditions).order_by(*order).offset(offset).limit(limit)
        ).all()
    else:
        # A derived key no index orders: sort the ids alone (a narrow sort), undated last
        # either way, then read that page's rows. NULLS LAST on the indexed sorts above would
        # defeat their index.
        order[0] = order[0].nulls_last()
        joined = _JOINED
        if key in _SORT_JOINS:
            claims = _SORT_JOINS[key]
            joined = joined.outerjoin(claims, claims.c.agreement_id == _A.c.id)
        ranked = list(
            connection.execute(
                select(_A.c.id)
                .select_from(joined)
                .where(*conditions)
                .order_by(*order)
                .offset(offset)
                .limit(limit)
            ).scalars()
        )
        found = {row.id: row for row in connection.execute(PAGE.where(_A.c.id.in_(ranked)))}
        page = [found[i] for i in ranked]
    ids = [row.id for row in page]
    parties: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    topics: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        found = connection.execute(PAGE_PARTIES.where(_AP.c.agreement_id.in_(ids)))
        for agreement_id, code, name in english_names(found):
            parties[agreement_id].append((code, name))
        for agreement_id, topic in connection.execute(
            PAGE_TOPICS.where(_AT.c.agreement_id.in_(ids))
        ):
            topics[agreement_id].append(topic)
    rows = rows_of(session, page, parties, topics, today, stalled_after_days)
    if dates and ids:
        first: dict[tuple[int, str], str] = {}
        for agreement_id, stage, edtf in connection.execute(
            _PAGE_DATES.where(_E.c.agreement_id.in_(ids))
        ):
            first.setdefault((agreement_id, stage), edtf or "")
        rows = [
            replace(
                row,
                signed=first.get((row.id, Stage.SIGNING.value)),
                in_force=first.get((row.id, Stage.ENTRY_INTO_FORCE.value)),
            )
            for row in rows
        ]
    return rows, total


def rows_of(
    session: Session,
    page: Sequence[Any],
    parties: Mapping[int, list[tuple[str, str]]],
    topics: Mapping[int, list[str]],
    today: date,
    stalled_after_days: int,
) -> list[AgreementRow]:
    """AgreementRows from rows of PAGE, their parties and topics, with today's status."""
    missing = [row.id for row in page if row.derived is None]
    if missing:  # rows older than the cache: derive them now
        fresh = state.read(session, [get_agreement(session, i) for i in missing], today=today)
    rows = []
    for row in page:
        derived = row.derived if row.derived is not None else fresh[row.id].to_json()
        last = derived["last_activity"]
        rows.append(
            AgreementRow(
                id=row.id,
                title=row.title,
                titles=row.titles,
                kind=row.kind,
                summary=row.summary,
                entry_into_force_rule=_rule(row),
                withdrawal_rule=(
                    None
                    if row.withdrawal_period is None
                    else {f"{row.withdrawal_unit}_after_notification": row.withdrawal_period}
                ),
                bilateral=bool(row.bilateral),
                depositary=_depositary(row),
                signature_opens=row.signature_opens,
                signature_closes=row.signature_closes,
                duration_years=row.duration_years,
                created_at=row.created_at,
                updated_at=row.updated_at,
                parties=parties[row.id],
                topics=topics[row.id],
                derived=derived,
                status=status_on(
                    derived["base_status"],
                    date.fromisoformat(last) if last else None,
                    today,
                    stalled_after_days,
                ),
            )
        )
    return rows


def _rule(row: Any) -> dict[str, int] | None:
    """The entry-into-force rule as the API gives it, from the agreement's columns."""
    if row.instruments_required is not None:
        rule = {"instruments_required": row.instruments_required}
        for name in ("days_after_instrument", "days_after_own_instrument"):
            if getattr(row, name) is not None:
                rule[name] = getattr(row, name)
        return rule
    if row.entry_into_force_days is not None:
        return {"days_after_last_notification": row.entry_into_force_days}
    return None


def _depositary(row: Any) -> tuple[str, str] | None:
    if row.depositary_code is None:
        return None
    names = row.depositary_names
    if isinstance(names, str):  # JSON text on SQLite
        names = json.loads(names)
    return row.depositary_code, (names or {}).get("en") or row.depositary_code


def board(session: Session, *, today: date | None = None, limit: int = 200) -> list[AgreementRow]:
    """The most recently changed agreements with their lifecycle, for the front page."""
    return search(session, AgreementFilters(), limit=limit, today=today)[0]


def freshness(
    session: Session,
    filters: AgreementFilters,
    *,
    today: date | None = None,
    stalled_after_days: int = STALLED_AFTER_DAYS,
) -> tuple[int, datetime | None]:
    """How many agreements `filters` select and the newest `updated_at` among them, in one
    aggregate over the filters alone (no page, no parties): what tells one answer of the list
    from another, cheaply (the API's ETag). Any write to an agreement or its claims touches
    its `updated_at`; one that leaves the selection lowers the count, one that joins it (or
    replaces a deleted one) raises the newest time. Status filters also depend on `today`,
    which the caller adds to the tag."""
    today = today or utcnow().date()
    conditions = _conditions(session, filters, today, stalled_after_days)
    source = _JOINED if filters.stage or filters.status else _A
    count, newest = (
        session.connection()
        .execute(
            select(func.count(), func.max(_A.c.updated_at)).select_from(source).where(*conditions)
        )
        .one()
    )
    return count or 0, newest
