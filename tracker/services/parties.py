"""Parties: state names from pycountry's ISO 3166 translations, organisations and aliases."""

from __future__ import annotations

import gettext
from collections.abc import Iterable, Sequence
from functools import lru_cache

import pycountry
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import Party
from tracker.services.errors import FieldErrors
from tracker.text.normalise import normalise

LANGUAGES = ("en", "fa", "ru", "ar")


@lru_cache(maxsize=8)
def _translations(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def state_names(alpha_3: str) -> dict[str, str]:
    """The state's name in en/fa/ru/ar from pycountry, preferring the common short form."""
    country = pycountry.countries.get(alpha_3=alpha_3)
    if country is None:
        raise LookupError(f"{alpha_3} is not an ISO 3166-1 alpha-3 code")
    forms = [
        form
        for form in (
            getattr(country, "common_name", None),
            country.name,
            getattr(country, "official_name", None),
        )
        if form
    ]
    names = {"en": forms[0]}
    for language in LANGUAGES[1:]:
        translate = _translations(language).gettext
        # Take the first form that pycountry actually translates into this language.
        names[language] = next(
            (translate(form) for form in forms if translate(form) != form), forms[0]
        )
    return names


def all_states() -> Iterable[tuple[str, dict[str, str]]]:
    for country in pycountry.countries:
        yield country.alpha_3, state_names(country.alpha_3)


def check_codes(
    session: Session, codes: Sequence[str], field: str, errors: FieldErrors
) -> list[str]:
    """Upper-cased, de-duplicated codes in order; unknown ones are reported on `field`."""
    cleaned: list[str] = []
    for raw in codes:
        if not isinstance(raw, str) or not raw.strip():
            errors.add(field, "a party code must be a non-empty string")
            continue
        code = raw.strip().upper()
        if code not in cleaned:
            cleaned.append(code)
    if cleaned:
        known = set(session.scalars(select(Party.code).where(Party.code.in_(cleaned))))
        for code in cleaned:
            if code not in known:
                errors.add(field, f"unknown party code {code!r}")
    return cleaned


def list_parties(
    session: Session,
    *,
    kind: str | None = None,
    q: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[Party], int]:
    """Parties by code; `q` matches a code or a name in any of the stored languages."""
    query = select(Party)
    if kind:
        query = query.where(Party.kind == kind)
    parties = list(session.scalars(query.order_by(Party.code)))
    if q:
        needle = normalise(q)
        parties = [
            p
            for p in parties
            if needle in normalise(p.code) or any(needle in normalise(n) for n in p.names.values())
        ]
    return parties[offset : offset + limit], len(parties)
