"""Suggested parties, stages, dates and principles for a text (tracker.text.extract), with
the party names and aliases of the database; and the relations to other agreements and the
declarations of parties it states (tracker.text.relations), each relation with the
agreements of the database it may speak of, best first.

A text is read once: the suggestions for the same text, language, publication day and set
of party names are kept in the process (the most recently used, up to SUGGESTIONS_KEPT of
them and KEPT_CHARACTERS of text in all), so the review page of an article does not read it
again on every view or on its submission.
"""

from __future__ import annotations

import copy
import hashlib
from collections import OrderedDict
from datetime import date
from threading import Lock
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.models import Agreement, AgreementParty, Party, PartyAlias, StageEvent
from tracker.models.vocab import HAPPENED, PartyKind, Stage
from tracker.services import fetch
from tracker.services.errors import FieldErrors
from tracker.text.candidates import Candidate, rank_candidates
from tracker.text.dates import DateError, parse_date_input
from tracker.text.extract import MAX_CHARACTERS, PartyMatcher, extract
from tracker.text.relations import read as read_relations

__all__ = ["MAX_CHARACTERS", "cache_info", "party_matcher", "readable_part", "suggest"]

_MATCHERS: dict[int, PartyMatcher] = {}

# The agreements a relation's other end is looked for among: those sharing the most parties
# with the agreement reported (or, without one, with the states the text names), at most
# this many; and how many of them each relation lists.
CANDIDATES_READ = 500
CANDIDATES_LISTED = 5

SUGGESTIONS_KEPT = 256
KEPT_CHARACTERS = 2_000_000
_KEPT: OrderedDict[tuple[Any, ...], tuple[dict[str, Any], int]] = OrderedDict()
_LOCK = Lock()


class CacheInfo(NamedTuple):
    hits: int  # suggestions given again without reading the text
    misses: int  # texts read by the extractor
    size: int


_COUNTS = {"hits": 0, "misses": 0, "characters": 0}


def cache_info() -> CacheInfo:
    """How often a text was read, and how often its kept suggestions were given instead."""
    with _LOCK:
        return CacheInfo(_COUNTS["hits"], _COUNTS["misses"], len(_KEPT))


def _party_names(session: Session) -> tuple[int, PartyMatcher]:
    pairs = [
        (code, alias)
        for code, alias in session.execute(select(PartyAlias.party_code, PartyAlias.alias))
    ]
    for code, names in session.execute(select(Party.code, Party.names)):
        pairs += [(code, name) for name in names.values()]
    key = hash(frozenset(pairs))
    if key not in _MATCHERS:
        _MATCHERS.clear()  # only the newest set is worth keeping
        _MATCHERS[key] = PartyMatcher.build(pairs)
    return key, _MATCHERS[key]


def party_matcher(session: Session) -> PartyMatcher:
    """Aliases and localised names of every party, compiled once per distinct set."""
    return _party_names(session)[1]


def readable_part(text: str) -> str:
    """The text, or the first MAX_CHARACTERS of a longer one, cut after its last white space
    there (when that is in the second half) so that no word is read cut short."""
    if len(text) <= MAX_CHARACTERS:
        return text
    cut = max(text.rfind(space, 0, MAX_CHARACTERS) for space in " \n\t\r")
    return text[: cut if cut > MAX_CHARACTERS // 2 else MAX_CHARACTERS]


def suggest(
    session: Session,
    text: str,
    *,
    language: str | None = None,
    published: str | None = None,
    agreement_id: int | None = None,
) -> dict[str, Any]:
    """Suggestions for `text`; a year-less date is read against `published` (EDTF or Jalali).
    Each suggested relation lists `candidates` for its other end: agreements sharing a
    party with the agreement `agreement_id` (the one the text is read for, never itself a
    candidate), or without it with the states the text names.

    Raise InvalidInput (422) for an unreadable `published`, a text longer than
    MAX_CHARACTERS (see readable_part), or an agreement that does not exist.
    """
    errors = FieldErrors()
    agreement: Agreement | None = None
    if agreement_id is not None:
        agreement = fetch(session, Agreement, agreement_id)
        if agreement is None or agreement.is_deleted:
            errors.add("agreement_id", f"agreement {agreement_id} does not exist")
    day: date | None = None
    if published:
        try:
            day = parse_date_input(published).earliest
        except DateError as exc:
            errors.add("published", str(exc))
    if not isinstance(text, str) or not text.strip():
        errors.add("text", "give the text to read")
    elif len(text) > MAX_CHARACTERS:
        errors.add(
            "text",
            f"is {len(text):,} characters long: at most {MAX_CHARACTERS:,} are read at once",
        )
    errors.raise_if_any()
    version, matcher = _party_names(session)
    organisations = tuple(
        session.scalars(select(Party.code).where(Party.kind == PartyKind.ORGANISATION.value))
    )
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    key = (digest, len(text), language, day, version, organisations)
    with _LOCK:
        kept = _KEPT.get(key)
        if kept is not None:
            _KEPT.move_to_end(key)
            _COUNTS["hits"] += 1
    if kept is None:
        found = extract(
            text, matcher, language=language, published=day, organisations=organisations
        )
        found |= read_relations(text, matcher)
        kept = found, len(text)
        with _LOCK:
            _COUNTS["misses"] += 1
            if key not in _KEPT:
                _KEPT[key] = kept
                _COUNTS["characters"] += kept[1]
            while len(_KEPT) > SUGGESTIONS_KEPT or _COUNTS["characters"] > KEPT_CHARACTERS:
                _COUNTS["characters"] -= _KEPT.popitem(last=False)[1][1]
    found = copy.deepcopy(kept[0])  # the caller's to change; the kept copy stays as read
    if found["relations"]:
        if agreement is not None:
            ours = list(agreement.party_codes)
        else:
            ours = list(dict.fromkeys(p["code"] for p in found["parties"]))
            ours = [code for code in ours if code not in organisations]
        pool = candidates(session, ours, exclude=agreement.id if agreement else None)
        for relation in found["relations"]:
            ranked = rank_candidates(relation["target_hint"], pool, parties=ours)
            relation["candidates"] = [
                {"id": c.id, "title": c.title, "score": score}
                for c, score in ranked[:CANDIDATES_LISTED]
                if score > 0
            ]
    return found


def candidates(session: Session, parties: list[str], *, exclude: int | None) -> list[Candidate]:
    """The agreements (not deleted, not `exclude`) sharing the most of `parties`, at most
    CANDIDATES_READ, with their parties, kind, titles and year of signature (the first
    signing that happened, else the opening for signature): one query."""
    if not parties:
        return []
    live = Agreement.deleted_at.is_(None)
    others = [Agreement.id != exclude] if exclude is not None else []
    chosen = (
        select(AgreementParty.agreement_id)
        .join(Agreement, Agreement.id == AgreementParty.agreement_id)
        .where(AgreementParty.party_code.in_(parties), live, *others)
        .group_by(AgreementParty.agreement_id)
        .order_by(func.count().desc(), AgreementParty.agreement_id.desc())
        .limit(CANDIDATES_READ)
    )
    signed = (
        select(func.min(StageEvent.date_earliest))
        .where(
            StageEvent.agreement_id == Agreement.id,
            StageEvent.stage == Stage.SIGNING.value,
            StageEvent.status.in_([s.value for s in HAPPENED]),
            StageEvent.deleted_at.is_(None),
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Agreement.id,
            Agreement.title,
            Agreement.titles,
            Agreement.kind,
            Agreement.signature_opens,
            signed,
            AgreementParty.party_code,
        )
        .join(AgreementParty, AgreementParty.agreement_id == Agreement.id)
        .where(Agreement.id.in_(chosen.scalar_subquery()))
        .order_by(Agreement.id, AgreementParty.position)
    ).all()
    found: dict[int, Candidate] = {}
    codes: dict[int, list[str]] = {}
    for ident, title, titles, kind, opens, first_signed, code in rows:
        codes.setdefault(ident, []).append(code)
        if ident not in found:
            year = first_signed.year if first_signed else _year_of(opens)
            found[ident] = Candidate(ident, title, dict(titles or {}), (), year, kind)
    return [
        Candidate(c.id, c.title, c.titles, tuple(codes[c.id]), c.signed_year, c.kind)
        for c in found.values()
    ]


def _year_of(edtf: str | None) -> int | None:
    if not edtf:
        return None
    try:
        return parse_date_input(edtf).earliest.year
    except DateError:
        return None
