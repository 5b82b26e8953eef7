"""Parties: state names from pycountry's ISO 3166 translations, organisations and aliases."""

from __future__ import annotations

import difflib
import gettext
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import pycountry
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tracker.models import Party, PartyAlias, PartyMembership
from tracker.models.vocab import PartyKind
from tracker.services.errors import FieldErrors, NotFound
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
    member_of: str | None = None,
    today: date | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[Party], int]:
    """Parties by code; `q` matches part of a code, a name (pycountry's forms too) or an
    alias in any language, in any spelling: "Korea", "DPRK", «ایران», «Россия»; `member_of`
    keeps the members of that organisation on `today` (a membership with no `since` or
    `until` is open at that end)."""
    query = select(Party)
    if kind:
        query = query.where(Party.kind == kind)
    if member_of:
        day = today or date.today()
        query = query.where(
            Party.code.in_(
                select(PartyMembership.member_code).where(
                    PartyMembership.organisation_code == member_of.upper(),
                    or_(PartyMembership.since.is_(None), PartyMembership.since <= day),
                    or_(PartyMembership.until.is_(None), PartyMembership.until >= day),
                )
            )
        )
    if q:
        query = query.where(Party.code.in_(sorted(party_index(session).search(q))))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(query.order_by(Party.code).offset(offset).limit(limit))
    return list(page), total


def get_party(session: Session, code: str) -> Party:
    party = session.get(Party, code.upper())
    if party is None:
        raise NotFound(f"no party {code!r}")
    return party


def members_of(session: Session, codes: Sequence[str]) -> dict[str, list[dict]]:
    """Each organisation's memberships, past ones too, by the day each began (then code):
    `{code, name, since, until}` per membership; one query for all `codes`."""
    members: dict[str, list[dict]] = {code: [] for code in codes}
    rows = session.scalars(
        select(PartyMembership)
        .where(PartyMembership.organisation_code.in_(list(codes)))
        .join(Party, Party.code == PartyMembership.member_code)
        .order_by(
            PartyMembership.organisation_code,
            PartyMembership.since.is_(None),
            PartyMembership.since,
            PartyMembership.member_code,
        )
    )
    for row in rows:
        members[row.organisation_code].append(
            {
                "code": row.member_code,
                "name": row.member.name("en"),
                "since": row.since,
                "until": row.until,
            }
        )
    return members


# ---------------------------------------------------------------- parties typed by name

# A list typed into a form: commas (Latin or Arabic) and semicolons separate parties.
_SEPARATORS = re.compile(r"[,;\u060c\u061b]")
# "Russia (RUS)": how forms show a party; the code in brackets decides.
_LABELLED = re.compile(r"^(?P<name>[^(),]*?)\s*\((?P<code>[A-Za-z]{2,16})\)$")
_QUOTES = "\"'«»“”‘’„ .:"


def _key(text: str) -> str:
    """A typed name as the index keys it: normalised, quotes and stray punctuation off."""
    return normalise(text.replace("’", "'")).strip(_QUOTES)


def label(name: str) -> str:
    """A name without a comma, so lists of names can be split on commas.

    pycountry's reference names put the noun first ("Korea, Democratic People's Republic
    of"); turned round they read as people write them.
    """
    if "," not in name:
        return name
    head, _, tail = name.partition(",")
    return f"{tail.strip()} {head.strip()}".strip()


def _state_forms(alpha_3: str) -> list[tuple[str, str]]:
    """(language, name) for every form pycountry has of the state, in each language."""
    country = pycountry.countries.get(alpha_3=alpha_3)
    if country is None:
        return []
    forms = [
        getattr(country, attribute, None) for attribute in ("common_name", "name", "official_name")
    ]
    out: list[tuple[str, str]] = []
    for form in (f for f in forms if f):
        out.append(("en", form))
        for language in LANGUAGES[1:]:
            translated = _translations(language).gettext(form)
            if translated != form:
                out.append((language, translated))
    return out


@dataclass(frozen=True)
class PartyOption:
    """A party as a form suggests it: "Russian Federation (RUS)" with its other names."""

    code: str
    name: str
    others: str

    @property
    def value(self) -> str:
        return f"{self.name} ({self.code})"


@dataclass
class PartyIndex:
    """Every way the database and pycountry name a party, keyed through the normaliser."""

    codes: dict[str, str]  # upper-case code -> English label
    names: dict[str, set[str]] = field(default_factory=dict)  # key -> codes
    spelled: dict[str, str] = field(default_factory=dict)  # key -> a name as written
    wildcards: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    # A wildcard alias's stem ("росси" of Росси*) -> (code, the party's name in its language)
    stems: dict[str, tuple[str, str]] = field(default_factory=dict)
    options: list[PartyOption] = field(default_factory=list)

    def add(self, code: str, name: str, shown: str | None = None) -> None:
        """Index `name` for `code`; a wildcard alias suggests itself as `shown`."""
        key = _key(name)
        if len(key) < 2:
            return
        if "*" in key:
            pattern = r"\s+".join(re.escape(word).replace(r"\*", r"\w*") for word in key.split(" "))
            self.wildcards.append((re.compile(pattern), code))
            if key.endswith("*") and " " not in key:
                self.stems.setdefault(key[:-1], (code, shown or self.codes.get(code, code)))
            return
        self.names.setdefault(key, set()).add(code)
        self.spelled.setdefault(key, label(name.strip()))

    def lookup(self, text: str) -> set[str]:
        """The codes `text` names exactly (a code, a name, an alias); empty when none."""
        stripped = text.strip()
        labelled = _LABELLED.match(stripped)
        if labelled and labelled["code"].upper() in self.codes:
            return {labelled["code"].upper()}
        if stripped.upper() in self.codes:
            return {stripped.upper()}
        key = _key(stripped)
        if key in self.names:
            return set(self.names[key])
        return {code for pattern, code in self.wildcards if pattern.fullmatch(key)}

    def guesses(self, text: str, limit: int = 3) -> list[tuple[str, str]]:
        """(name as written, code) of the parties `text` most looks like, best first."""
        key = _key(_LABELLED.sub(r"\g<name>", text.strip()))
        if not key:
            return []
        found: list[tuple[str, str]] = []

        def take(shown: str, codes: Iterable[str]) -> None:
            for code in sorted(codes):
                if len(found) < limit and code not in {c for _, c in found}:
                    found.append((shown, code))

        # Close spellings of whole names, and of the stems of wildcard aliases (Росия ~ Росси*);
        # only those about as close as the best, so "Rusia" is not also "USA".
        scored: list[tuple[float, str, str, Iterable[str]]] = []
        for candidate in difflib.get_close_matches(key, self.names, n=limit * 3, cutoff=0.7):
            score = difflib.SequenceMatcher(None, key, candidate).ratio()
            scored.append((score, candidate, self.spelled[candidate], self.names[candidate]))
        for stem, (code, shown) in self.stems.items():
            score = difflib.SequenceMatcher(None, key[: len(stem)], stem).ratio()
            if score >= 0.75 and len(key) >= len(stem):
                scored.append((score, stem, shown, [code]))
        if scored:
            best = max(score for score, *_ in scored)
            for score, _, shown, codes in sorted(scored, key=lambda s: (-s[0], s[1])):
                if score >= best - 0.1:
                    take(shown, codes)
        if len(key) >= 4:  # "Korea": the names it is a word of
            word = re.compile(rf"(?<!\w){re.escape(key)}(?!\w)")
            for candidate in sorted(self.names, key=len):
                if word.search(candidate):
                    take(self.spelled[candidate], self.names[candidate])
        return found

    def search(self, text: str) -> set[str]:
        """Codes whose code, names or aliases contain `text` (normalised), or that it names."""
        key = _key(text)
        if not key:
            return set()
        found = self.lookup(text)
        found |= {code for code in self.codes if key in code.casefold()}
        for name, codes in self.names.items():
            if key in name:
                found |= codes
        return found

    def describe(self, code: str) -> str:
        return f"{self.codes.get(code, code)} ({code})"


_INDEXES: dict[int, PartyIndex] = {}


def party_index(session: Session) -> PartyIndex:
    """Codes, names (stored and pycountry's, in every language) and aliases of the parties
    in the database; built once per distinct set of parties and aliases."""
    parties = session.execute(select(Party.code, Party.kind, Party.names).order_by(Party.code))
    rows = [(code, kind, tuple(sorted((names or {}).items()))) for code, kind, names in parties]
    # English, Persian, Russian, Arabic: the first spelling of a name is the one suggested.
    order = {language: rank for rank, language in enumerate(LANGUAGES)}
    aliases = sorted(
        (order.get(language, len(order)), language, code, alias)
        for code, language, alias in session.execute(
            select(PartyAlias.party_code, PartyAlias.language, PartyAlias.alias)
        )
    )
    key = hash((tuple(rows), tuple(aliases)))
    if key in _INDEXES:
        return _INDEXES[key]
    index = PartyIndex({code: label(dict(names).get("en") or code) for code, _, names in rows})
    names_by_code = {code: dict(names) for code, _, names in rows}
    for _, language, code, alias in aliases:
        index.add(code, alias, shown=names_by_code.get(code, {}).get(language))
    for code, kind, _ in rows:
        for language in LANGUAGES:
            if name := names_by_code[code].get(language):
                index.add(code, name)
        if kind == PartyKind.STATE.value:
            for _, name in _state_forms(code):
                index.add(code, name)
                index.add(code, label(name))
    for code, _, names in rows:
        by_language = dict(names)
        others = " · ".join(
            dict.fromkeys(by_language[lang] for lang in LANGUAGES[1:] if by_language.get(lang))
        )
        index.options.append(PartyOption(code, index.codes[code], others))
    _INDEXES.clear()  # only the newest set is worth keeping
    _INDEXES[key] = index
    return index


def party_options(session: Session) -> list[PartyOption]:
    """Every party as a form's suggestion list offers it, by English name."""
    return sorted(party_index(session).options, key=lambda o: o.name.casefold())


def split_names(text: str) -> list[str]:
    """A typed list of parties, split on commas (Latin or Arabic) and semicolons."""
    return [part.strip() for part in _SEPARATORS.split(text or "") if part.strip()]


def resolve_names(
    session: Session, given: str | Sequence[str], field_name: str, errors: FieldErrors
) -> list[str]:
    """Codes of the parties named in `given` (a typed list or its parts), in order, once each.

    A part may be a code (RUS, eu), a name or alias in any language ("North Korea", «ایران»,
    «Россия») or a label such as "Russia (RUS)". A name that itself holds a comma ("Korea,
    Republic of") is read whole. What names no party, or more than one, is reported on
    `field_name` with the parties it might be; nothing is guessed.
    """
    index = party_index(session)
    parts = split_names(given) if isinstance(given, str) else [str(p) for p in given]
    codes: list[str] = []
    i = 0
    while i < len(parts):
        text = parts[i]
        found: set[str] = set()
        if i + 1 < len(parts):  # "Korea, Republic of" was split by its own comma
            found = index.lookup(f"{text}, {parts[i + 1]}")
        if len(found) == 1:
            i += 1
        else:
            found = index.lookup(text)
        i += 1
        if len(found) == 1:
            code = found.pop()
            if code not in codes:
                codes.append(code)
        elif found:
            choices = " or ".join(index.describe(c) for c in sorted(found))
            errors.add(
                field_name, f"‘{text}’ could be {choices}; type the one you mean, or its code"
            )
        elif guesses := index.guesses(text):
            means = " or ".join(f"{name} ({code})" for name, code in guesses)
            errors.add(field_name, f"‘{text}’ is not a party we know — did you mean {means}?")
        else:
            errors.add(
                field_name,
                f"‘{text}’ is not a party we know; type a name (Russia, ایران, Россия) "
                "or a code (RUS, IRN, EU)",
            )
    return codes


def names_of(session: Session, codes: Iterable[str]) -> str:
    """Parties as the agreement form shows them: "Russian Federation (RUS), Iran (IRN)"."""
    index = party_index(session)
    return ", ".join(index.describe(code) for code in codes)
