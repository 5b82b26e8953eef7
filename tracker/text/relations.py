"""Phrases that state how the agreement reported stands to another one ("replaces the 2001
treaty", «جایگزین معاهده ۲۰۰۱», «заменит договор 2001 года», «يحل محل معاهدة عام 2001»), and
the reservations, declarations, understandings and objections a party makes to it.

The same machinery as the extractor (tracker.text.extract): lexicon phrases, as data in
tracker/text/lexicons/relations.json, found on the normalised text in one pass each, every
span mapped back to the characters of the text as given; parties by the extractor's own
PartyMatcher. Each finding is looked at within its sentence only, through windows of a fixed
size, so the whole text is read in linear time.

One module for both kinds of finding, longer than most: relations and declarations are read
from the same line reading (its parties, sentences and windows) with the same tables, and the
way a line is chosen for reading serves both. Which agreement a relation names is ranked by
tracker.text.candidates.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tracker.models.vocab import DeclarationKind, MadeAt, RelationType
from tracker.text.candidates import TITLE_STOPS
from tracker.text.extract import (
    _CLITICS,
    PartyMatcher,
    Span,
    Text,
    _compile,
    _find,
    _lookup,
    _Phrases,
    _sentences,
    lexicon,
)
from tracker.text.normalise import normalise

__all__ = ["find_declarations", "find_relations", "read"]

# How far, in characters of the normalised text, each part of a relation may be from its cue.
_TARGET_GAP = 40  # cue … the other agreement's kind word ("replaces the bilateral 2001 treaty")
_TAIL_WORDS = 8  # words of a description after its kind word
_TAIL_CHARACTERS = 90
_LEAD_WORDS = 3  # "the 2001" before "treaty"
_MARKER_BEFORE = 30  # "will", «قرار است», «не» … the cue
_MARKER_AFTER = 60  # «… خواهد شد», «… نمی‌شود»
_PARENTHESIS = 40  # "(signed 2001-03-12)" after a description: its year

# … and of each part of a declaration.
_DECLARATION_REACH = 60  # a made_at phrase, an article number, a party
_OBJECTION_REACH = 60  # "objected to" … "the reservation made by"
_DOUBT_REACH = 40  # "expressed" … "reservations"

# Confidence: a researcher confirms each suggestion; these order them.
_RELATION_BASE = 0.8
_NO_AGENT = 0.1  # no agreement named before a verb that takes one
_VAGUE = 0.1  # "the treaty": no year and one word
_CONDITION = 0.2  # "if the new treaty replaces …"
_WITH_YEAR = 0.05
_DECLARATION_BASE = 0.7
_SURE = 0.85
_ARTICLE = 0.1
_MADE_AT = 0.05
_PARTY = 0.05

_YEAR = re.compile(r"(?<!\d)(1[3-4]\d\d|19\d\d|20\d\d)(?!\d)")
_STOP_PUNCTUATION = re.compile(r"[,.;:!?«»\"“”()\[\]\n]")
_WORD = re.compile(r"\w+(?:-\w+)*")
_ARTICLE_NUMBER = r"\s*\.?\s*\d+"
_OBJECT = re.compile(r"(?<!\w)را(?!\w)")  # Persian: the object is before its verb


# ---------------------------------------------------------------- tables


@dataclass(frozen=True)
class _RelationCue:
    type: str | None
    target: str = "after"
    agent: bool = False
    future: bool = False
    itself: bool = False  # names the agreement reported: "protocol to", "successor to"


@dataclass(frozen=True)
class _Tables:
    relation_of: dict[str, _RelationCue]
    relations: _Phrases | None
    kind_of: dict[str, str]
    kinds: _Phrases | None
    lead: frozenset[str]
    stops: frozenset[str]
    future_before: _Phrases | None
    future_after: _Phrases | None
    negation_before: _Phrases | None
    negation_after: _Phrases | None
    condition: _Phrases | None
    declaration_of: dict[str, tuple[str | None, bool, bool]]  # kind, sure, hard
    declarations: _Phrases | None
    objections: _Phrases | None
    treaty_words: _Phrases | None
    article: re.Pattern[str]
    made_at_of: dict[str, str]
    made_at: _Phrases | None
    doubt: _Phrases | None


def _all(by_language: Mapping[str, list[str]]) -> list[str]:
    return [phrase for phrases in by_language.values() for phrase in phrases]


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    data = lexicon("relations")
    relation_of: dict[str, _RelationCue] = {}
    for entry in data["relations"]:
        cue = _RelationCue(
            entry["type"],
            entry.get("target", "after"),
            entry.get("agent", False),
            entry.get("future", False),
            entry.get("itself", False),
        )
        for phrase in _all(entry["patterns"]):
            relation_of[normalise(phrase)] = cue
    kind_of = {
        normalise(phrase): kind
        for kind, by_language in data["kinds"].items()
        for phrase in _all(by_language)
    }
    declaration_of: dict[str, tuple[str | None, bool, bool]] = {}
    for entry in data["declarations"]:
        value = (entry["kind"], entry.get("sure", False), entry.get("hard", False))
        for phrase in _all(entry["patterns"]):
            declaration_of[normalise(phrase)] = value
    made_at_of = {
        normalise(phrase): made_at
        for made_at, by_language in data["made_at"].items()
        for phrase in _all(by_language)
    }
    words = "|".join(re.escape(normalise(w)).replace(r"\*", r"\w*") for w in _all(data["articles"]))
    return _Tables(
        relation_of=relation_of,
        relations=_compile(relation_of),
        kind_of=kind_of,
        kinds=_compile(kind_of),
        lead=frozenset(normalise(w) for w in _all(data["lead"])),
        stops=frozenset(normalise(w) for w in _all(data["stops"])),
        future_before=_compile(_all(data["future"]["before"])),
        future_after=_compile(_all(data["future"]["after"])),
        negation_before=_compile(_all(data["negation"]["before"])),
        negation_after=_compile(_all(data["negation"]["after"])),
        condition=_compile(_all(data["condition"])),
        declaration_of=declaration_of,
        declarations=_compile(declaration_of),
        objections=_compile(_all(data["objections"])),
        treaty_words=_compile(_all(data["treaty_words"])),
        article=re.compile(rf"(?<!\w)(?:{words}){_ARTICLE_NUMBER}"),
        made_at_of=made_at_of,
        made_at=_compile(made_at_of),
        doubt=_compile(_all(data["doubt"])),
    )


# ---------------------------------------------------------------- a line, read once


@dataclass
class _Reading:
    """A line: its normalised text, its sentences (and where each starts), the kind words
    of agreements and the parties it names."""

    text: Text
    sentences: list[tuple[int, int]]
    starts: list[int]
    kinds: list[Span]
    parties: list[Span]

    def sentence(self, position: int) -> tuple[int, int]:
        return self.sentences[max(0, bisect_right(self.starts, position) - 1)]


def _spans(
    phrases: _Phrases | None, folded: str, table: dict[str, Any] | None = None
) -> list[Span]:
    found = _find(phrases, folded)
    if table is None:
        return found
    return [Span(s.start, s.end, _lookup(table, s.value)) for s in found]


def _within(spans: list[Span], start: int, end: int) -> list[Span]:
    """The spans lying wholly in [start, end), by bisection on a list in order of start."""
    first = bisect_left(spans, start, key=_start)
    out = []
    for span in spans[first:]:
        if span.start >= end:
            break
        if span.end <= end:
            out.append(span)
    return out


def _start(span: Span) -> int:
    return span.start


def _any(phrases: _Phrases | None, folded: str, start: int, end: int) -> bool:
    """Whether a phrase lies wholly in folded[start:end] (a small window)."""
    if phrases is None or end <= start:
        return False
    return bool(phrases.spans(folded[start:end]))


def _reading(original: str, parties: PartyMatcher | None) -> _Reading:
    text = Text(original)
    tables = _tables()
    sentences = _sentences(text.folded) or [(0, len(text.folded))]
    party_spans = [p for p in parties.find(text) if p.value] if parties is not None else []
    return _Reading(
        text,
        sentences,
        [start for start, _ in sentences],
        _spans(tables.kinds, text.folded, tables.kind_of),
        party_spans,
    )


# ---------------------------------------------------------------- relations


def _words(folded: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded, start, end)]


def _clean_gap(folded: str, start: int, end: int, stops: frozenset[str]) -> bool:
    """Whether the words between a cue and a kind word belong to one description."""
    if _STOP_PUNCTUATION.search(folded, start, end):
        return False
    return not any(word in stops for _, _, word in _words(folded, start, end))


def _tail(folded: str, start: int, limit: int, stops: frozenset[str]) -> int:
    """Where a description goes on to after its kind word: over its words ("on the
    foundations of relations", «۲۰۰۱», «2001 года») up to a stop word or punctuation."""
    end = start
    count = 0
    for word_start, word_end, word in _words(folded, start, min(limit, start + _TAIL_CHARACTERS)):
        if word in stops or count >= _TAIL_WORDS:
            break
        if _STOP_PUNCTUATION.search(folded, end, word_start):
            break
        end = word_end
        count += 1
    # not a dangling "on", «об», «از» before the stop ("the 2001 treaty on Friday")
    words = _words(folded, start, end)
    while words and words[-1][2] in TITLE_STOPS:
        words.pop()
    return words[-1][1] if words else start


def _lead(folded: str, start: int, floor: int, tables: _Tables) -> int:
    """Where a description starts before its kind word: back over a year or a word of `lead`
    ("the 2001 treaty", «прежний договор»)."""
    words = _words(folded, max(floor, start - 40), start)
    for word_start, word_end, word in reversed(words[-_LEAD_WORDS:]):
        if _STOP_PUNCTUATION.search(folded, word_end, start):
            break
        if not (_YEAR.fullmatch(word) or word in tables.lead or _lookup_lead(word, tables)):
            break
        start = word_start
    return start


def _lookup_lead(word: str, tables: _Tables) -> bool:
    return any(lead.endswith("*") and word.startswith(lead[:-1]) for lead in tables.lead)


def _year(folded: str, start: int, end: int, limit: int) -> int | None:
    """The year a description names; a Solar Hijri one (۱۳۸۰) as its Gregorian year."""
    found = _YEAR.search(folded, start, end)
    if found is None and (folded.startswith(" (", end) or folded.startswith("(", end)):
        found = _YEAR.search(folded, end, min(limit, end + _PARENTHESIS))
    if found is None:
        return None
    year = int(found.group())
    return year + 621 if year < 1500 else year


@dataclass(frozen=True)
class _Target:
    start: int
    end: int
    kind: str | None


def _target_after(reading: _Reading, cue: Span, bounds: tuple[int, int]) -> _Target | None:
    tables = _tables()
    folded = reading.text.folded
    for kind in _within(reading.kinds, cue.end, min(bounds[1], cue.end + _TARGET_GAP + 30)):
        if kind.start - cue.end > _TARGET_GAP:
            return None
        if not _clean_gap(folded, cue.end, kind.start, tables.stops):
            return None
        end = max(kind.end, _tail(folded, kind.end, bounds[1], tables.stops))
        gap = folded[cue.end : kind.start]
        return _Target(cue.end + len(gap) - len(gap.lstrip()), end, kind.value)
    return None


def _target_before(reading: _Reading, cue: Span, bounds: tuple[int, int]) -> _Target | None:
    tables = _tables()
    folded = reading.text.folded
    kinds = _within(reading.kinds, max(bounds[0], cue.start - _TARGET_GAP - 40), cue.start)
    if not kinds:
        return None
    kind = kinds[-1]
    if cue.start - kind.end > _TARGET_GAP:
        return None
    end = max(kind.end, _tail(folded, kind.end, cue.start, tables.stops))
    if (
        not _clean_gap(folded, end, cue.start, tables.stops | {"را"})
        and folded[end : cue.start].strip() not in tables.stops
    ):
        return None
    start = _lead(folded, kind.start, bounds[0], tables)
    return _Target(start, end, kind.value)


def _agent(reading: _Reading, before: int, bounds: tuple[int, int]) -> bool:
    """An agreement named before `before` in its sentence, with no state named after it: the
    subject of the cue's verb ("the protocol extends …", not "Russia extended …")."""
    kinds = _within(reading.kinds, bounds[0], before)
    if not kinds:
        return False
    last = kinds[-1].end
    return not _within(reading.parties, last, before)


def find_relations(original: str, parties: PartyMatcher | None = None) -> list[dict[str, Any]]:
    """Phrases stating a relation of the agreement reported to another one (see the module
    docstring and docs/extraction.md for the shape of each)."""
    return read(original, parties)["relations"]


def _relations(reading: _Reading) -> list[dict[str, Any]]:
    tables = _tables()
    text, folded = reading.text, reading.text.folded
    out: list[dict[str, Any]] = []
    for cue in _spans(tables.relations, folded, tables.relation_of):
        kind: _RelationCue | None = cue.value
        if kind is None or kind.type is None:
            continue
        bounds = reading.sentence(cue.start)
        before_cue = kind.target == "before"
        if before_cue:
            target = _target_before(reading, cue, bounds)
        else:
            target = _target_after(reading, cue, bounds)
        if target is None and not before_cue:
            # «قرارداد ۲۰۱۵ را به مدت پنج سال تمدید می‌کند»: the object marked by «را»
            # before the verb
            marker = _OBJECT.search(folded, max(bounds[0], cue.start - _TARGET_GAP), cue.start)
            if marker is not None and not _STOP_PUNCTUATION.search(folded, marker.end(), cue.start):
                target = _target_before(reading, Span(marker.start(), marker.end()), bounds)
                before_cue = target is not None
        if target is None:
            continue
        subject_end = target.start if before_cue else cue.start
        has_agent = _agent(reading, subject_end, bounds)
        if kind.agent and not has_agent:
            continue
        clause_end = _clause_end(folded, max(cue.end, target.end), bounds[1])
        before = max(bounds[0], cue.start - _MARKER_BEFORE)
        if _any(tables.negation_before, folded, before, cue.start) or _any(
            tables.negation_after, folded, cue.end, clause_end
        ):
            continue  # "will not replace", «جایگزین … نمی‌شود»
        expected = (
            kind.future
            or _any(tables.future_before, folded, before, cue.start)
            or _any(tables.future_after, folded, cue.end, clause_end)
        )
        words = folded[target.start : target.end].strip()
        year = _year(folded, target.start, target.end, bounds[1])
        confidence = _RELATION_BASE
        if not (kind.agent or kind.itself or has_agent):
            confidence -= _NO_AGENT
        if year is None and len(_WORD.findall(words)) <= 2:
            confidence -= _VAGUE
        if year is not None:
            confidence += _WITH_YEAR
        if _any(tables.condition, folded, bounds[0], cue.start):
            confidence -= _CONDITION
        start, end, quote = text.at(Span(min(cue.start, target.start), max(cue.end, target.end)))
        out.append(
            {
                "type": RelationType(kind.type).value,
                "quote": quote,
                "start": start,
                "end": end,
                "status": "expected" if expected else "reported",
                "target_hint": {"words": words, "year": year, "kind": target.kind},
                "confidence": round(confidence, 2),
            }
        )
    return out


def _clause_end(folded: str, start: int, limit: int) -> int:
    stop = _STOP_PUNCTUATION.search(folded, start, limit)
    end = stop.start() if stop else limit
    return min(end, start + _MARKER_AFTER)


# ---------------------------------------------------------------- declarations


def find_declarations(original: str, parties: PartyMatcher | None = None) -> list[dict[str, Any]]:
    """Reservations, declarations, understandings and objections a party makes (see
    docs/extraction.md for the shape of each)."""
    return read(original, parties)["declarations"]


def _treaty_sense(reading: _Reading, cue: Span, bounds: tuple[int, int]) -> bool:
    """A sign in the sentence that a reservation is one to a treaty, not a doubt."""
    tables = _tables()
    if _within(reading.kinds, bounds[0], bounds[1]):
        return True
    return _any(tables.treaty_words, reading.text.folded, bounds[0], bounds[1])


def _article_after(folded: str, cue: Span, bounds: tuple[int, int]) -> bool:
    """ "reservation to article 5", «оговорку к статье 5», «تحفظ على المادة 5»"""
    return bool(_tables().article.search(folded, cue.end, min(bounds[1], cue.end + 30)))


def _made_at(reading: _Reading, cue: Span, bounds: tuple[int, int]) -> str | None:
    tables = _tables()
    folded = reading.text.folded
    start = max(bounds[0], cue.start - _DECLARATION_REACH)
    end = min(bounds[1], cue.end + _DECLARATION_REACH)
    found = [
        Span(start + s.start, start + s.end, _lookup(tables.made_at_of, s.value))
        for s in _find(tables.made_at, folded[start:end])
    ]
    found = [s for s in found if s.value]
    if not found:
        return None
    nearest = min(found, key=lambda s: max(0, cue.start - s.end, s.start - cue.end))
    return MadeAt(nearest.value).value


def _party_of(reading: _Reading, cue: Span, bounds: tuple[int, int]) -> str | None:
    """The state named nearest before the cue in its sentence, else the nearest after."""
    start = max(bounds[0], cue.start - 2 * _DECLARATION_REACH)
    before = _within(reading.parties, start, cue.start)
    if before:
        return str(before[-1].value)
    after = _within(reading.parties, cue.end, min(bounds[1], cue.end + _DECLARATION_REACH))
    return str(after[0].value) if after else None


def _declarations(reading: _Reading) -> list[dict[str, Any]]:
    tables = _tables()
    text, folded = reading.text, reading.text.folded
    cues = _spans(tables.declarations, folded, tables.declaration_of)
    objections = _find(tables.objections, folded)
    out: list[dict[str, Any]] = []
    answered: set[int] = set()  # the cues an objection took
    for word in objections:
        bounds = reading.sentence(word.start)
        reach = min(bounds[1], word.end + _OBJECTION_REACH)
        answer = next(
            (
                c
                for c in _within(cues, word.end, reach)
                if c.value and c.value[0] is not None and c.value[0] != "objection"
            ),
            None,
        )
        first = word
        if answer is None:
            # «آلمان به حق شرط ترکیه اعتراض کرد»: «به» the reservation … the objection
            back = max(bounds[0], word.start - _OBJECTION_REACH)
            answer = next(
                (
                    c
                    for c in reversed(_within(cues, back, word.start))
                    if c.value
                    and c.value[0] not in (None, "objection")
                    and folded.endswith("به ", 0, c.start)
                ),
                None,
            )
            if answer is None:
                continue
            first = Span(answer.start - 3, answer.start)
        answered.add(answer.start)
        span = Span(min(word.start, answer.start), max(word.end, answer.end))
        party = _party_of(reading, Span(first.start, first.start), bounds)
        between = _within(
            reading.parties, first.end, min(bounds[1], answer.end + _DECLARATION_REACH)
        )
        objects_to = next((str(p.value) for p in between if p.value != party), None)
        if party is None and between and objects_to != between[0].value:
            party = str(between[0].value)
        start, end, quote = text.at(span)
        confidence = _SURE + (_PARTY if party else 0)
        out.append(
            {
                "kind": DeclarationKind.OBJECTION.value,
                "party": party,
                "objects_to_party": objects_to,
                "made_at": None,
                "quote": quote,
                "start": start,
                "end": end,
                "confidence": round(min(confidence, 0.95), 2),
            }
        )
    for cue in cues:
        if cue.value is None or cue.start in answered:
            continue
        kind, sure, hard = cue.value
        bounds = reading.sentence(cue.start)
        article = _article_after(folded, cue, bounds)
        if kind is None:
            continue  # "reservations about the deal", «без оговорок»
        if not (sure or article or _treaty_sense(reading, cue, bounds)):
            continue
        if not (sure or article) and _any(
            tables.doubt, folded, max(bounds[0], cue.start - _DOUBT_REACH), cue.start
        ):
            continue  # "the senators expressed reservations", «أبدت المعارضة تحفظات»
        made_at = _made_at(reading, cue, bounds)
        party = _party_of(reading, cue, bounds)
        confidence = _SURE if sure else _DECLARATION_BASE
        confidence += (_ARTICLE if article else 0) + (_MADE_AT if made_at else 0)
        confidence += _PARTY if party else 0
        start, end, quote = text.at(cue)
        out.append(
            {
                "kind": DeclarationKind(kind).value,
                "party": party,
                "objects_to_party": None,
                "made_at": made_at,
                "quote": quote,
                "start": start,
                "end": end,
                "confidence": round(min(confidence, 0.95), 2),
            }
        )
    out.sort(key=lambda d: d["start"])
    return out


def read(original: str, parties: PartyMatcher | None = None) -> dict[str, Any]:
    """Both lists, {"relations": [...], "declarations": [...]}, offsets into `original`.

    A phrase is looked for within a line (a sentence never runs on past one), and only a
    line where a cue is found is read further: the text is normalised line by line (in C,
    by str.translate), the cues found in all of it at once, and only their lines are
    normalised again with the way back to their characters, and searched for parties."""
    relations: list[dict[str, Any]] = []
    declarations: list[dict[str, Any]] = []
    for offset, line in _lines_with_cues(original):
        reading = _reading(line, parties)
        for found, out in (
            (_relations(reading), relations),
            (_declarations(reading), declarations),
        ):
            for item in found:
                item["start"] += offset
                item["end"] += offset
                out.append(item)
    return {"relations": relations, "declarations": declarations}


class _KeyWords:
    """The longest word of each phrase (a `*` word as its stem): a line holds none of the
    phrases unless it holds one of these, which a set lookup per word tells."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.exact: set[str] = set()
        self.stems: dict[int, set[str]] = {}
        for phrase in phrases:
            word = max(
                normalise(phrase).split(),
                key=lambda w: (w not in _COMMON, len(w.rstrip("*"))),
            )
            if word.endswith("*"):
                self.stems.setdefault(len(word) - 1, set()).add(word[:-1])
            else:
                self.exact.add(word)
        self.seen: dict[str, bool] = {}

    def _key(self, word: str) -> bool:
        if word in self.exact:
            return True
        return any(word[:length] in stems for length, stems in self.stems.items())

    def any_in(self, folded: str) -> bool:
        seen = self.seen
        for word in set(_WORD.findall(folded)):
            found = seen.get(word)
            if found is None:
                # a word's key may follow an Arabic clitic (وتحفظات) or end in a suffix
                found = self._key(word) or (word[0] in _CLITICS and self._key(word[1:]))
                if len(seen) >= 50_000:
                    seen.clear()  # a bound on memory: the words of a few long texts
                seen[word] = found
            if found:
                return True
        return False


# Words of cue phrases too common to tell a line that may hold one: "declaration upon
# ratification" is looked for where "declaration" is.
_COMMON = frozenset(["ratification", "effect", "signature", "signing", "article", "place"])


@lru_cache(maxsize=1)
def _key_words() -> _KeyWords:
    """The key words of every cue; a phrase that only looks like a cue is no key."""
    tables = _tables()
    return _KeyWords(
        [phrase for phrase, cue in tables.relation_of.items() if cue.type is not None]
        + [phrase for phrase, (kind, _, _) in tables.declaration_of.items() if kind is not None]
    )


def _lines_with_cues(original: str) -> list[tuple[int, str]]:
    """The lines of `original` that may hold a relation or declaration cue, with their
    offsets."""
    keys = _key_words()
    out = []
    offset = 0
    for line in original.split("\n"):
        if keys.any_in(normalise(line)):
            out.append((offset, line))
        offset += len(line) + 1
    return out
