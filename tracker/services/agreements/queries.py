"""Agreements: create, amend, soft-delete and restore, and their derived lifecycle."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, bindparam, case, exists, func, or_, select, type_coerce
from sqlalchemy.orm import Session, selectinload

from tracker.db import utcnow
from tracker.models import (
    Agreement,
    AgreementParty,
    AgreementState,
    AgreementTopic,
    EvidenceLink,
    Party,
    Principle,
    PrincipleStatement,
    StageEvent,
    User,
)
from tracker.models.vocab import HAPPENED, LIFECYCLE, AgreementKind, EventStatus, Stage
from tracker.services import audit, checks, fetch, transactional
from tracker.services.agreements import state
from tracker.services.agreements.lifecycle import (
    STALLED_AFTER_DAYS,
    KeyDate,
    Lifecycle,
    PartyProgress,
    key_dates,
    party_progress,
    status_on,
)
from tracker.services.audit import audited
from tracker.services.claims.parties import check_codes, resolve_names
from tracker.services.errors import Conflict, FieldErrors, NotFound, Stale
from tracker.services.fulltext import matches as fts_matches
from tracker.services.fulltext import terms as search_terms
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
    session: Session,
    data: Mapping[str, Any],
    *,
    partial: bool,
    current_id: int | None = None,
    parties_by_name: bool = False,
) -> dict[str, Any]:
    """Check every given field; raise ValidationError naming each bad one.

    With `parties_by_name` (the web form) parties may be typed as names or aliases in any
    language as well as codes (see parties.resolve_names); the API gives codes only.
    """
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
        if parties_by_name and isinstance(parties, str | Sequence):
            values["parties"] = resolve_names(session, parties, "parties", errors)
        elif isinstance(parties, str) or not isinstance(parties, Sequence):
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
    session: Session,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
    parties_by_name: bool = False,
) -> Agreement:
    """Create an agreement; raise ValidationError (422) naming each bad field, writing nothing.

    `parties_by_name`: parties may be names in any language as well as codes (web forms).
    """
    values = _clean(session, data, partial=False, parties_by_name=parties_by_name)
    agreement = Agreement()
    with audited(
        session, agreement, actor=actor, action="create", touch=agreement, links=_links_state
    ):
        _apply(agreement, values)
        session.add(agreement)
    return agreement


@transactional
def update_agreement(
    session: Session,
    agreement_id: int,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
    expected_version: int | None = None,
    parties_by_name: bool = False,
) -> Agreement:
    """Amend the given fields; raise Stale (412) when `expected_version` is stale."""
    agreement = get_agreement(session, agreement_id)
    if expected_version is not None and agreement.version != expected_version:
        raise Stale(f"agreement {agreement_id} changed meanwhile")
    values = _clean(
        session, data, partial=True, current_id=agreement.id, parties_by_name=parties_by_name
    )
    with audited(
        session, agreement, actor=actor, action="update", touch=agreement, links=_links_state
    ):
        _apply(agreement, values)
    return agreement


@transactional
def delete_agreement(
    session: Session, agreement_id: int, *, actor: User | None = None
) -> Agreement:
    """Soft-delete: hidden everywhere, restorable by an admin."""
    agreement = get_agreement(session, agreement_id)
    with audited(session, agreement, actor=actor, action="delete", agreement_id=agreement.id):
        agreement.deleted_at = utcnow()
    return agreement


@transactional
def restore_agreement(
    session: Session, agreement_id: int, *, actor: User | None = None
) -> Agreement:
    """Bring a deleted agreement back, with everything it had; Conflict (409) if not deleted."""
    agreement = get_agreement(session, agreement_id, include_deleted=True)
    if not agreement.is_deleted:
        raise Conflict(f"agreement {agreement_id} is not deleted")
    with audited(session, agreement, actor=actor, action="restore", agreement_id=agreement.id):
        agreement.deleted_at = None
    return agreement


@dataclass(frozen=True)
class Deleted:
    """A soft-deleted agreement, for the admins' list: when and by whom."""

    id: int
    title: str
    deleted_at: datetime
    deleted_by: str | None


def deleted_agreements(session: Session, *, offset: int = 0, limit: int = 50) -> list[Deleted]:
    """Soft-deleted agreements, most recently deleted first, with who deleted each."""
    rows = session.execute(
        select(Agreement.id, Agreement.title, Agreement.deleted_at)
        .where(Agreement.deleted_at.is_not(None))
        .order_by(Agreement.deleted_at.desc(), Agreement.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    who = audit.deleted_by(session, "agreement", [r.id for r in rows])
    return [Deleted(r.id, r.title, r.deleted_at, who.get(r.id)) for r in rows]


def deleted_count(session: Session) -> int:
    query = select(func.count()).select_from(Agreement).where(Agreement.deleted_at.is_not(None))
    return session.scalar(query) or 0


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
# Built once: constructing a statement costs about as much as running it on a small page.
_PAGE = select(
    _A.c.id,
    _A.c.title,
    _A.c.titles,
    _A.c.kind,
    _A.c.summary,
    _A.c.entry_into_force_days,
    _A.c.duration_years,
    _A.c.created_at,
    _A.c.updated_at,
    _S.c.derived,
).select_from(_JOINED)
_COUNT_ALL = select(func.count()).select_from(_A)
_COUNT_JOINED = select(func.count()).select_from(_JOINED)
# Party names as stored (JSON text on SQLite): each distinct value is decoded once a page
# (_english_names) instead of once a row, a fifth of a page's time.
_PAGE_PARTIES = (
    select(_AP.c.agreement_id, _AP.c.party_code, type_coerce(_P.c.names, Text))
    .select_from(_AP.join(_P, _P.c.code == _AP.c.party_code))
    .order_by(_AP.c.agreement_id, _AP.c.position)
)
_PAGE_TOPICS = select(_AT.c.agreement_id, _AT.c.topic).order_by(_AT.c.topic)

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


def _english_names(rows: Iterable[Any]) -> Iterator[tuple[int, str, str]]:
    """(agreement id, party code, English name) from rows of _PAGE_PARTIES."""
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
    entry_into_force_days: int | None
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

    @classmethod
    def of(cls, agreement: Agreement, life: Lifecycle) -> AgreementRow:
        return cls(
            id=agreement.id,
            title=agreement.title,
            titles=agreement.titles,
            kind=agreement.kind,
            summary=agreement.summary,
            entry_into_force_days=agreement.entry_into_force_days,
            duration_years=agreement.duration_years,
            created_at=agreement.created_at,
            updated_at=agreement.updated_at,
            parties=[(link.party_code, link.party.name("en")) for link in agreement.party_links],
            topics=agreement.topics,
            derived=life.to_json(),
            status=life.status,
        )


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
) -> tuple[list[AgreementRow], int]:
    """One page of agreements matching `filters`, and how many match in all.

    Filters on derived stage and status use the lifecycle cache. `q` matches words of the
    titles and summary in any spelling (through the normaliser). Sorts: SORTS, "-" first for
    descending; undated rows come last either way. Four queries whatever the page size: the
    count, the page with its cached lifecycle, its parties, its topics; one more for a sort by
    a derived key (the ids are sorted alone first), and one with `dates` for the days of
    signing and entry into force (AgreementRow.signed, .in_force).
    """
    today = today or utcnow().date()
    connection = session.connection()
    conditions = _conditions(session, filters, today, stalled_after_days)
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
            _PAGE.where(*conditions).order_by(*order).offset(offset).limit(limit)
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
        found = {row.id: row for row in connection.execute(_PAGE.where(_A.c.id.in_(ranked)))}
        page = [found[i] for i in ranked]
    ids = [row.id for row in page]
    parties: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    topics: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        found = connection.execute(_PAGE_PARTIES.where(_AP.c.agreement_id.in_(ids)))
        for agreement_id, code, name in _english_names(found):
            parties[agreement_id].append((code, name))
        for agreement_id, topic in connection.execute(
            _PAGE_TOPICS.where(_AT.c.agreement_id.in_(ids))
        ):
            topics[agreement_id].append(topic)
    rows = _rows(session, page, parties, topics, today, stalled_after_days)
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


def _rows(
    session: Session,
    page: Sequence[Any],
    parties: Mapping[int, list[tuple[str, str]]],
    topics: Mapping[int, list[str]],
    today: date,
    stalled_after_days: int,
) -> list[AgreementRow]:
    """AgreementRows from rows of _PAGE, their parties and topics, with today's status."""
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
                entry_into_force_days=row.entry_into_force_days,
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


_U = User.__table__
_L = EvidenceLink.__table__
_PR = Principle.__table__
_ONE = _PAGE.add_columns(_A.c.version).where(_A.c.id == bindparam("id"), _A.c.deleted_at.is_(None))
_ONE_PARTIES = _PAGE_PARTIES.where(_AP.c.agreement_id == bindparam("id"))
_ONE_TOPICS = _PAGE_TOPICS.where(_AT.c.agreement_id == bindparam("id"))
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
    parties = {
        agreement_id: [(c, n) for _, c, n in _english_names(connection.execute(_ONE_PARTIES, key))]
    }
    topics = {agreement_id: [t for _, t in connection.execute(_ONE_TOPICS, key)]}
    row = _rows(session, [one], parties, topics, today, stalled_after_days)[0]
    events = sorted(
        connection.execute(_ONE_EVENTS, key).all(),
        key=lambda e: (e.date_earliest or date.max, e.id),
    )
    statements = connection.execute(_ONE_STATEMENTS, key).all()
    links: dict[tuple[str, int], list[Any]] = {}
    if events or statements:
        found = connection.execute(
            _ONE_LINKS.where(
                or_(
                    _L.c.event_id.in_([e.id for e in events]),
                    _L.c.statement_id.in_([s.id for s in statements]),
                )
            )
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


def board(session: Session, *, today: date | None = None, limit: int = 200) -> list[AgreementRow]:
    """The most recently changed agreements with their lifecycle, for the front page."""
    return search(session, AgreementFilters(), limit=limit, today=today)[0]


def with_conflicts(session: Session, *, limit: int = 20) -> list[tuple[int, str, int]]:
    """(id, title, number of conflicts) of agreements with conflicts awaiting a decision."""
    rows = session.execute(
        select(Agreement.id, Agreement.title, AgreementState.derived)
        .join(AgreementState, AgreementState.agreement_id == Agreement.id)
        .where(AgreementState.has_conflicts.is_(True), Agreement.deleted_at.is_(None))
        .order_by(Agreement.updated_at.desc())
        .limit(limit)
    )
    return [(row.id, row.title, len(row.derived["conflicts"])) for row in rows]


def topics_in_use(session: Session, *, limit: int = 500) -> list[str]:
    """The topics agreements have, alphabetically (for the list's suggestions)."""
    query = select(_AT.c.topic).distinct().order_by(_AT.c.topic).limit(limit)
    return list(session.scalars(query))


@dataclass(frozen=True)
class Unsupported:
    """Claims without evidence across agreements: how many in all, and where (most first)."""

    total: int
    agreements: list[tuple[int, str, int]]  # (id, title, how many)


def unsupported_claims(session: Session, *, limit: int = 20) -> Unsupported:
    """Stage events (not retracted) with no evidence quoted, and principle statements with
    neither a quote nor a clause, on agreements not deleted (two grouped queries)."""
    live = (Agreement.deleted_at.is_(None),)
    events = (
        select(StageEvent.agreement_id, func.count())
        .join(Agreement, Agreement.id == StageEvent.agreement_id)
        .where(
            *live,
            StageEvent.deleted_at.is_(None),
            StageEvent.status != EventStatus.RETRACTED.value,
            ~exists().where(EvidenceLink.event_id == StageEvent.id),
        )
        .group_by(StageEvent.agreement_id)
    )
    statements = (
        select(PrincipleStatement.agreement_id, func.count())
        .join(Agreement, Agreement.id == PrincipleStatement.agreement_id)
        .where(
            *live,
            PrincipleStatement.deleted_at.is_(None),
            PrincipleStatement.clause == "",
            ~exists().where(EvidenceLink.statement_id == PrincipleStatement.id),
        )
        .group_by(PrincipleStatement.agreement_id)
    )
    counts: dict[int, int] = {}
    for query in (events, statements):
        for agreement_id, count in session.execute(query):
            counts[agreement_id] = counts.get(agreement_id, 0) + count
    worst = sorted(counts, key=lambda i: (-counts[i], i))[:limit]
    names = titles(session, worst)
    return Unsupported(sum(counts.values()), [(i, names.get(i, ""), counts[i]) for i in worst])


def titles(session: Session, agreement_ids: Iterable[int]) -> dict[int, str]:
    """The title of each of these agreements, by id (one query)."""
    ids = sorted(set(agreement_ids))
    if not ids:
        return {}
    query = select(Agreement.id, Agreement.title).where(Agreement.id.in_(ids))
    return {agreement_id: title for agreement_id, title in session.execute(query)}
