"""Suggested parties, stages, dates and principles for a text (tracker.text.extract), with
the party names and aliases of the database."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import Party, PartyAlias
from tracker.models.vocab import PartyKind
from tracker.services.errors import FieldErrors
from tracker.text.dates import DateError, parse_date_input
from tracker.text.extract import PartyMatcher, extract

_MATCHERS: dict[int, PartyMatcher] = {}


def party_matcher(session: Session) -> PartyMatcher:
    """Aliases and localised names of every party, compiled once per distinct set."""
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
    return _MATCHERS[key]


def suggest(
    session: Session, text: str, *, language: str | None = None, published: str | None = None
) -> dict[str, Any]:
    """Suggestions for `text`; a year-less date is read against `published` (EDTF or Jalali).

    Raise ValidationError (422) for an unreadable `published`.
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
    errors.raise_if_any()
    organisations = session.scalars(
        select(Party.code).where(Party.kind == PartyKind.ORGANISATION.value)
    ).all()
    return extract(
        text,
        party_matcher(session),
        language=language,
        published=day,
        organisations=organisations,
    )
