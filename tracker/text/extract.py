"""Suggestions from an article's text: language, parties, stage and step cues, dates and
principles, each with the exact character offsets of its span in the text as given.

Plain Python over the normalised text (tracker.text.normalise), so spelling variants match
alike, and every span maps back to the original characters. The words it looks for are
data: tracker/text/lexicons/*.json, and the party aliases and names of the database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from persiantools.jdatetime import JalaliDate

from tracker.text.dates import DateError, jalali_to_edtf
from tracker.text.normalise import normalise, normalise_with_offsets

LEXICONS = Path(__file__).resolve().parent / "lexicons"
LANGUAGES = ("fa", "ru", "ar", "en")

# A suggested event whose `confidence` is at least this is ticked on the review form; the
# others are shown unticked. docs/extraction.md says how the value was chosen.
PRETICK_CONFIDENCE = 0.8


@cache
def lexicon(name: str) -> dict[str, Any]:
    return json.loads((LEXICONS / f"{name}.json").read_text(encoding="utf-8"))


# Arabic writes "and", "by", "for", "so" joined to the next word (وإيران, والصين, بالقانون):
# an Arabic-script phrase may start after one such letter, which stays out of the span.
_ARABIC_START = r"(?:(?<!\w)|(?<=(?<!\w)[وفبل]))"


def _pattern(phrase: str) -> str:
    """A lexicon phrase as a regex on normalised text: words at boundaries, `*` a prefix."""
    words = normalise(phrase).split()
    parts = []
    for word in words:
        if word.endswith("*"):
            parts.append(re.escape(word[:-1]) + r"\w*")
        else:
            parts.append(re.escape(word))
    start = _ARABIC_START if re.match(r"[\u0600-\u06FF]", words[0]) else r"(?<!\w)"
    return start + r"\s+".join(parts) + r"(?!\w)"


def _compile(phrases: Iterable[str]) -> re.Pattern[str] | None:
    unique = sorted({p for p in phrases if normalise(p).strip()}, key=len, reverse=True)
    if not unique:
        return None
    return re.compile("|".join(f"(?:{_pattern(p)})" for p in unique))


@dataclass(frozen=True)
class Span:
    start: int  # in the normalised text
    end: int
    value: Any = None


@dataclass
class Text:
    """The text as given, its normalised form, and the way back from one to the other."""

    original: str
    folded: str = ""
    origin: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.folded, self.origin = normalise_with_offsets(self.original)

    def at(self, span: Span) -> tuple[int, int, str]:
        """Offsets in the original text (and its slice) of a span of the folded text."""
        start = self.origin[span.start]
        end = self.origin[span.end - 1] + 1
        return start, end, self.original[start:end]


def detect_language(text: str) -> str | None:
    """fa, ar, ru or en by script, and Persian against Arabic by letters and common words."""
    cyrillic = len(re.findall(r"[\u0400-\u04FF]", text))
    arabic_script = len(re.findall(r"[\u0600-\u06FF]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    if not (cyrillic or arabic_script or latin):
        return None
    best = max(("ru", cyrillic), ("arabic", arabic_script), ("en", latin), key=lambda x: x[1])[0]
    if best != "arabic":
        return best
    persian = len(re.findall(r"[پچژگکی]", text)) + 3 * len(
        re.findall(r"(?<!\w)(?:است|این|که|را|می|های|برای)(?!\w)", text)
    )
    arabic = len(re.findall(r"[ةيك]", text)) + 3 * len(
        re.findall(r"(?<!\w)(?:في|من|على|التي|الذي|إلى|أن)(?!\w)", text)
    )
    return "fa" if persian >= arabic else "ar"


def _find(pattern: re.Pattern[str] | None, folded: str) -> list[Span]:
    if pattern is None:
        return []
    return [Span(m.start(), m.end(), m.group(0)) for m in pattern.finditer(folded)]


def _sentences(folded: str) -> list[tuple[int, int]]:
    bounds = []
    start = 0
    for match in re.finditer(r"[.!?;؛\n]+(?:\s|$)", folded):
        bounds.append((start, match.end()))
        start = match.end()
    if start < len(folded):
        bounds.append((start, len(folded)))
    return bounds


# ---------------------------------------------------------------- parties


@dataclass(frozen=True)
class PartyMatcher:
    pattern: re.Pattern[str] | None
    codes: dict[str, str]  # normalised alias -> party code

    @classmethod
    def build(cls, aliases: Iterable[tuple[str, str]]) -> PartyMatcher:
        """From (party code, alias or name) pairs; an alias shared by two parties is dropped."""
        codes: dict[str, str] = {}
        clashes: set[str] = set()
        for code, alias in aliases:
            key = normalise(alias)
            if len(key) < 3:
                continue  # two letters are words more often than parties
            if key in codes and codes[key] != code:
                clashes.add(key)
            codes[key] = code
        for key in clashes:
            del codes[key]
        return cls(_compile(codes), codes)

    def find(self, text: Text) -> list[Span]:
        return [
            Span(s.start, s.end, _lookup(self.codes, s.value))
            for s in _find(self.pattern, text.folded)
        ]


# ---------------------------------------------------------------- dates


def _month_table() -> tuple[dict[str, tuple[str, int]], re.Pattern[str]]:
    names: dict[str, tuple[str, int]] = {}
    for calendar, by_language in lexicon("months").items():
        if calendar.startswith("_"):
            continue
        for months in by_language.values():
            for number, spellings in enumerate(months, start=1):
                for spelling in spellings:
                    names[normalise(spelling)] = (calendar, number)
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return names, re.compile(alternation)


_MONTHS, _MONTH = _month_table()
_MONTH_RE = _MONTH.pattern
_DMY = re.compile(
    rf"(?<![\w/])(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})(?!\w)(?:,?\s+(\d{{4}})(?!\d))?"
)
_MDY = re.compile(
    rf"(?<!\w)({_MONTH_RE})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(\d{{4}})(?!\d))?"
)
_MY = re.compile(rf"(?<!\w)({_MONTH_RE})\s+(\d{{4}})(?!\d)")
_ISO = re.compile(r"(?<![\d/])(\d{4})-(\d{2})-(\d{2})(?![\d/])")
_SLASH = re.compile(r"(?<![\d/])(\d{4})/(\d{1,2})/(\d{1,2})(?![\d/])")


def _day(calendar: str, year: int, month: int, day: int) -> date | None:
    try:
        if calendar == "jalali":
            return JalaliDate(year, month, day).to_gregorian()
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _resolve_year(calendar: str, month: int, day: int, published: date) -> date | None:
    """A year-less date: the year that puts it closest to the publication day."""
    base = JalaliDate.to_jalali(published).year if calendar == "jalali" else published.year
    candidates = [_day(calendar, y, month, day) for y in (base - 1, base, base + 1)]
    found = [c for c in candidates if c is not None]
    return min(found, key=lambda c: abs((c - published).days)) if found else None


def find_dates(text: Text, published: date | None) -> list[Span]:
    """Dates written out, numerically or with month names, in either calendar."""
    found: list[Span] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, value: str) -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append(Span(start, end, value))

    folded = text.folded
    for m in _ISO.finditer(folded):
        if d := _day("gregorian", int(m[1]), int(m[2]), int(m[3])):
            add(m.start(), m.end(), d.isoformat())
    for m in _SLASH.finditer(folded):
        year = int(m[1])
        calendar = "jalali" if 1200 <= year < 1500 else "gregorian"
        if d := _day(calendar, year, int(m[2]), int(m[3])):
            add(m.start(), m.end(), d.isoformat())
    for regex, day_group, month_group in ((_DMY, 1, 2), (_MDY, 2, 1)):
        for m in regex.finditer(folded):
            calendar, month = _MONTHS[m[month_group]]
            day = int(m[day_group])
            if m[3]:
                resolved = _day(calendar, int(m[3]), month, day)
            elif published is not None:
                resolved = _resolve_year(calendar, month, day, published)
            else:
                resolved = None
            if resolved:
                add(m.start(), m.end(), resolved.isoformat())
    for m in _MY.finditer(folded):
        calendar, month = _MONTHS[m[1]]
        year = int(m[2])
        if calendar == "jalali":
            try:
                value = jalali_to_edtf(f"{year}/{month}")
            except DateError:
                value = None
        else:
            value = f"{year:04d}-{month:02d}"
        if value:
            add(m.start(), m.end(), value)
    if published is not None:
        today = _compile(sum(lexicon("stages")["today"].values(), []))
        for span in _find(today, folded):
            add(span.start, span.end, published.isoformat())
    found.sort(key=lambda s: s.start)
    return found


# ---------------------------------------------------------------- stages and principles


@dataclass(frozen=True)
class _Cue:
    stage: str
    step: str | None


@lru_cache(maxsize=1)
def _stage_tables() -> tuple[Any, ...]:
    data = lexicon("stages")
    cue_of: dict[str, _Cue] = {}
    for cue in data["cues"]:
        for phrases in cue["patterns"].values():
            for phrase in phrases:
                cue_of[normalise(phrase)] = _Cue(cue["stage"], cue["step"])
    body_of: dict[str, dict[str, Any]] = {}
    for body in data["bodies"]:
        for phrases in body["patterns"].values():
            for phrase in phrases:
                body_of[normalise(phrase)] = body
    return (
        cue_of,
        _compile(cue_of),
        body_of,
        _compile(body_of),
        _compile(sum(data["approval"].values(), [])),
        _compile(sum(data["expected"].values(), [])),
        _compile(sum(data["law"].values(), [])),
    )


def _lookup(table: dict[str, Any], matched: str) -> Any:
    """The lexicon entry whose pattern produced `matched` (prefix patterns included)."""
    if matched in table:
        return table[matched]
    words = matched.split()
    for key, value in sorted(table.items(), key=lambda kv: -len(kv[0])):
        parts = key.split()
        if len(parts) != len(words):
            continue
        if all(
            w.startswith(p[:-1]) if p.endswith("*") else w == p
            for p, w in zip(parts, words, strict=True)
        ):
            return value
    return None


@lru_cache(maxsize=1)
def _principle_table() -> tuple[dict[str, str], re.Pattern[str] | None]:
    code_of = {
        normalise(phrase): code
        for code, by_language in lexicon("principles")["principles"].items()
        for phrases in by_language.values()
        for phrase in phrases
    }
    return code_of, _compile(code_of)


def find_principles(text: Text) -> list[Span]:
    code_of, pattern = _principle_table()
    return [Span(s.start, s.end, _lookup(code_of, s.value)) for s in _find(pattern, text.folded)]


# ---------------------------------------------------------------- everything


def _nearest(spans: list[Span], anchor: Span) -> Span | None:
    if not spans:
        return None
    return min(spans, key=lambda s: (abs(s.start - anchor.start), s.start))


def _inside(spans: list[Span], bounds: tuple[int, int]) -> list[Span]:
    return [s for s in spans if bounds[0] <= s.start < bounds[1]]


# Stages a source may foretell ("will sign soon"); announcing and preparing are reported
# as they happen.
_FORETOLD = {
    "signing",
    "ratification",
    "entry_into_force",
    "suspension",
    "withdrawal",
    "termination",
}
# How far before a cue (in characters) a marker of the future still governs it.
_FORETELL_REACH = 80


def _foretold(cue: _Cue, span: Span, markers: list[Span]) -> bool:
    """A future marker ("will", «به زودی», «планируется», «سيتم») shortly before the cue,
    or the cue itself is a future form (подпишут, سيوقع)."""
    if cue.stage not in _FORETOLD:
        return False
    return any(
        span.start - _FORETELL_REACH <= m.start <= span.start
        or (m.start, m.end) == (span.start, span.end)
        for m in markers
    )


def extract(
    original: str,
    parties: PartyMatcher,
    *,
    language: str | None = None,
    published: date | None = None,
) -> dict[str, Any]:
    """Suggestions with offsets into `original` (see SPEC §4, extract out)."""
    text = Text(original)
    cue_of, cues_re, body_of, bodies_re, approval_re, expected_re, law_re = _stage_tables()
    principle_spans = [p for p in find_principles(text) if p.value]
    # A name inside a principle ("the UN Charter") is not a party of the agreement.
    party_spans = [
        p
        for p in parties.find(text)
        if p.value and not any(p.start < q.end and q.start < p.end for q in principle_spans)
    ]
    date_spans = find_dates(text, published)
    body_spans = [
        Span(s.start, s.end, _lookup(body_of, s.value)) for s in _find(bodies_re, text.folded)
    ]
    cue_spans = [
        Span(s.start, s.end, _lookup(cue_of, s.value)) for s in _find(cues_re, text.folded)
    ]
    approvals = _find(approval_re, text.folded)
    expected = _find(expected_re, text.folded)
    laws = _find(law_re, text.folded)
    # A chamber or council of one state names that state as a party, too.
    party_spans += [
        Span(b.start, b.end, b.value["party"])
        for b in body_spans
        if b.value
        and b.value["party"]
        and not any(p.start < b.end and b.start < p.end for p in party_spans)
    ]
    party_spans.sort(key=lambda s: s.start)

    events = []
    seen: set[tuple[Any, ...]] = set()
    for bounds in _sentences(text.folded):
        in_sentence = {
            "parties": _inside(party_spans, bounds),
            "dates": _inside(date_spans, bounds),
            "bodies": _inside(body_spans, bounds),
            "cues": [c for c in _inside(cue_spans, bounds) if c.value is not None],
        }
        markers = _inside(expected, bounds)
        triggers: list[tuple[Span, _Cue]] = [(c, c.value) for c in in_sentence["cues"]]
        if _inside(laws, bounds) and any(c.stage == "ratification" for _, c in triggers):
            # "signed the law on ratification": the head of state's step, not a signing.
            triggers = [
                (span, _Cue("ratification", "head_of_state") if cue.stage == "signing" else cue)
                for span, cue in triggers
            ]
        if not triggers and in_sentence["bodies"] and _inside(approvals, bounds):
            anchor = _inside(approvals, bounds)[0]
            triggers = [(anchor, _Cue("ratification", None))]
        if any(c.stage == "ratification" and c.step for _, c in triggers):
            # A named step says more than "ratification" in the same sentence.
            triggers = [
                (s, c) for s, c in triggers if not (c.stage == "ratification" and not c.step)
            ]
        for span, cue in triggers:
            step, body, party = cue.step, None, None
            if cue.stage == "ratification":
                near_body = _nearest(in_sentence["bodies"], span)
                if near_body is not None:
                    body = near_body.value["name"]
                    step = step or near_body.value["step"]
                    party = near_body.value["party"]
                if party is None and (near := _nearest(in_sentence["parties"], span)):
                    party = near.value
            elif cue.stage in ("suspension", "withdrawal") and (
                near := _nearest(in_sentence["parties"], span)
            ):
                party = near.value
            status = "expected" if _foretold(cue, span, markers) else "reported"
            when = _nearest(in_sentence["dates"], span)
            key = (cue.stage, step, party, when.value if when else None)
            if key in seen:
                continue
            seen.add(key)
            start, end, quoted = text.at(span)
            events.append(
                {
                    "stage": cue.stage,
                    "step": step,
                    "party": party,
                    "body": body,
                    "status": status,
                    "date": when.value if when else None,
                    "text": quoted,
                    "start": start,
                    "end": end,
                }
            )

    def spans_out(spans: list[Span], key: str) -> list[dict[str, Any]]:
        out = []
        for span in spans:
            start, end, quoted = text.at(span)
            out.append({key: span.value, "text": quoted, "start": start, "end": end})
        return out

    return {
        "language": language or detect_language(original),
        "parties": spans_out(party_spans, "code"),
        "events": events,
        "dates": spans_out(date_spans, "date"),
        "principles": spans_out(principle_spans, "code"),
    }
