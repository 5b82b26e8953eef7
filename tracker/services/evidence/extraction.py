"""Suggested parties, stages, dates and principles for a text (tracker.text.extract), with
the party names and aliases of the database.

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

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import Party, PartyAlias
from tracker.models.vocab import PartyKind
from tracker.services.errors import FieldErrors
from tracker.text.dates import DateError, parse_date_input
from tracker.text.extract import MAX_CHARACTERS, PartyMatcher, extract

__all__ = ["MAX_CHARACTERS", "cache_info", "party_matcher", "readable_part", "suggest"]

_MATCHERS: dict[int, PartyMatcher] = {}

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
    session: Session, text: str, *, language: str | None = None, published: str | None = None
) -> dict[str, Any]:
    """Suggestions for `text`; a year-less date is read against `published` (EDTF or Jalali).

    Raise InvalidInput (422) for an unreadable `published`, or a text longer than
    MAX_CHARACTERS (see readable_part).
    """
    errors = FieldErrors()
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
        kept = found, len(text)
        with _LOCK:
            _COUNTS["misses"] += 1
            if key not in _KEPT:
                _KEPT[key] = kept
                _COUNTS["characters"] += kept[1]
            while len(_KEPT) > SUGGESTIONS_KEPT or _COUNTS["characters"] > KEPT_CHARACTERS:
                _COUNTS["characters"] -= _KEPT.popitem(last=False)[1][1]
    return copy.deepcopy(kept[0])  # the caller's to change; the kept copy stays as read
