"""Agreements as lists show them (AgreementRow): filtered, sorted and paged with Core
statements on the tables, whatever the page size in four to six queries.

So that a page costs about the same at any size of the table, a sorted page is read in the
order of an index and stops at the page (sorts by a lifecycle key read the cache's (key, id)
indexes), the total is counted up to CAP and no further, and a cursor (`after`) continues
from the last row of a page without an OFFSET to skip. docs/benchmarks.md has what is flat
and what still grows with the matches.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    bindparam,
    exists,
    func,
    literal,
    null,
    select,
    text,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from tracker.db import among, utcnow
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
from tracker.models.mixins import MAX_ID
from tracker.models.vocab import HAPPENED, LIFECYCLE, Stage
from tracker.services.agreements import state
from tracker.services.agreements.lifecycle import STALLED_AFTER_DAYS, status_on
from tracker.services.agreements.queries import get_agreement
from tracker.services.errors import InvalidInput
from tracker.services.fulltext import indexed_ids as fts_ids
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


def english_name(names: Any, code: Any) -> Any:
    """SQL: the English name among `names` (a JSON column of names by language), else `code`."""
    return func.coalesce(func.nullif(names["en"].as_string(), ""), code)


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
# `rows_of` unpacks a row by position, in this order.
_PAGE_COLUMNS = (
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
    english_name(_DEPOSITARY.c.names, _A.c.depositary_code).label("depositary_name"),
    _A.c.signature_opens,
    _A.c.signature_closes,
    _A.c.duration_years,
    _A.c.created_at,
    _A.c.updated_at,
    _S.c.derived,
)
_WITH_DEPOSITARY = _JOINED.outerjoin(_DEPOSITARY, _DEPOSITARY.c.code == _A.c.depositary_code)
PAGE = select(*_PAGE_COLUMNS).select_from(_WITH_DEPOSITARY)


class _Wrapped(ColumnElement[Any]):
    """A column that each engine may write in its own way (`@compiles` for the subclass),
    of the column's type; the column itself on an engine without its own way."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Any) -> None:
        self.column = column
        self.type = column.type


class listed(_Wrapped):
    """The cached lifecycle without what no list shows: each party's row (`participants`,
    two thirds of the document) and the ids of the counted claims, removed by the database
    (json_remove on SQLite, `-` on jsonb), so that a page decodes a third of the bytes. The
    whole document on any other engine."""

    inherit_cache = True


UNLISTED = ("participants", "counted_event_ids")


@compiles(_Wrapped)
def _wrapped(element: _Wrapped, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(listed, "sqlite")
def _listed_sqlite(element: listed, compiler: Any, **kw: Any) -> str:
    paths = ", ".join(f"'$.{key}'" for key in UNLISTED)
    return f"json_remove({compiler.process(element.column, **kw)}, {paths})"


@compiles(listed, "postgresql")
def _listed_postgresql(element: listed, compiler: Any, **kw: Any) -> str:
    keys = " - ".join(f"'{key}'" for key in UNLISTED)
    return f"({compiler.process(element.column, **kw)} - {keys})"


# A list's columns: PAGE's, with the lifecycle as `listed` (the detail reads it whole).
_LIST_COLUMNS = (*_PAGE_COLUMNS[:-1], listed(_S.c.derived).label("derived"))
# How many columns of a row `rows_of` reads (a statement may add its own after them).
_WIDTH = len(_PAGE_COLUMNS)


def parties_and_topics(agreement_id: Callable[[Any], ColumnElement[bool]]) -> Any:
    """The parties and topics of the agreements `agreement_id(column)` selects, in one
    statement (one round trip instead of two): rows
    (agreement id, place, party code or topic, English name), a party's with its position,
    a topic's with place -1 and no name; by agreement, its topics (by name) before its
    parties (in their order). Each party's English name is read out of its names by the
    database (JSON_EXTRACT on SQLite, ->> on PostgreSQL), its code when it has none:
    decoding every party's names in Python was a fifth of a page's time."""
    parties = (
        select(
            _AP.c.agreement_id,
            _AP.c.position.label("place"),
            _AP.c.party_code.label("value"),
            english_name(_P.c.names, _AP.c.party_code).label("name"),
        )
        .select_from(_AP.join(_P, _P.c.code == _AP.c.party_code))
        .where(agreement_id(_AP.c.agreement_id))
    )
    topics = select(
        _AT.c.agreement_id, literal(-1, Integer), _AT.c.topic, null().cast(String)
    ).where(agreement_id(_AT.c.agreement_id))
    both = union_all(parties, topics).subquery("both")
    return select(both).order_by(both.c.agreement_id, both.c.place, both.c.value)


def split_parties_and_topics(
    rows: Sequence[Any], parties: dict[int, list[tuple[str, str]]], topics: dict[int, list[str]]
) -> None:
    """The rows of a `parties_and_topics` statement into `parties` and `topics` (lists by
    agreement id, already made for each agreement)."""
    for agreement_id, _place, value, name in rows:
        if name is None:
            topics[agreement_id].append(value)
        else:
            parties[agreement_id].append((value, name))


# The same for the ids of a page (`ids`, a list), built once: a statement made per page costs
# its construction and a fresh cache key each time, as much as running it.
_PARTIES_AND_TOPICS_OF = parties_and_topics(lambda column: among(column, "ids"))
_ROWS_OF = select(*_LIST_COLUMNS).select_from(_WITH_DEPOSITARY).where(among(_A.c.id, "ids"))

_HAPPENED = [s.value for s in HAPPENED]
_DATED_STAGES = (Stage.SIGNING.value, Stage.ENTRY_INTO_FORCE.value)


_SORTS: dict[str, Any] = {
    "updated": _A.c.updated_at,
    "created": _A.c.created_at,
    "title": _A.c.title,
    # The sort keys of the lifecycle cache (tracker.services.agreements.state), each indexed
    # with the agreement's id after it.
    "next_expected": _S.c.next_expected_date,
    # The furthest stage reached, in lifecycle order.
    "stage": _S.c.stage_rank,
    # The earliest reported or confirmed signing.
    "signed": _S.c.signed_on,
    # In force since, or else expected to enter into force on.
    "in_force": _S.c.in_force_on,
    "last_activity": _S.c.last_activity,
}
# Sorts by a column of the agreement that cannot be null use its (column, id) index; each
# with the attribute of a PAGE row that holds its key. The others are read from the cache's
# (key, agreement id) index: first the rows with a key, then those without, last either way.
_NOT_NULL_SORTS = {"updated": "updated_at", "created": "created_at", "title": "title"}
# The cache joined to its agreement, read in the order of the cache's sort indexes.
_BY_CACHE = _S.join(_A, _A.c.id == _S.c.agreement_id)
SORTS = tuple(_SORTS)
# Days of the signing and entry-into-force claims of a page, earliest first.
_PAGE_DATES = (
    select(_E.c.agreement_id, _E.c.stage, _E.c.date)
    .where(_E.c.stage.in_(_DATED_STAGES), _E.c.status.in_(_HAPPENED), _E.c.deleted_at.is_(None))
    .where(among(_E.c.agreement_id, "ids"))
    .order_by(_E.c.date_earliest.is_(None), _E.c.date_earliest, _E.c.id)
)


class unindexed(_Wrapped):
    """A column that SQLite must not look up through an index (`+column`, the documented way
    to take a term out of the planner's choice of index); the column itself elsewhere.

    Used when a filter keeps most rows: SQLite, without the statistics to know it, would read
    every match through the filter's index and sort them all; with the filter's index out of
    the choice it walks the sort's index and stops at the page (see `page`)."""

    inherit_cache = True


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + compiler.process(element.column, **kw)


def _same(column: Any) -> Any:
    return column


@dataclass(slots=True)
class AgreementRow:
    """An agreement as lists show it: plain values, no ORM objects (fast to build and dump).

    Not frozen: a frozen dataclass sets each field through object.__setattr__, which made
    building a page's rows cost four times as much."""

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
    derived: dict[str, Any]  # Lifecycle.to_json(), in a list without its UNLISTED keys
    status: str
    # EDTF of the earliest reported or confirmed signing and entry-into-force claims, when
    # the list asked for them (search(..., dates=True)); "" for such a claim without a date.
    signed: str | None = None
    in_force: str | None = None


def _linked(filters: AgreementFilters) -> list[tuple[Any, list[Any]]]:
    """The filters through a table of the agreement's links: (that table's agreement id,
    its conditions) for the party (with its participation, when asked for) and the topic.

    A party's participation is cached for the agreement's parties only (a party that leaves
    the agreement leaves the cache with it: tracker.services.agreements.state), so with a
    participation the party's own link is not looked up as well: gathering every agreement
    of a party to intersect with its few of one participation grew with the table."""
    linked: list[tuple[Any, list[Any]]] = []
    if filters.party:
        party = filters.party.upper()
        if filters.participation:
            linked.append(
                (
                    _PARTICIPATION.c.agreement_id,
                    [
                        _PARTICIPATION.c.party_code == party,
                        _PARTICIPATION.c.participation == filters.participation,
                    ],
                )
            )
        else:
            linked.append((_AP.c.agreement_id, [_AP.c.party_code == party]))
    if filters.topic:
        linked.append((_AT.c.agreement_id, [_AT.c.topic == filters.topic.lower()]))
    return linked


def _conditions(
    session: Session,
    filters: AgreementFilters,
    today: date,
    stalled_after_days: int,
    dense: bool = False,
) -> list[Any]:
    """The WHERE clauses of a search (Core, on the tables). When most rows match (`dense`),
    each filtered column is `unindexed`, to keep the filters' indexes out of the plan."""
    column = unindexed if dense else _same
    conditions: list[Any] = [_A.c.deleted_at.is_(None)]
    # A filter through another table is, among rows of a rare party or topic, an IN of that
    # table's ids: the planner may read the few matches from its index rather than test
    # every agreement in turn. When most rows match (`dense`), a correlated EXISTS: each
    # row walked down the sort's index is looked up in the filter's table, where an IN would
    # first gather every match.
    for ids, where in _linked(filters):
        if dense:
            conditions.append(exists().where(ids == _A.c.id, *where))
        else:
            conditions.append(_A.c.id.in_(select(ids).where(*where)))
    if filters.principle:
        conditions.append(
            exists().where(
                _PS.c.agreement_id == _A.c.id,
                _PS.c.principle_code == filters.principle,
                _PS.c.deleted_at.is_(None),
            )
        )
    if filters.kind:
        conditions.append(column(_A.c.kind) == filters.kind)
    if filters.stage:
        conditions.append(column(_S.c.current_stage) == filters.stage)
    if filters.status:
        conditions.append(state.status_filter(filters.status, today, stalled_after_days, column))
    if filters.updated_since:  # a range of the sort index by `updated`: never taken out
        conditions.append(_A.c.updated_at >= filters.updated_since)
    if filters.q and (words := search_terms(filters.q)):
        conditions.append(fts_matches(session, "agreement", words, unindexed if dense else None))
    return conditions


# The total is exact up to CAP matches; past it a list says "more than CAP" (capped), and
# the count stops there: what a page costs does not grow with the table.
CAP = 10_000
# The type of each sort's key, to read a cursor's value back.
_DATETIME_SORTS = {"updated", "created"}
_DATE_SORTS = {"next_expected", "signed", "in_force", "last_activity"}


class BadCursor(InvalidInput):
    """A cursor that this list did not make, or made for another sort: 422 on `after`."""

    def __init__(self, message: str) -> None:
        super().__init__({"after": message})


def _whole(value: Any, least: int, most: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and least <= value <= most


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: its sort, and the last row's sort key and id. The next page starts
    after that row, wherever rows were added or removed before it meanwhile."""

    sort: str
    value: Any
    id: int

    def encode(self) -> str:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        raw = json.dumps([self.sort, value, self.id], ensure_ascii=False, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, sort: str) -> Cursor:
        """The cursor `text` for a list sorted by `sort`; BadCursor when it is not one."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            made_for, value, last_id = json.loads(raw.decode())
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as error:
            raise BadCursor("Not a cursor of this list: pass next_cursor as it came.") from error
        if made_for != sort:
            raise BadCursor(
                f"This cursor continues the list sorted by {made_for!r}, not {sort!r}: "
                "ask with the same sort, or start again without `after`."
            )
        key = sort.lstrip("-")
        try:
            if not _whole(last_id, 1, MAX_ID):
                raise TypeError
            if value is not None:
                if key in _DATETIME_SORTS:
                    value = datetime.fromisoformat(value)
                elif key in _DATE_SORTS:
                    value = date.fromisoformat(value)
                elif key == "stage":
                    if not _whole(value, 0, len(LIFECYCLE) - 1):
                        raise TypeError
                elif not isinstance(value, str) or "\x00" in value:
                    raise TypeError
                else:
                    value.encode()  # a lone surrogate cannot be sent to the database
        except (TypeError, ValueError) as error:
            raise BadCursor("Not a cursor of this list: pass next_cursor as it came.") from error
        return cls(sort, value, last_id)


@dataclass(frozen=True)
class Page:
    """A page of a list: its rows, the total (exact up to CAP, else CAP and `capped`), and
    the cursor of the page after it (None on the last page)."""

    rows: list[AgreementRow]
    total: int
    capped: bool
    next_cursor: str | None


def _by_cache_key(
    connection: Any,
    conditions: Callable[[], list[Any]],
    column: Any,
    descending: bool,
    offset: int,
    limit: int,
    cursor: Cursor | None,
    built: tuple[Any, ...],
) -> list[tuple[Any, int]]:
    """(key, agreement id) of up to limit + 1 rows after `offset` others (or after `cursor`),
    sorted by a key of the lifecycle cache, rows without the key last either way.

    Two reads of the cache's (key, agreement id) index, each in index order and stopping at
    the page: the rows with a key, then, when those run out within the page, the rows
    without one. One ORDER BY with NULLS LAST would sort every match first. `conditions`
    makes the filters' conditions; each statement is kept under `built` (what it is made
    from: see _built) and what tells it from the others.
    """
    ids = _S.c.agreement_id
    wanted = limit + 1

    def read(name: str, where: Callable[[], list[Any]], skip: int, take: int) -> list[Any]:
        def reading() -> Any:
            order = (column.desc(), ids.desc()) if descending else (column.asc(), ids.asc())
            return (
                select(column, ids)
                .select_from(_BY_CACHE)
                .where(*conditions(), *where())
                .order_by(*order)
                .offset(skip)
                .limit(take)
            )

        found = connection.execute(_built((*built, name, skip, take), reading)).all()
        return [(value, agreement_id) for value, agreement_id in found]

    def keyed_rows() -> list[Any]:
        where = [column.is_not(None)]
        if cursor is not None:
            pair, last = tuple_(column, ids), tuple_(cursor.value, cursor.id)
            where.append(pair < last if descending else pair > last)
        return where

    def unkeyed_rows() -> list[Any]:
        where = [column.is_(None)]
        if cursor is not None and cursor.value is None:
            where.append(ids < cursor.id if descending else ids > cursor.id)
        return where

    keyed: list[tuple[Any, int]] = []
    if cursor is None or cursor.value is not None:
        keyed = read("keyed", keyed_rows, offset, wanted)
        if len(keyed) == wanted:
            return keyed
    # Into the rows without a key: skip what the offset leaves of them.
    if cursor is not None and cursor.value is None:
        skip = offset
    elif keyed or offset == 0:
        skip = 0
    else:  # the offset passed every keyed row: how many were there?

        def counting() -> Any:
            where = [*conditions(), column.is_not(None)]
            return select(func.count()).select_from(_BY_CACHE).where(*where)

        keyed_count = connection.execute(_built((*built, "keyed count"), counting)).scalar()
        skip = max(0, offset - (keyed_count or 0))
    return keyed + read("unkeyed", unkeyed_rows, skip, wanted - len(keyed))


_EVERY = AgreementFilters()
_HIGHEST_ID = select(func.max(_A.c.id))
# Every live agreement, counted on SQLite as all rows less the deleted ones: SQLite counts a
# whole table by the number of cells on each of its b-tree's pages, without reading a row
# (4 µs at 10,000 agreements, where counting the live rows read each one: 0.8 ms), and the
# deleted ones have an index of their own.
_LIVE = select(
    select(func.count()).select_from(_A).scalar_subquery()
    - select(func.count()).select_from(_A).where(_A.c.deleted_at.is_not(None)).scalar_subquery()
)


# PostgreSQL: a filtered list's statements run without parallel workers (for the rest of the
# transaction). Starting two workers took about 20 ms where the plan they shared ran in a few:
# a party's participation over 100,000 agreements took 29 ms with them and 14 without.
_SERIAL = text("SELECT set_config('max_parallel_workers_per_gather', '0', true)")


def _serial(session: Session, filters: AgreementFilters) -> None:
    connection = session.connection()
    if filters != _EVERY and connection.dialect.name == "postgresql":
        connection.execute(_SERIAL)


def count(
    session: Session,
    filters: AgreementFilters,
    *,
    today: date | None = None,
    stalled_after_days: int = STALLED_AFTER_DAYS,
    cap: int | None = None,
) -> tuple[int, bool]:
    """How many agreements `filters` select, counted up to `cap`: (total, capped). Counting
    stops at cap + 1 matches, so a count costs no more on a million rows than on ten
    thousand (and, without filters on SQLite, all at once from the table's pages). `cap` is
    CAP unless given."""
    _serial(session, filters)
    total, capped, _rows = _counted(session, filters, today, stalled_after_days, cap)
    return total, capped


def _counted(
    session: Session,
    filters: AgreementFilters,
    today: date | None,
    stalled_after_days: int,
    cap: int | None = None,
) -> tuple[int, bool, int | None]:
    """`count`, and with filters the highest agreement id (what `_dense` weighs the count
    against), read by the same statement: (total, capped, highest id or None)."""
    cap = CAP if cap is None else cap
    connection = session.connection()
    if filters == _EVERY and connection.dialect.name == "sqlite":
        found = connection.execute(_LIVE).scalar() or 0
        return min(found, cap), found > cap, None
    today = today or utcnow().date()

    def counting() -> Any:
        bounded = _matches(session, filters, today, stalled_after_days).limit(cap + 1).subquery()
        return select(func.count(), _HIGHEST_ID.scalar_subquery()).select_from(bounded)

    key = ("count", connection.dialect.name, filters, today, stalled_after_days, cap)
    found, highest = connection.execute(_built(key, counting)).one()
    return min(found, cap), found > cap, highest or 0


# Statements built for a request, by what they were built from (the engine's name, the
# filters, the day, the sort, the cursor; a page's window is a parameter): a list asked for
# again, at any page, is run with the statement made the first time. Building a filtered
# page's two statements and their cache keys (SQLAlchemy's key to its compiled form) cost a
# tenth of the request on PostgreSQL; a statement is immutable, its key kept on it. At most
# BUILT_MOST; the whole cache is dropped when full.
_BUILT: dict[tuple[Any, ...], Any] = {}
BUILT_MOST = 512


def _built(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """The statement made by `build` for `key`: made once, then kept (see _BUILT)."""
    found = _BUILT.get(key)
    if found is None:
        if len(_BUILT) >= BUILT_MOST:
            _BUILT.clear()
        found = _BUILT[key] = build()
    return found


def _source(filters: AgreementFilters) -> Any:
    """The agreements, joined to their lifecycle cache when a filter reads it."""
    return _JOINED if filters.stage or filters.status else _A


def _matches(
    session: Session, filters: AgreementFilters, today: date, stalled_after_days: int
) -> Any:
    """A row for each agreement `filters` select, to count, read from the narrowest indexes.

    Filters by party, participation, topic, stage and status, and on SQLite the words (`q`,
    from the full-text index), are each a set of agreement ids in an index of their own
    table: the first is read in its index (the words' when given: a full-text match is not
    cheap to test row by row), the others looked up for each of its rows (an EXISTS, not
    an IN that would gather all their matches first), and the deleted agreements (few, in
    an index of their own) left out, so that no agreement row is read. With a filter on the
    agreement itself (kind, updated since, principle; the words on PostgreSQL) its rows are
    read instead."""
    words = search_terms(filters.q) if filters.q else []
    indexed = fts_ids(session, "agreement", words) if words else None
    if filters.kind or filters.updated_since or filters.principle or (words and not indexed):
        conditions = _conditions(session, filters, today, stalled_after_days)
        return select(true()).select_from(_source(filters)).where(*conditions)
    sets = _linked(filters)  # (agreement id column, conditions)
    if indexed:  # first: the words' matches are gathered from the full-text index
        sets.insert(0, indexed)
    by_state = []
    if filters.stage:
        by_state.append(_S.c.current_stage == filters.stage)
    if filters.status:
        by_state.append(state.status_filter(filters.status, today, stalled_after_days))
    if by_state:
        sets.append((_S.c.agreement_id, by_state))
    if not sets:
        return select(true()).select_from(_A).where(_A.c.deleted_at.is_(None))
    (ids, conditions), others = sets[0], sets[1:]
    deleted = select(_A.c.id).where(_A.c.deleted_at.is_not(None))
    return select(true()).where(
        *conditions,
        *(exists().where(other == ids, *where) for other, where in others),
        ids.not_in(deleted),
    )


def _dense(total: int, capped: bool, reach: int, rows: int | None) -> bool:
    """Whether the matches are so many that walking the sort's index, testing each row, is
    cheaper than reading every match through the filters' indexes and sorting them: about
    reach × rows / total rows read against total. `reach` is how far into the list the page
    ends; rows is the highest id (read from the end of the primary key by the count's
    statement). With no more matches than the page reaches, never."""
    if capped:
        return True
    if total <= reach:
        return False
    return total * total > reach * (rows or 0)


def page(
    session: Session,
    filters: AgreementFilters,
    *,
    sort: str = "-updated",
    offset: int = 0,
    limit: int = 50,
    after: str | None = None,
    today: date | None = None,
    stalled_after_days: int = STALLED_AFTER_DAYS,
    dates: bool = False,
    counted: bool = True,
) -> Page:
    """One page of agreements matching `filters`: the rows after `offset` others, or after
    the row of the cursor `after` (a Page's next_cursor; then `offset` counts from there;
    BadCursor when it is not one made for this sort).

    Filters on derived stage and status use the lifecycle cache. `q` matches words of the
    titles and summary in any spelling (through the normaliser). Sorts: SORTS, "-" first for
    descending; undated rows come last either way. Three queries whatever the page size: the
    count (none when not `counted`: total is then 0; with the highest id, which `_dense`
    weighs it against), the page with its cached lifecycle (one statement: the matches' keys
    sorted and cut to the page, then joined to their rows), its parties and topics (one
    statement). One more for a sort by a derived key (its keys are read alone first), and
    one with `dates` for the days of signing and entry into force (AgreementRow.signed,
    .in_force). The page is read one row longer than asked, to know whether another follows.
    The statements are built once for the same list (`_built`).
    """
    today = today or utcnow().date()
    cursor = None if after is None else Cursor.decode(after, sort)
    connection = session.connection()
    _serial(session, filters)
    total, capped, highest = (
        _counted(session, filters, today, stalled_after_days) if counted else (0, False, None)
    )
    # Only the filters of `_linked`, kind, stage, status and words read an index that a
    # dense list would rather not; without them there is nothing to decide.
    narrowed = filters.party or filters.topic or filters.kind or filters.stage or filters.status
    dense = (
        counted
        and bool(narrowed or filters.q)
        and _dense(total, capped, offset + limit + 1, highest)
    )
    key = sort.lstrip("-")
    column = _SORTS[key]
    descending = sort.startswith("-")
    next_cursor = None
    # What the page's statements are made from (kept by _built), and the filters' conditions
    # made once for them when one is made.
    built = (
        "page",
        connection.dialect.name,
        filters,
        today,
        stalled_after_days,
        dense,
        sort,
        cursor and (cursor.value, cursor.id),
    )

    @cache
    def conditions() -> list[Any]:
        return _conditions(session, filters, today, stalled_after_days, dense)

    if key in _NOT_NULL_SORTS:  # read in index order, a page at a time

        def paging() -> Any:
            where = list(conditions())
            if cursor is not None:
                pair, last = tuple_(column, _A.c.id), tuple_(cursor.value, cursor.id)
                where.append(pair < last if descending else pair > last)
            return _sorted_page(_source(filters), where, column, descending, _OFFSET, _LIMIT)

        window = {"page_offset": offset, "page_limit": limit + 1}
        rows = connection.execute(_built(built, paging), window).all()
        if len(rows) > limit:
            rows = rows[:limit]
            last_row = rows[-1]
            next_cursor = Cursor(sort, getattr(last_row, _NOT_NULL_SORTS[key]), last_row.id)
    else:
        keys = _by_cache_key(
            connection, conditions, column, descending, offset, limit, cursor, built
        )
        wanted = [agreement_id for _value, agreement_id in keys[:limit]]
        found = {row.id: row for row in connection.execute(_ROWS_OF, {"ids": wanted})}
        rows = [found[i] for i in wanted]
        if len(keys) > limit and rows:
            next_cursor = Cursor(sort, *keys[limit - 1])
    return Page(
        _complete(session, rows, today, stalled_after_days, dates),
        total,
        capped,
        next_cursor and next_cursor.encode(),
    )


# The window of a page sorted by a column of the agreement, as parameters: one statement
# serves every page of the same list.
_OFFSET = bindparam("page_offset", type_=BigInteger)
_LIMIT = bindparam("page_limit", type_=BigInteger)


def _sorted_page(
    source: Any, conditions: list[Any], column: Any, descending: bool, offset: Any, limit: Any
) -> Any:
    """PAGE's rows of the `limit` matches after `offset`, sorted by `column` of the agreement
    and its id, in one statement: the matches' keys and ids are sorted and cut to the page
    first (in the sort's index order, when the plan can), and only then joined to the page's
    columns, so that a sort of many matches carries two values a row, not whole rows with
    their cached lifecycle."""
    direction = (lambda c: c.desc()) if descending else (lambda c: c.asc())
    keys = (
        select(column.label("key"), _A.c.id.label("id"))
        .select_from(source)
        .where(*conditions)
        .order_by(direction(column), direction(_A.c.id))
        .offset(offset)
        .limit(limit)
        .subquery("keys")
    )
    joined = (
        keys.join(_A, _A.c.id == keys.c.id)
        .outerjoin(_S, _S.c.agreement_id == _A.c.id)
        .outerjoin(_DEPOSITARY, _DEPOSITARY.c.code == _A.c.depositary_code)
    )
    return (
        select(*_LIST_COLUMNS)
        .select_from(joined)
        .order_by(direction(keys.c.key), direction(keys.c.id))
    )


def _complete(
    session: Session, page_rows: Sequence[Any], today: date, stalled_after_days: int, dates: bool
) -> list[AgreementRow]:
    """AgreementRows of rows of PAGE: with their parties and topics, and with `dates` the days
    of signing and entry into force."""
    connection = session.connection()
    ids = [row.id for row in page_rows]
    parties: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    topics: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        found = connection.execute(_PARTIES_AND_TOPICS_OF, {"ids": ids}).all()
        split_parties_and_topics(found, parties, topics)
    rows = rows_of(session, page_rows, parties, topics, today, stalled_after_days)
    if dates and ids:
        first: dict[tuple[int, str], str] = {}
        for agreement_id, stage, edtf in connection.execute(_PAGE_DATES, {"ids": ids}):
            first.setdefault((agreement_id, stage), edtf or "")
        rows = [
            replace(
                row,
                signed=first.get((row.id, Stage.SIGNING.value)),
                in_force=first.get((row.id, Stage.ENTRY_INTO_FORCE.value)),
            )
            for row in rows
        ]
    return rows


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
) -> tuple[list[AgreementRow], int]:
    """One page of agreements matching `filters` (see `page`), and how many match, up to CAP."""
    found = page(
        session,
        filters,
        sort=sort,
        offset=offset,
        limit=limit,
        today=today,
        stalled_after_days=stalled_after_days,
        dates=dates,
    )
    return found.rows, found.total


def rows_of(
    session: Session,
    page: Sequence[Any],
    parties: Mapping[int, list[tuple[str, str]]],
    topics: Mapping[int, list[str]],
    today: date,
    stalled_after_days: int,
) -> list[AgreementRow]:
    """AgreementRows from rows with PAGE's columns first (in their order), their parties and
    topics, with today's status."""
    missing = [row.id for row in page if row.derived is None]
    if missing:  # rows older than the cache: derive them now
        fresh = state.read(session, [get_agreement(session, i) for i in missing], today=today)
    rows = []
    for row in page:
        (
            agreement_id,
            title,
            titles,
            kind,
            summary,
            entry_into_force_days,
            instruments_required,
            days_after_instrument,
            days_after_own_instrument,
            withdrawal_period,
            withdrawal_unit,
            bilateral,
            depositary_code,
            depositary_name,
            signature_opens,
            signature_closes,
            duration_years,
            created_at,
            updated_at,
            derived,
        ) = row[:_WIDTH]  # unpacked by position: a name looked up on a Row costs more
        if derived is None:
            derived = fresh[agreement_id].to_json()
        last = derived["last_activity"]
        rows.append(
            AgreementRow(
                id=agreement_id,
                title=title,
                titles=titles,
                kind=kind,
                summary=summary,
                entry_into_force_rule=_rule(
                    instruments_required,
                    days_after_instrument,
                    days_after_own_instrument,
                    entry_into_force_days,
                ),
                withdrawal_rule=(
                    None
                    if withdrawal_period is None
                    else {f"{withdrawal_unit}_after_notification": withdrawal_period}
                ),
                bilateral=bool(bilateral),
                depositary=None if depositary_code is None else (depositary_code, depositary_name),
                signature_opens=signature_opens,
                signature_closes=signature_closes,
                duration_years=duration_years,
                created_at=created_at,
                updated_at=updated_at,
                parties=parties[agreement_id],
                topics=topics[agreement_id],
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


def _rule(
    instruments_required: int | None,
    days_after_instrument: int | None,
    days_after_own_instrument: int | None,
    days_after_last_notification: int | None,
) -> dict[str, int] | None:
    """The entry-into-force rule as the API gives it, from the agreement's columns."""
    if instruments_required is not None:
        rule = {"instruments_required": instruments_required}
        if days_after_instrument is not None:
            rule["days_after_instrument"] = days_after_instrument
        if days_after_own_instrument is not None:
            rule["days_after_own_instrument"] = days_after_own_instrument
        return rule
    if days_after_last_notification is not None:
        return {"days_after_last_notification": days_after_last_notification}
    return None


def board(session: Session, *, today: date | None = None, limit: int = 200) -> list[AgreementRow]:
    """The most recently changed agreements with their lifecycle, for the front page."""
    return search(session, AgreementFilters(), limit=limit, today=today)[0]


def stamp(session: Session) -> tuple[datetime | None, datetime | None]:
    """The newest change to any agreement, live and deleted apart, in one statement that
    reads two ends of two indexes: what tells one answer of any list from another, cheaply
    (the API's ETag). Any write to an agreement or its claims touches its `updated_at`, a
    deletion and a restore too, so no list can change without this changing. It changes more
    often than one filtered list would (any agreement's change changes it), which costs a
    cache a fresh copy now and then, never a stale one; and it costs the same at any size,
    where a count and newest change of the list's own selection grew with its matches."""
    newest, deleted = session.connection().execute(_STAMP).one()
    return newest, deleted


_STAMP = select(
    select(func.max(_A.c.updated_at)).where(_A.c.deleted_at.is_(None)).scalar_subquery(),
    select(func.max(_A.c.updated_at)).where(_A.c.deleted_at.is_not(None)).scalar_subquery(),
)
