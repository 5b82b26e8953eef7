"""Suggestions from an article's text: language, parties, stage and step cues, dates and
principles, each with the exact character offsets of its span in the text as given.

Plain Python over the normalised text (tracker.text.normalise), so spelling variants match
alike, and every span maps back to the original characters. The words it looks for are
data: tracker/text/lexicons/*.json, and the party aliases and names of the database.

One module, far longer than the others, on purpose. Its sections (phrase matching, parties,
dates, stage and principle cues, then the claims) are one pass over one normalised text: the
rules that make a claim read the spans of every other section at once (a date is the signing's
only if no other cue stands nearer; a party acts only if it is not the other side "with" it;
a cue is a forecast by the modality around it), and they are tuned together against the
labelled articles of docs/extraction.md, so a change in one section is measured with all the
others. Split by section, each module would import the others' private tables and the rules
would be read across files. The words are kept out of it, as data.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any

from persiantools.jdatetime import JalaliDate

from tracker.text.dates import DateError, jalali_to_edtf
from tracker.text.normalise import normalise, normalise_with_offsets

LEXICONS = Path(__file__).resolve().parent / "lexicons"
LANGUAGES = ("fa", "ru", "ar", "en")
# The longest text read at once: POST /api/v1/extract refuses a longer one, and the review
# page reads a longer article's first this many characters (docs/extraction.md).
MAX_CHARACTERS = 200_000

# A suggested event whose `confidence` is at least this is ticked on the review form; the
# others are shown unticked. docs/extraction.md says how the value was chosen.
PRETICK_CONFIDENCE = 0.85


@cache
def lexicon(name: str) -> dict[str, Any]:
    return json.loads((LEXICONS / f"{name}.json").read_text(encoding="utf-8"))


# Arabic writes "and", "by", "for", "so" joined to the next word (وإيران, والصين, بالقانون):
# an Arabic-script phrase may start after one such letter, which stays out of the span.
_ARABIC_START = r"(?:(?<!\w)|(?<=(?<!\w)[وفبل]))"


def _pattern(phrase: str) -> str:
    """A lexicon phrase as a regex on normalised text: words at boundaries, `*` a prefix.

    _end_at takes the same steps without the regex: a change here is a change there too
    (tests/text/test_extraction_speed.py compares the two)."""
    words = normalise(phrase).split()
    parts = []
    for word in words:
        if word.endswith("*"):
            parts.append(re.escape(word[:-1]) + r"\w*")
        else:
            parts.append(re.escape(word))
    start = _ARABIC_START if re.match(r"[\u0600-\u06FF]", words[0]) else r"(?<!\w)"
    return start + r"\s+".join(parts) + r"(?!\w)"


_WORD = re.compile(r"\w+")
_CLITICS = "وفبل"


@lru_cache(maxsize=8)
def _word_runs(folded: str) -> dict[str, list[int]]:
    """Each run of word characters of the text, and where it starts: where a phrase may
    begin. A run after an Arabic clitic (وإيران) is there without it, one letter on."""
    runs: dict[str, list[int]] = {}
    for match in _WORD.finditer(folded):
        run, start = match.group(0), match.start()
        runs.setdefault(run, []).append(start)
        if run[0] in _CLITICS and len(run) > 1:
            runs.setdefault(run[1:], []).append(start + 1)
    return runs


_WORD_CHAR = re.compile(r"\w")
_WORD_CHARS = re.compile(r"\w*")
_SPACE = re.compile(r"\s+")


def _phrase_words(phrase: str) -> tuple[tuple[tuple[str, bool], ...], bool]:
    """A phrase as _pattern reads it: its words (each a literal, or the stem of a `*` word),
    and whether it may follow an Arabic clitic."""
    words = normalise(phrase).split()
    parts = tuple((w[:-1], True) if w.endswith("*") else (w, False) for w in words)
    return parts, bool(re.match(r"[\u0600-\u06FF]", words[0]))


def _end_at(folded: str, position: int, phrase: tuple[tuple[tuple[str, bool], ...], bool]) -> int:
    """Where the phrase's pattern (_pattern), matched at `position`, ends; -1 if it does not
    match there. The same steps the regex takes, without compiling one per phrase."""
    words, arabic = phrase
    if position > 0 and _WORD_CHAR.match(folded, position - 1):
        # (?<!\w), or for an Arabic phrase (?<=(?<!\w)[وفبل])
        if not (
            arabic
            and folded[position - 1] in _CLITICS
            and (position == 1 or not _WORD_CHAR.match(folded, position - 2))
        ):
            return -1
    last = len(words) - 1
    for number, (literal, stem) in enumerate(words):
        if not folded.startswith(literal, position):
            return -1
        position += len(literal)
        if stem:
            position = _WORD_CHARS.match(folded, position).end()  # type: ignore[union-attr]
        if number < last:
            space = _SPACE.match(folded, position)
            if space is None:
                return -1
            position = space.end()
        elif _WORD_CHAR.match(folded, position):
            return -1  # (?!\w): a stem has taken every word character already
    return position


class _Phrases:
    """Lexicon phrases found exactly as the regex alternation of their patterns, longest
    phrase first, would find them (the leftmost match, and of the phrases matching there the
    first), but without trying each of thousands of phrases at every position.

    A phrase can only start where a run of word characters starts (or one letter into it,
    after an Arabic clitic), and its first word fixes what that run must be: the run itself
    (a word), a prefix of it (a `*` stem), or the run's first part ("iran's"). So each run of
    the text is looked up once in a table of first words, and only the few phrases found
    there are tried, in their order, by the steps of their patterns (_end_at).
    """

    def __init__(self, phrases: list[str]) -> None:
        self.phrases = phrases  # in the order of the alternation
        self.words = [_phrase_words(p) for p in phrases]
        self.exact: dict[str, list[int]] = {}  # a run -> phrases starting with it
        self.stems: dict[int, dict[str, list[int]]] = {}  # length -> stem -> phrases
        self.regex_only = False  # a phrase starting with no word character: scan with regex
        for index, (words, _) in enumerate(self.words):
            head, stem = words[0]
            run = _WORD.match(head)
            if run is None:
                self.regex_only = True
            elif stem and run.end() == len(head):
                self.stems.setdefault(len(head), {}).setdefault(head, []).append(index)
            else:
                self.exact.setdefault(run.group(0), []).append(index)
        self._tried: dict[str, tuple[int, ...]] = {}

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """The one regex these phrases stand for (slow on long texts: scans every phrase)."""
        return re.compile("|".join(f"(?:{_pattern(p)})" for p in self.phrases))

    def _candidates(self, run: str) -> tuple[int, ...]:
        found = self._tried.get(run)
        if found is None:
            indexes = set(self.exact.get(run, ()))
            for length, stems in self.stems.items():
                indexes.update(stems.get(run[:length], ()))
            found = tuple(sorted(indexes))  # mostly the one empty tuple
            if len(self._tried) >= 20_000:
                self._tried.clear()  # a bound on memory: the words of a few long texts
            self._tried[run] = found
        return found

    def spans(self, folded: str) -> list[tuple[int, int]]:
        """[start, end) of each match, as the alternation's finditer gives them."""
        if self.regex_only:
            return [m.span() for m in self.pattern.finditer(folded)]
        tried = self._tried
        places = []
        for run, starts in _word_runs(folded).items():
            found = tried.get(run)
            if found is None:
                found = self._candidates(run)
            if found:
                places += [(start, found) for start in starts]
        places.sort(key=lambda place: place[0])
        out = []
        end = 0
        for start, found in places:
            if start < end:
                continue
            for index in found:
                stop = _end_at(folded, start, self.words[index])
                if stop >= 0:
                    out.append((start, stop))
                    end = stop
                    break
        return out


def _compile(phrases: Iterable[str]) -> _Phrases | None:
    unique = sorted({p for p in phrases if normalise(p).strip()}, key=len, reverse=True)
    if not unique:
        return None
    return _Phrases(unique)


@dataclass(frozen=True)
class Span:
    start: int  # in the normalised text
    end: int
    value: Any = None
    ahead: Any = None  # a weekday's or month's next occurrence, for a claim about the future
    behind: Any = None  # a month's last occurrence, for a report


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


def _find(pattern: _Phrases | re.Pattern[str] | None, folded: str) -> list[Span]:
    if pattern is None:
        return []
    if isinstance(pattern, _Phrases):
        return [Span(start, end, folded[start:end]) for start, end in pattern.spans(folded)]
    return [Span(m.start(), m.end(), m.group(0)) for m in pattern.finditer(folded)]


# A full stop after these ends no sentence: "President Ferdinand Marcos Jr. signed", "U.S.",
# "Art. 3", «в 2024 г. парламент»
_NUMBER = re.compile(r"\d+")
_ABBREVIATION = re.compile(
    r"(?<!\w)(?:jr|sr|mr|mrs|ms|dr|st|gen|col|lt|prof|sen|rep|gov|no|art|vs|inc|corp|ст|им|г|гг"
    r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|[a-zа-я])$"
)


def _sentences(folded: str) -> list[tuple[int, int]]:
    bounds = []
    start = 0
    for match in re.finditer(r"[.!?;؛\n]+(?:\s|$)", folded):
        if match.group().rstrip() == "." and _ABBREVIATION.search(
            folded, max(0, match.start() - 6), match.start()
        ):
            continue
        bounds.append((start, match.end()))
        start = match.end()
    if start < len(folded):
        bounds.append((start, len(folded)))
    return bounds


# ---------------------------------------------------------------- parties


# A one-word Russian name ending in a consonant takes case endings.
_DECLINABLE = re.compile(r"^[а-я]{3,}[бвгджзйклмнпрстфхцчшщ]$")
_DECLINABLE_A = re.compile(r"^[а-я]{4,}[ая]$")
# Names that are common words first: Того (Togo) is "of that".
_NOT_NAMES = {"того"}


_ARABIC_SCRIPT_WORD = re.compile(r"^[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc]{3,}$")


def _nisba(key: str) -> str | None:
    """The adjective of a one-word name in Persian or Arabic script, made with the suffix ی
    (بنگلادشی, پاکستانی, روسیه → روسی, آمریکا → آمریکایی), or None."""
    if not _ARABIC_SCRIPT_WORD.match(key) or key.endswith("ی"):
        return None
    if key.endswith("یه"):
        return key[:-2] + "ی"
    if key.endswith("ا"):
        return key + "یی"
    if key.endswith(("ه", "و", "ة")):
        return None
    return key + "ی"


@dataclass(frozen=True)
class PartyMatcher:
    pattern: _Phrases | None
    codes: dict[str, str]  # normalised alias -> party code

    @classmethod
    def build(cls, aliases: Iterable[tuple[str, str]]) -> PartyMatcher:
        """From (party code, alias or name) pairs; an alias shared by two parties is dropped."""
        codes: dict[str, str] = {}
        clashes: set[str] = set()
        for code, alias in aliases:
            key = normalise(alias)
            if len(key) < 3 or key in _NOT_NAMES:
                continue  # two letters are words more often than parties
            keys = [key]
            if _DECLINABLE.match(key):
                keys.append(key + "*")  # Вьетнам: Вьетнама, Вьетнамом, Вьетнаму
            elif _DECLINABLE_A.match(key):
                keys.append(key[:-1] + "*")  # Мьянма: Мьянмы, Мьянмой
            elif (adjective := _nisba(key)) is not None:
                keys.append(adjective)  # بنگلادش: بنگلادشی; روسیه: روسی; العراق: العراقی
            for key in keys:
                if key in codes and codes[key] != code:
                    clashes.add(key)
                codes[key] = code
        for key in clashes:
            del codes[key]
        _LOOKED_UP.clear()  # a new table may reuse the address of an old one
        return cls(_compile(codes), codes)

    def find(self, text: Text) -> list[Span]:
        return [
            Span(s.start, s.end, _lookup(self.codes, s.value))
            for s in _find(self.pattern, text.folded)
        ]


# ---------------------------------------------------------------- dates


def _month_table() -> tuple[dict[str, tuple[str, int]], re.Pattern[str], re.Pattern[str]]:
    """Every month name with its calendar and number; the alternation of all, and of those
    that may stand without a day before them (not Afghanistan's, mostly common words)."""
    names: dict[str, tuple[str, int]] = {}
    after_a_day: set[str] = set()
    for calendar, by_language in lexicon("months").items():
        if calendar.startswith("_"):
            continue
        for months in by_language.values():
            for number, spellings in enumerate(months, start=1):
                for spelling in spellings:
                    name = normalise(spelling)
                    if calendar == "jalali_afghan":
                        after_a_day.add(name)
                    names[name] = ("jalali" if calendar == "jalali_afghan" else calendar, number)

    def alternation(chosen: Iterable[str]) -> re.Pattern[str]:
        return re.compile("|".join(re.escape(n) for n in sorted(chosen, key=len, reverse=True)))

    return names, alternation(names), alternation(n for n in names if n not in after_a_day)


_MONTHS, _ANY_MONTH, _MONTH = _month_table()
_MONTH_RE = _MONTH.pattern
_AND_MONTH = re.compile(rf"\s+(?:и|and|or|или|و)\s+({_MONTH_RE})(?!\w)(?!\s*,?\s*\d)")
_MONTH_BEFORE = re.compile(rf"(?<!\w)({_MONTH_RE})\s+$")
# «از اول ژوئیه»: "from the first of July"; «و6 نوفمبر»: "and 6 November", the Arabic "and"
# written onto the day
_FIRST = "اول"
_DMY = re.compile(
    rf"(?:(?<![\w/])|(?<=(?<!\w)و))(\d{{1,2}}|{_FIRST})(?:st|nd|rd|th)?"
    rf"\s+({_ANY_MONTH.pattern})(?!\w)\.?"
    rf"(?:,?\s+(\d{{4}})(?!\d))?"
)
_MDY = re.compile(
    rf"(?<!\w)({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(\d{{4}})(?!\d))?"
)
_MY = re.compile(rf"(?<!\w)({_MONTH_RE})\.?\s+(\d{{4}})(?!\d)")
_ISO = re.compile(r"(?<![\d/])(\d{4})-(\d{2})-(\d{2})(?![\d/])")
_SLASH = re.compile(r"(?<![\d/])(\d{4})/(\d{1,2})/(\d{1,2})(?![\d/])")


def _day(calendar: str, year: int, month: int, day: int) -> date | None:
    try:
        if calendar == "jalali":
            return JalaliDate(year, month, day).to_gregorian()
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _year_less_month(start: int, end: int, month: int, published: date) -> Span:
    """A Gregorian month without its year: the nearest such month to publication, with the
    next one (for a forecast) and the last one (for a report)."""
    year = min(
        (published.year - 1, published.year, published.year + 1),
        key=lambda y: abs((y - published.year) * 12 + month - published.month),
    )
    back = published.year - (month > published.month)
    ahead = published.year + (month < published.month)
    return Span(
        start, end, f"{year:04d}-{month:02d}", f"{ahead:04d}-{month:02d}", f"{back:04d}-{month:02d}"
    )


def _days_around(calendar: str, month: int, day: int, published: date) -> list[date]:
    """A year-less day in the year of publication and the years either side of it."""
    base = JalaliDate.to_jalali(published).year if calendar == "jalali" else published.year
    return [d for y in (base - 1, base, base + 1) if (d := _day(calendar, y, month, day))]


def _resolve_year(calendar: str, month: int, day: int, published: date) -> date | None:
    """A year-less date: the year that puts it closest to the publication day."""
    found = _days_around(calendar, month, day, published)
    return min(found, key=lambda c: abs((c - published).days)) if found else None


def _occurrences(calendar: str, month: int, day: int, published: date) -> tuple[str, str]:
    """The next occurrence of a year-less day on or after publication, and the last one on
    or before it (ISO)."""
    days = _days_around(calendar, month, day, published)
    ahead = min((d for d in days if d >= published), default=max(days))
    behind = max((d for d in days if d <= published), default=min(days))
    return ahead.isoformat(), behind.isoformat()


class _Taken:
    """Spans of text already read as dates: none overlaps another, so, in order of start,
    their ends are in order too, and an overlap is found by bisection."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    @classmethod
    def of(cls, spans: list[Span]) -> _Taken:
        """Those of spans none of which overlaps another."""
        taken = cls()
        for span in sorted(spans, key=lambda s: s.start):
            taken.starts.append(span.start)
            taken.ends.append(span.end)
        return taken

    def overlaps(self, start: int, end: int) -> bool:
        last = bisect_left(self.starts, end) - 1  # the last span starting before `end`
        return last >= 0 and self.ends[last] > start

    def add(self, start: int, end: int) -> None:
        where = bisect_left(self.starts, start)
        self.starts.insert(where, start)
        self.ends.insert(where, end)


def find_dates(text: Text, published: date | None) -> list[Span]:
    """Dates written out, numerically or with month names, in either calendar."""
    found: list[Span] = []
    taken = _Taken()

    def add(start: int, end: int, value: str) -> None:
        if taken.overlaps(start, end):
            return
        taken.add(start, end)
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
            day = 1 if m[day_group] == _FIRST else int(m[day_group])
            if m[3]:
                resolved = _day(calendar, int(m[3]), month, day)
            elif published is not None:
                resolved = _resolve_year(calendar, month, day, published)
                if resolved and not taken.overlaps(m.start(), m.end()):
                    # "which the leaders signed on Nov. 30" in June: the last 30 November
                    # for a report, the next one for a forecast
                    near = _occurrences(calendar, month, day, published)
                    taken.add(m.start(), m.end())
                    found.append(Span(m.start(), m.end(), resolved.isoformat(), *near))
                continue
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
    if published is not None and date.min.year < published.year < date.max.year:
        for m in _year_less_months().finditer(folded):
            calendar, month = _MONTHS[m[1]]
            # «в мае и июне»: the second month of a pair has no preposition of its own
            following = _AND_MONTH.match(folded, m.end(1))
            for at in (m, following) if following is not None else (m,):
                calendar, month = _MONTHS[at[1]]
                if calendar == "gregorian" and not taken.overlaps(at.start(1), at.end(1)):
                    taken.add(at.start(1), at.end(1))
                    found.append(_year_less_month(at.start(1), at.end(1), month, published))
        _ordinal_dates(folded, published, add)
        _relative_dates(folded, published, found, add)
    found.sort(key=lambda s: s.start)
    return found


@lru_cache(maxsize=1)
def _ordinal_table() -> tuple[dict[str, int], dict[str, int], re.Pattern[str]]:
    data = lexicon("relative")
    day_of = {
        normalise(word): number
        for words in data["ordinal_days"].values()
        for number, word in enumerate(words, start=1)
    }
    shift_of = {normalise(p): o for pairs in data["this_month"].values() for p, o in pairs}

    def alternation(words: Iterable[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    pattern = re.compile(
        rf"(?<!\w)(?P<day>{alternation(day_of)})\s+من\s+(?:شهر\s+)?"
        rf"(?:(?P<shift>{alternation(shift_of)})|(?P<month>{_MONTH_RE})"
        rf"(?:\s+(?P<year>\d{{4}})(?!\d)|\s+(?P<side>{_SIDES}))?)(?!\w)"
    )
    return day_of, shift_of, pattern


_SIDES = "الماضی|المقبل|القادم"


def _ordinal_dates(folded: str, published: date, add: Any) -> None:
    """Days written as ordinals: «في الرابع عشر من الشهر الماضي» (the 14th of last month),
    «في الثاني من يناير الماضي» (2 January last), «الأول من يوليو 2024»."""
    day_of, shift_of, pattern = _ordinal_table()
    for m in pattern.finditer(folded):
        day = day_of[m["day"]]
        if m["shift"]:
            index = published.year * 12 + published.month - 1 + shift_of[m["shift"]]
            resolved = _day("gregorian", index // 12, index % 12 + 1, day)
        else:
            calendar, month = _MONTHS[m["month"]]
            if m["year"]:
                resolved = _day(calendar, int(m["year"]), month, day)
            elif m["side"] == "الماضی":
                resolved = _day(calendar, published.year - (month > published.month), month, day)
            elif m["side"]:
                resolved = _day(calendar, published.year + (month < published.month), month, day)
            else:
                resolved = _resolve_year(calendar, month, day, published)
        if resolved is not None:
            add(m.start(), m.end(), resolved.isoformat())


@lru_cache(maxsize=1)
def _relative_tables() -> tuple[Any, ...]:
    data = lexicon("relative")
    weekday_of = {
        normalise(spelling): number
        for by_day in data["weekdays"].values()
        for number, spellings in enumerate(by_day)
        for spelling in spellings
    }
    offset_of = {normalise(p): o for pairs in data["days"].values() for p, o in pairs}
    offset_of |= {normalise(p): 0 for p in sum(lexicon("stages")["today"].values(), [])}
    months_of = {normalise(p): o for pairs in data["months"].values() for p, o in pairs}
    return (
        weekday_of,
        _compile(weekday_of),
        offset_of,
        _compile(offset_of),
        months_of,
        _compile(months_of),
        _compile(sum(data["same_day"].values(), [])),
    )


@lru_cache(maxsize=1)
def _year_less_months() -> re.Pattern[str]:
    """A Gregorian month name after a preposition and with no day or year beside it."""
    prepositions = "|".join(
        re.escape(normalise(p)) for p in sum(lexicon("relative")["month_preposition"].values(), [])
    )
    return re.compile(rf"(?<![\w\d])(?:{prepositions})\s+({_MONTH_RE})(?!\w)(?!\s*,?\s*\d)")


@lru_cache(maxsize=1)
def _week_tables() -> tuple[dict[str, int], Any]:
    weeks_of = {
        normalise(p): o for pairs in lexicon("relative")["weeks"].values() for p, o in pairs
    }
    return weeks_of, _compile(weeks_of)


# «در شهر دوشنبه»: Dushanbe, the city, not Monday
_CITY = re.compile(r"(?<!\w)(?:شهر|city of)\s+$")
_IN = re.compile(r"(?<!\w)در\s+$")


def _relative_dates(folded: str, published: date, found: list[Span], add: Any) -> None:
    """Weekdays, yesterday/today/tomorrow and last/next month, read against `published`.

    A weekday is the latest such day on or before publication (a report is about the past);
    its next occurrence is kept in `ahead` for a claim about the future. A weekday written
    next to a full date ("Wednesday, 19 June") adds nothing.
    """
    weekday_of, weekdays, offset_of, offsets, months_of, months, _ = _relative_tables()
    for span in _find(offsets, folded):
        shift = offset_of.get(span.value)
        if shift is not None:
            add(span.start, span.end, (published + timedelta(days=shift)).isoformat())
    for span in _find(months, folded):
        shift = months_of.get(span.value)
        if shift is None:
            continue
        index = published.year * 12 + published.month - 1 + shift
        add(span.start, span.end, f"{index // 12:04d}-{index % 12 + 1:02d}")
    weeks_of, weeks = _week_tables()
    for span in _find(weeks, folded):
        shift = weeks_of.get(span.value)
        if shift is None:
            continue
        # "next week", «на следующей неделе», «هفته آینده»: Monday to Sunday of that week
        monday = published - timedelta(days=published.weekday()) + timedelta(weeks=shift)
        sunday = monday + timedelta(days=6)
        add(span.start, span.end, f"{monday.isoformat()}/{sunday.isoformat()}")
    explicit = sorted(s.start for s in found)  # where each date read so far starts
    seen = _Taken.of(found)
    for span in _find(weekdays, folded):
        number = weekday_of.get(span.value)
        if number is None:
            continue
        after = bisect_left(explicit, span.end)  # the first date starting after the weekday
        if after < len(explicit) and explicit[after] <= span.end + 3:
            continue
        back = published - timedelta(days=(published.weekday() - number) % 7)
        ahead = published + timedelta(days=(number - published.weekday()) % 7)
        if seen.overlaps(span.start, span.end) or _CITY.search(
            folded, max(0, span.start - 12), span.start
        ):
            continue
        before = bisect_left(explicit, span.start) - 1
        if before >= 0 and _IN.search(folded, max(0, span.start - 4), span.start):
            # «۱۰ تیر ۱۴۰۴ در دوشنبه»: a full date, then "in Dushanbe"
            if any(d.start == explicit[before] and span.start - d.end <= 5 for d in found):
                continue
        found.append(Span(span.start, span.end, back.isoformat(), ahead.isoformat()))
        seen.add(span.start, span.end)


@lru_cache(maxsize=1)
def _counted_tables() -> tuple[Any, ...]:
    data = lexicon("relative")
    years_of = {normalise(p): o for pairs in data["years"].values() for p, o in pairs}
    return _compile(sum(data["next_day"].values(), [])), years_of, _compile(years_of)


_NEXT_DAY_REACH = 200  # characters back to the date "the next day" counts from
_FULL_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH_ONLY = re.compile(r"\d{4}-(\d{2})")


# A year alone after a preposition of time: "in 2010", "since 2023", «в 2021», «с 2023
# года», «در سال 2017», «عام 2015»; a year of a full date or a month is read with it.
_YEAR_ALONE = re.compile(
    r"(?<!\w)(?:in|since|by|until|from|в|с|до|к|سال|عام|العام|سنة|منذ)\s+((?:19|20)\d\d)"
    r"(?![\d\w])(?!\s*[-/.]\s*\d)"
)


def _year_dates(folded: str, found: list[Span]) -> list[Span]:
    """`found` and the years named alone (`_YEAR_ALONE`) where no date is read already."""
    taken = _Taken.of(found)
    spans = list(found)
    for match in _YEAR_ALONE.finditer(folded):
        start, end = match.span(1)
        if not taken.overlaps(start, end):
            spans.append(Span(start, end, match.group(1)))
    spans.sort(key=lambda s: s.start)
    return spans


def _counted_dates(folded: str, published: date, found: list[Span]) -> list[Span]:
    """Dates counted from another: "the next day" (the day after the date named just
    before it), and "last year" and "next year" against `published` ("in March
    last year": that March)."""
    next_day, years_of, years = _counted_tables()
    spans = list(found)
    for span in _find(next_day, folded):
        before = [
            d
            for d in spans
            if d.end <= span.start
            and span.start - d.end <= _NEXT_DAY_REACH
            and _FULL_DAY.fullmatch(str(d.value))
        ]
        if not before:
            continue
        day = date.fromisoformat(max(before, key=lambda d: d.end).value) + timedelta(days=1)
        # «في اليوم التالي»: not the "today" (اليوم) inside it
        spans = [d for d in spans if not (d.start < span.end and span.start < d.end)]
        spans.append(Span(span.start, span.end, day.isoformat()))
    for span in _find(_relative_tables()[-1], folded):
        # "entered into force the same day" in the sentence after "exchanged … on
        # Thursday": the day named just before it, never a month ("in August 2024")
        before = [
            d
            for d in spans
            if d.end <= span.start
            and span.start - d.end <= _NEXT_DAY_REACH
            and _FULL_DAY.fullmatch(str(d.value))
        ]
        if before:
            value = max(before, key=lambda d: d.end).value
            spans = [d for d in spans if not (d.start < span.end and span.start < d.end)]
            spans.append(Span(span.start, span.end, value))
    for span in _find(years, folded):
        shift = years_of.get(span.value)
        if shift is None or any(d.start < span.end and span.start < d.end for d in spans):
            continue
        year = published.year + shift
        month = next(
            (
                d
                for d in spans
                if 0 <= span.start - d.end <= 2 and _MONTH_ONLY.fullmatch(str(d.value))
            ),
            None,
        )
        named = _MONTH_BEFORE.search(folded, max(0, span.start - 16), span.start)
        if month is None and named is not None and _MONTHS[named[1]][0] == "gregorian":
            # «اوت سال گذشته», "August last year" with no preposition before the month
            number = _MONTHS[named[1]][1]
            month = Span(named.start(1), named.end(1), f"{published.year:04d}-{number:02d}")
            spans = [d for d in spans if not (d.start < named.end(1) and named.start(1) < d.end)]
            spans.append(month)
        if month is not None:
            # "in March last year", «в марте прошлого года»: that month of that year
            spans.remove(month)
            value = f"{year:04d}-{_MONTH_ONLY.fullmatch(month.value).group(1)}"  # type: ignore[union-attr]
            spans.append(Span(month.start, span.end, value))
        else:
            spans.append(Span(span.start, span.end, f"{year:04d}"))
    return sorted(spans, key=lambda d: d.start)


# "enters into force for Palestine", «вступает в силу для Палестины»: that party's own
_FOR_ONE = re.compile(r"\s+(?:for|для|برای|بالنسبة\s*(?:ل|إلى\s+))\s*(?:the\s+)?")
_FOR_ONE_BEFORE = re.compile(r"(?<!\w)برای\s+$")  # «برای پاکستان لازم‌الاجرا خواهد شد»
# "with" before a party: the other side of an agreement, not the one acting
_WITH = re.compile(r"(?<!\w)(?:with|с|со|با|مع)\s+(?:the\s+)?$")
# "between Senegal and Mauritania", «между Киргизией и Турцией», «بين مصر واليونان»: the
# agreement's parties named as such, not an actor
# "notified the United States that it was terminating": the addressee, not the actor
_ADDRESSEE = re.compile(
    r"(?<!\w)(?:notified|informed|told|уведомил\w*|известил\w*|ابلغ\w*|به اطلاع)\s+(?:the\s+)?$"
)
_BETWEEN = re.compile(r"(?<!\w)(?:between|между|میان|بین|بين)\s+(?:the\s+)?$")


def _acting(folded: str, named: list[Span]) -> list[Span]:
    """The states named as actors: not the other side after "with", nor the pair after
    "between"."""
    out: list[Span] = []
    paired = False
    for index, name in enumerate(named):
        before = folded[max(0, name.start - 24) : name.start]
        if _BETWEEN.search(before):
            paired = True
        elif not (
            paired and index and _LIST_GLUE.fullmatch(folded, named[index - 1].end, name.start)
        ):
            paired = False
        if not paired and not _WITH.search(before) and not _ADDRESSEE.search(before):
            out.append(name)
    return out


_NAME_REACH = 25  # "the military agreement of 19 September 2018"
_RELATIVE = re.compile(r"(?<!\w)(?:که|which|that|котор\w+|التي|الذي)\s+$")


# a preposition of time or place: "the treaty in …", «این معاهده در ۲۸ دی …»
_AT = r"(?<!\w)(?:in|on|at|в|во|در|في|فى|يوم|روز|از)\s+$"


def _names_agreement(folded: str, day: Span, spans: dict[str, Any], cues: list[Span]) -> bool:
    """A full date in an agreement's name ("the Comprehensive Military Agreement of 19
    September 2018", «توافق نظامی ۱۹ سپتامبر ۲۰۱۸») names it and dates no claim: a day with
    its year, at most one word after an agreement word, and no verb of a stage right after
    it («… ۲۸ دی ۱۴۰۳ امضا شد» dates the signing)."""
    if not _FULL_DAY.fullmatch(str(day.value)) or not re.search(
        r"[\d٠-٩۰-۹]{4}\W*$", folded[day.start : day.end]
    ):
        return False
    if any(0 <= c.start - day.end <= _DATE_MARGIN for c in cues):
        return False
    if _RELATIVE.search(folded, max(0, day.start - 12), day.start):
        return False  # «توافقنامه که 17 سپتامبر 2025 … امضا شد»: "which was signed on"
    for word in spans["agreement"]:
        if (
            0 <= day.start - word.end <= _NAME_REACH
            and re.fullmatch(r"\s+(?:of|dated|от|[^\W\d]+)\s+", folded[word.end : day.start])
            and not re.search(_AT, folded[word.end : day.start])
        ):
            return True
    return False


_THEIRS_AFTER = 40  # "the convention of the Shanghai Cooperation Organisation"
_THEIRS_BEFORE = 12  # "the EAEU agreement"


def _its_agreement(folded: str, organisation: Span, agreements: list[Span]) -> bool:
    """An organisation named as the agreement's own party ("the free trade agreement of Iran
    and the EAEU", «اتفاقية منظمة شنغهاي»), not as an actor or a setting ("NATO allies
    responded", "became NATO's 32nd member"): an agreement word just before it, or right
    after it, in the same sentence."""
    for word in agreements:
        if 0 <= organisation.start - word.end <= _THEIRS_AFTER:
            between = folded[word.end : organisation.start]
        elif 0 <= word.start - organisation.end <= _THEIRS_BEFORE:
            between = folded[organisation.end : word.start]
        else:
            continue
        if not re.search(r"[.!?;؛\n]", between):
            return True
    return False


# ---------------------------------------------------------------- stages and principles


@dataclass(frozen=True)
class _Cue:
    stage: str
    step: str | None
    weak: bool = False  # a noun ("entry into force", "notification"): a claim only alone
    each: bool = False  # an exchange: every party's step
    consent: str | None = None  # the kind of instrument a notification cue names ("acceded")


def _table(entries: Iterable[dict[str, Any]], make: Any) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for entry in entries:
        for phrases in entry["patterns"].values():
            for phrase in phrases:
                table[normalise(phrase)] = make(entry)
    return table


def _words(data: dict[str, Any], key: str) -> re.Pattern[str] | None:
    return _compile(sum(data.get(key, {}).values(), []))


@lru_cache(maxsize=1)
def _stage_tables() -> dict[str, Any]:
    data = lexicon("stages")
    cue_of = _table(
        data["cues"],
        lambda c: _Cue(
            c["stage"], c["step"], c.get("weak", False), c.get("each", False), c.get("consent_type")
        ),
    )
    # the chambers of many states first, so that a phrase stages.json also has is its entry
    body_of = _table(lexicon("chambers")["bodies"] + data["bodies"], lambda b: b)
    tables: dict[str, Any] = {"cue_of": cue_of, "cues": _compile(cue_of)}
    tables |= {"body_of": body_of, "bodies": _compile(body_of)}
    for key in ("approval", "expected", "expected_after", "law", "reporting", "agreement"):
        tables[key] = _words(data, key)
    tables["both"] = _words(data, "both")
    tables["head"] = _words(data, "head")
    tables["from_signing"] = _words(data, "from_signing")
    tables["took_place"] = _words(data, "took_place")
    tables["submit"] = _words(data, "submit")
    # the words that tell a notification's kind of instrument ("accession", «الحاق»)
    consent_of = {
        normalise(phrase): kind
        for kind, by_language in data["consent"].items()
        for phrases in by_language.values()
        for phrase in phrases
    }
    tables["consent_of"] = consent_of
    tables["consent"] = _compile(consent_of)
    return tables


_LOOKED_UP: dict[tuple[int, str], Any] = {}


def _lookup(table: dict[str, Any], matched: str) -> Any:
    """The lexicon entry whose pattern produced `matched` (prefix patterns included)."""
    if matched in table:
        return table[matched]
    key = (id(table), matched)
    if key not in _LOOKED_UP:
        if len(_LOOKED_UP) > 50_000:
            _LOOKED_UP.clear()
        _LOOKED_UP[key] = _lookup_prefix(table, matched)
    return _LOOKED_UP[key]


_BY_LENGTH: dict[int, tuple[dict[str, Any], list[tuple[list[str], Any]]]] = {}


def _lookup_prefix(table: dict[str, Any], matched: str) -> Any:
    words = matched.split()
    entry = _BY_LENGTH.get(id(table))
    if entry is None or entry[0] is not table or len(entry[1]) != len(table):
        if len(_BY_LENGTH) >= 64:
            _BY_LENGTH.clear()
        entry = _BY_LENGTH[id(table)] = (
            table,
            [(k.split(), v) for k, v in sorted(table.items(), key=lambda kv: -len(kv[0]))],
        )
    for parts, value in entry[1]:
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


@dataclass(frozen=True)
class _Index:
    """A long span list's starts (None when not in order of start), and its spans' starts
    and ends by order of start, the ends as a running maximum: for bisection."""

    spans: list[Span]  # kept, so that its id cannot be reused while this is cached
    length: int
    first: Span
    last: Span
    starts: list[int] | None
    sorted_starts: list[int]
    reach: list[int]  # the furthest end of the spans up to each, by order of start


_INDEXES: dict[int, _Index] = {}


def _indexed(spans: list[Span]) -> _Index:
    """The index of a span list, made on first sight and kept while the list is unchanged:
    a sentence then finds its spans by bisection rather than by a walk through the whole
    article's (which made a long article's extraction quadratic)."""
    index = _INDEXES.get(id(spans))
    if (
        index is not None
        and index.spans is spans
        and index.length == len(spans)
        and index.first is spans[0]
        and index.last is spans[-1]
    ):
        return index
    starts = [s.start for s in spans]
    ordered = all(a <= b for a, b in zip(starts, starts[1:], strict=False))
    pairs = sorted((s.start, s.end) for s in spans)
    reach: list[int] = []
    furthest = -1
    for _, end in pairs:
        furthest = max(furthest, end)
        reach.append(furthest)
    if len(_INDEXES) >= 64:
        _INDEXES.clear()
    index = _INDEXES[id(spans)] = _Index(
        spans,
        len(spans),
        spans[0],
        spans[-1],
        starts if ordered else None,
        [start for start, _ in pairs],
        reach,
    )
    return index


def _inside(spans: list[Span], bounds: tuple[int, int]) -> list[Span]:
    """The spans starting within `bounds`, in the list's order."""
    if len(spans) < 16 or (starts := _indexed(spans).starts) is None:
        return [s for s in spans if bounds[0] <= s.start < bounds[1]]
    return spans[bisect_left(starts, bounds[0]) : bisect_left(starts, bounds[1])]


def _overlaps(span: Span, spans: list[Span]) -> bool:
    """Whether any of `spans` shares a character with `span`."""
    if len(spans) < 16:
        return any(span.start < s.end and s.start < span.end for s in spans)
    index = _indexed(spans)
    before = bisect_left(index.sorted_starts, span.end)  # the spans starting before its end
    return before > 0 and index.reach[before - 1] > span.start


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(0, b[0] - a[1], a[0] - b[1])


def _nearest(spans: list[Span], anchor: tuple[int, int]) -> Span | None:
    if not spans:
        return None
    return min(spans, key=lambda s: (_gap((s.start, s.end), anchor), s.start))


# Steps of one party's domestic chain: a suggestion without its party is left unticked.
_PER_PARTY = {
    "submitted",
    "committee",
    "lower_house",
    "upper_house",
    "constitutional_review",
    "head_of_state",
    "promulgation",
    "notification",
    "revocation",
}
# Stages a source may foretell ("will sign soon", "aim to conclude the deal by October",
# "the next round of talks will be held next month").
_FORETOLD = {
    "preparation",
    "announcement",
    "signing",
    "ratification",
    "entry_into_force",
    "suspension",
    "withdrawal",
    "termination",
    "resumption",
}
# Earlier stages named beside a later one that is reported ("the treaty, signed in
# January, was ratified on Tuesday"): background, suggested but not ticked.
# A party's resumption after its suspension is found and attributed as its exits are.
_EXITS = {"suspension", "withdrawal", "termination", "resumption"}
_EXIT_REACH = 40  # "signed a law" … "suspending": the signature is the exit
_NOTICE_REACH = 60  # "deposited" … "withdrawal": the notice is the exit
_TOOK_PLACE_REACH = 120  # "the exchange of instruments … took place on Friday"
_LAW_REACH = 40  # "signed" … "the law": the head of state's signature
_EARLIER = {"preparation", "announcement", "signing"}
# How far before a claim (in characters) a marker of the future, an obligation, an
# expectation or a condition still governs it; how far after it a Persian auxiliary does.
_BEFORE_REACH = 90
_AFTER_REACH = 60
_EXIT_EFFECT_REACH = 140
# A date this close to a reporting verb is the date of the saying.
_SAID_REACH = 15
# A date about as near (in characters) to two claims of a sentence is in doubt.
_DATE_MARGIN = 8
_DATE_AFTER_ALL = 20
_HOME_REACH = 30  # characters from the start of an article to its dateline's place

# Confidence of a suggestion (see docs/extraction.md).
_CONFIDENT = 0.9
_WEAK = 0.65
_BACKGROUND = 0.45
_FORECAST = 0.6
_NO_PARTY = 0.6
_DOUBT = 0.7
_FROM_ARTICLE = 0.05
_FROM_EARLIER = 0.1
_NO_STEP = 0.1
_HEARSAY = 0.05
_CROWDED = 0.05
_FAR_DATE = 0.1
_PARTY_GUESS = 0.05
_BY_NAME = 0.05
_DATES = 0.05
# A sentence making at least this many claims, or naming this many parties, is crowded.
_CROWD = 3


@dataclass
class _Claim:
    stage: str
    step: str | None
    party: str | None
    body: str | None
    quote: Span  # the words that make the claim
    extent: tuple[int, int]  # the claim's words, its body included
    weak: bool = False
    from_article: bool = False  # parties taken from the whole article
    from_earlier: bool = False  # party of the chain an earlier sentence follows
    status: str = "reported"
    background: bool = False
    date: Span | None = None
    status_doubt: bool = False  # a future marker before another claim too
    said: bool = False  # made by a reporting verb ("announced that")
    body_span: Span | None = None
    date_doubt: bool = False  # another claim is about as near to the date
    hearsay: bool = False  # the sentence reports someone's saying ("X said", «به گفته»)
    crowded: bool = False  # the sentence makes many claims or names many parties
    far_date: bool = False  # its date is across a clause break from its words
    party_guess: bool = False  # its party picked by position among the sentence's parties
    by_name: bool = False  # a per-party step whose party is a country named, not its chamber
    dates: bool = False  # its sentence names several dates and makes several claims
    party_after: bool = False  # an exit's party named only after its verb
    consent_type: str | None = None  # a notification's kind of instrument


@dataclass
class _Sentence:
    bounds: tuple[int, int]
    cues: list[Span]
    bodies: list[Span]
    parties: list[Span]
    spans: dict[str, list[Span]]


def _foretold(
    claim: _Claim, sentence: _Sentence, others: list[tuple[int, int]]
) -> tuple[bool, bool]:
    """Whether the claim is expected, and whether that reading is in doubt.

    Expected: a marker of the future, an obligation, an expectation, a condition or a
    negation ("will", "must", "not yet", «باید», «ожидается», «من المتوقع», "if") shortly
    before the claim, or the claim's verb is itself a future form (вступит, ратифицирует),
    or a Persian auxiliary or a Russian «запланировано» after it in the same clause, or the
    claim is a purpose ("for ratification"). A marker before another claim of the sentence
    governs that one, not a past-tense verb after it ("will enter into force 30 days after
    they exchanged notifications"); a verb whose tense cannot be seen (an Arabic or Persian
    noun) stays under the marker, in doubt.
    """
    if claim.stage not in _FORETOLD or (claim.stage == "announcement" and claim.said):
        # "the Kremlin announced that Russia and Iran will sign …": the saying is done
        return False, False
    folded = sentence.spans["_text"]
    start, end = claim.extent
    # "President Boric, who is expected to sign it": a verb kept apart from its body; "must
    # be approved by Australia's parliament and by Peru's Congress": the verb of both
    end = max(end, claim.quote.end)
    start = min(start, claim.quote.start)
    if _PURPOSE.search(folded, max(0, start - 12), start):
        return True, False
    if _NEGATED.search(folded, max(0, start - 16), start):
        return True, True  # "did not sign", «не подписали»: not happened, perhaps to come
    if _described(folded, claim, sentence):
        return False, False
    doubt = bool(_CIRCUMSTANCE.search(folded, max(0, start - 12), start))
    for marker in sentence.spans["expected"]:
        if not start - _BEFORE_REACH <= marker.start <= end:
            continue
        if marker.start < start and any(marker.end <= o[0] < start for o in others):
            if _PAST.match(folded, claim.quote.start, claim.quote.end) or _PAST_AFTER.search(
                folded, claim.quote.start, claim.quote.end + 16
            ):
                continue  # that marker governs the claim in between
            doubt = True
        return True, doubt
    past = _PAST.match(folded, claim.quote.start, claim.quote.end) or _PAST_AFTER.search(
        folded, claim.quote.start, claim.quote.end
    )
    # «Выход Турции из Конвенции Совета Европы о … (Стамбульской конвенции) вступит в силу»:
    # the verb of an exit comes after its long name
    reach = _EXIT_EFFECT_REACH if claim.stage in _EXITS else _AFTER_REACH
    for marker in sentence.spans["expected_after"]:
        if (
            0 <= marker.start - end <= reach
            and not past  # "ratified the treaty that will ..."
            and not (_PUNCTUATION if claim.stage in _EXITS else _CLAUSE_BREAK).search(
                folded, end, marker.start
            )
        ):
            return True, doubt
    return False, doubt


# A participle or a relative clause in the past describing the agreement, whatever the main
# verb: "will take up the agreement signed with Albania on July 29", «договор, подписанный
# в четверг», «الاتفاقية الموقعة في 8 أبريل», «اعلامیه‌ای را که ۷ اردیبهشت امضا شد».
_PARTICIPLE = re.compile(
    r"(?:подписанн|ратифицированн|заключенн|заключённ|одобренн)\w*"
    r"|(?:ال)(?:موقع|مبرم|مصادق)\w*"
)
_NOT_PARTICIPLE = re.compile(r"(?<!\w)(?:be|been|being|to|will|would|must|shall)\s+$")
_RELATIVE_PAST = re.compile(r"(?<!\w)(?:that|which|که|التي|الذي)(?!\w)[^,.;،؛:]{0,60}$")
_WILL = re.compile(r"(?<!\w)(?:will|would|خواهد|خواهند|سوف|س(?=[يت]))")
_DESCRIBE_REACH = 8
_SUBJECT_REACH = 30  # "the pact the two leaders signed"


def _described(folded: str, claim: _Claim, sentence: _Sentence) -> bool:
    """The claim's verb is a past participle or a past relative clause about the agreement."""
    if claim.stage != "signing":
        return False
    quote = claim.quote
    word = folded[quote.start : quote.end]
    if _PARTICIPLE.match(word):
        return True
    if _NOT_PARTICIPLE.search(folded, max(0, quote.start - 12), quote.start):
        return False
    if re.fullmatch(r"\w+ed", word):
        before = folded[max(sentence.bounds[0], quote.start - 40) : quote.start]
        # "the agreement signed with …", "the security agreement it signed with Australia"
        after_noun = any(
            0 <= quote.start - a.end <= _SUBJECT_REACH
            and not re.search(r"[,.;:]", folded[a.end : quote.start])
            and len(_WORD.findall(folded, a.end, quote.start)) <= 3
            for a in sentence.spans["agreement"]
        )
        return after_noun or bool(_RELATIVE_PAST.search(before))
    if _PAST_AFTER.search(folded, quote.start, quote.end + _DESCRIBE_REACH):
        before = folded[max(sentence.bounds[0], quote.start - 80) : quote.start]
        relative = _RELATIVE_PAST.search(before)
        return bool(relative) and not _WILL.search(before, relative.start())
    return False


# The first word of a verb in the past tense, where the tense shows: English and Russian.
_PAST = re.compile(
    r"\w+(?:ed|ли|ла|ло|л|лись|лась|лся|нный|нная|нное|нного|нной|нную|нные|нных)(?!\w)"
    r"|(?:الموقع|المبرم)\w*"  # «الموقعة في …»: the agreement signed, a participle
)
# A verb in the present tense, where the tense shows (Russian, English, Arabic, Persian).
_PRESENT = re.compile(
    r"\w+(?:ет|ют|ит|ат|ят|ется|ются|ится|ятся)(?!\w)|\w+s(?!\w)|(?:و?[يت])\w{3,}|می\s?\w+"
)
# A Persian past auxiliary right after the verb (امضا کردند, اجرایی شده است).
_PAST_AFTER = re.compile(
    r"(?<!\w)(?:شد|شده|شدند|کرد|کردند|کرده|رسید|رسیده|رساند|داد|دادند|گذاشت|سپرد)(?!\w)"
)


# A claim right after a negation, or named as a circumstance of another ("after signing",
# «پس از امضا», «بعد تبادل»): its status is in doubt.
_NEGATED = re.compile(
    r"(?<!\w)(?:not|never|didn't|did not|has not|have not|hasn't|haven't|не|لم|لن)\s+$"
)
_CIRCUMSTANCE = re.compile(
    r"(?<!\w)(?:after|before|since|upon|после|до|پس از|بعد از|قبل از|از زمان|بعد|قبل|منذ|عقب)\s+$"
)
# "for ratification", «на рассмотрение», «на ратификацию», «برای تصویب»: a purpose
_PURPOSE = re.compile(r"(?<!\w)(?:(?:for|для|на|برای|بهمنظور|به منظور|من اجل)\s+|ل)$")


def _speaker(body: Span, sentence: _Sentence) -> bool:
    """A chamber named as a speaker's ("a member of the committee said"), not as the actor."""
    folded = sentence.spans["_text"]
    if any(0 <= r.start - body.end <= 12 for r in sentence.spans["reporting"]):
        return True
    before = folded[max(sentence.bounds[0], body.start - 25) : body.start]
    return bool(_SPEAKER.search(before))


_SPEAKER = re.compile(
    r"(?<!\w)(?:member|members|spokes\w*|chairman|chairwoman|head|speaker|deputy|член\w*"
    r"|председател\w*|спикер\w*|глав\w|представител\w*|عضو|سخنگوی|رئیس|نایب|المتحدث|نایب)"
    r"(?!\w)[^,.;]*$"
)


def _ranked_parties(party_spans: list[Span]) -> list[str]:
    """The article's parties, most often named first (then by first mention)."""
    counts: dict[str, int] = {}
    for span in party_spans:
        counts[span.value] = counts.get(span.value, 0) + 1
    return sorted(counts, key=lambda code: -counts[code])


def _country_of(
    body: Span,
    named: list[Span],
    article_parties: list[str],
    chain: str | None,
    folded: str,
    earlier: str | None = None,
) -> str | None:
    """The party of a generic chamber ("the senate", «مجلس النواب»): the country named
    right by it ("Kazakhstan's Senate", «مجلس النواب المصري»), else the state whose chain
    the sentence already follows, else the country named nearest before it in the sentence,
    else the state whose chain an earlier sentence follows (`earlier`), else the country
    named nearest after it («Сейм принял …, сославшись на угрозу со стороны России» is not
    Russia's), else the only state the article names."""
    beside = _beside(body, named, folded)
    if beside is not None:
        return beside
    if chain is not None:
        return chain
    near = _nearest([n for n in named if n.end <= body.start], (body.start, body.end))
    if near is None and earlier is not None:
        return earlier
    near = near or _nearest(named, (body.start, body.end))
    if near is not None:
        return near.value
    return article_parties[0] if len(article_parties) == 1 else None


_BESIDE = 12  # characters between a country and its chamber
_BOTH_REACH = 40  # "the parliaments of both countries", «مجالس البلدين»; not "that the two
# countries signed" in a clause after "Chile's Senate approved"
_SIGN_IT = re.compile(r"\s+(?:it|them|его|её|ее|آن را)(?!\w)")
_IT_SIGN = re.compile(r"(?<!\w)(?:его|её|ее|آن را)\s+$")
_HEAD_REACH = 32  # characters between a head of state and a verb of ratification (a name)


def _beside(body: Span, named: list[Span], folded: str) -> str | None:
    """The country named right by a chamber ("Hungary's parliament", «پارلمان ارمنستان»)."""
    near = _nearest(named, (body.start, body.end))
    if near is None or _gap((near.start, near.end), (body.start, body.end)) > _BESIDE:
        return None
    between = folded[min(near.end, body.end) : max(near.start, body.start)]
    # "Hungary's parliament", "the Senate of Kazakhstan", «پارلمان ارمنستان»; not «جمهورية
    # العراق كما ورد من مجلس النواب» (Iraq, "as it came from the House"): two words at most
    return near.value if len(_WORD.findall(between)) <= 2 else None


def _genitive(body: Span, named: list[Span], folded: str) -> str | None:
    """The country named right after a chamber, nothing but a space between («مجلس ارمنستان»)."""
    after = [n for n in named if n.start >= body.end and not folded[body.end : n.start].strip()]
    return after[0].value if after else None


@cache
def _unicameral() -> frozenset[str]:
    """States whose parliament has one chamber (lexicons/chambers.json)."""
    return frozenset(lexicon("chambers")["unicameral"])


_LIST_GLUE = re.compile(r"(?:\s|,|(?<!\w)(?:and|и|و)(?!\w))*")


def _listed(folded: str, names: list[Span]) -> list[str]:
    """The states of a list that ends with the last of `names` ("Mali, Burkina Faso and
    Niger"): those joined to it by nothing but commas and "and"."""
    out: list[Span] = names[-1:]
    for name in reversed(names[:-1]):
        if not _LIST_GLUE.fullmatch(folded, name.end, out[0].start):
            break
        out.insert(0, name)
    return list(dict.fromkeys(str(n.value) for n in out))


def _consent(cue: Span, spans: dict[str, Any]) -> str:
    """A notification's kind of instrument: its cue's ("acceded to"), else the nearest word
    of one in its sentence ("deposited its instrument of accession"), else ratification."""
    if isinstance(cue.value, _Cue) and cue.value.consent:
        return cue.value.consent
    near = _nearest(spans.get("consent", []), (cue.start, cue.end))
    return str(near.value) if near is not None and near.value else "ratification"


def _exit_law(sentence: _Sentence) -> str | None:
    """The exit a law of the sentence enacts ("the law on suspending the treaty", «закон о
    выходе из конвенции», «قانون الانسحاب»), if any."""
    for word in sentence.spans["law"]:
        for cue in sentence.cues:
            if cue.value.stage in _EXITS and 0 <= cue.start - word.end <= _LAW_OF_EXIT:
                return str(cue.value.stage)
    return None


_LAW_OF_EXIT = 14
_PARLIAMENT_OF = 20  # "lawmakers in Poland's lower house"


def _claims(
    sentence: _Sentence,
    article_parties: list[str],
    law_exit: str | None = None,
    earlier: str | None = None,
    own_exit: str | None = None,
) -> list[_Claim]:
    """The stage claims a sentence makes (status, dates and confidence come after).

    `law_exit`: the exit the law an earlier sentence names enacts: a chamber that passes
    "the law" here passes that exit («Госдума и Совет Федерации приняли закон 22 февраля»).
    `earlier`: the state whose chain an earlier sentence follows. `own_exit`: the exit a law of
    this sentence enacts (`_exit_law`)."""
    spans = sentence.spans
    cues = sentence.cues
    chambers = [
        b
        for b in sentence.bodies
        if not b.value.get("person")
        # «کمیسیون امنیت ملی مجلس»: the committee of the Majlis acts, not the Majlis (but
        # «کمیسیون امنیت ملی، مجلس …»: a comma ends the genitive)
        and not any(
            0 <= b.start - o.end <= 2 and not sentence.spans["_text"][o.end : b.start].strip()
            for o in sentence.bodies
        )
    ]
    # "Lawmakers in Poland's lower house": the parliament named before its chamber is that
    # chamber
    chambers = [
        b
        for b in chambers
        if b.value["step"]
        or b.value["party"]
        or b.value.get("executive")
        or not any(
            o is not b
            and 0 <= o.start - b.end <= _PARLIAMENT_OF
            and not re.search(r"[,;.]", sentence.spans["_text"][b.end : o.start])
            for o in sentence.bodies
            if not o.value.get("person")
        )
    ]
    actors = [b for b in chambers if not _speaker(b, sentence)]
    if not any(b.value["party"] for b in actors):
        # "the council's spokesman said the council approved it": the speaker's own
        # chamber acts when no other chamber of a state is named
        actors = chambers
    chambers = actors
    people = [b for b in sentence.bodies if b.value.get("person")]
    named = [p for p in sentence.parties if p.value]
    # the states that may act: not the other side named after "with" ("submitted to
    # parliament the agreement with Chile", «مع الكويت»)
    acting = _acting(spans["_text"], named)
    # a party picked by its place among two or more the sentence names is a guess
    several = len({p.value for p in named}) >= 2
    exits = [c for c in cues if c.value.stage in _EXITS]
    if exits:
        # "deposited its notification of withdrawal", «أودعت … إخطارات انسحابها», «اطلاعیه
        # کتبی خروج»: the notice of an exit is the exit, not a step of ratification
        cues = [
            c
            for c in cues
            if not (
                c.value.step == "notification"
                and not c.value.each
                and any(0 <= e.start - c.end <= _NOTICE_REACH for e in exits)
            )
        ]
    # «проголосовал за денонсацию», "voted for the withdrawal", "endorsed the termination in
    # a vote": a chamber's vote on an exit is that exit, not a step of ratification
    approval = [
        v
        for v in spans["approval"]
        if not any(_gap((e.start, e.end), (v.start, v.end)) <= _EXIT_REACH for e in exits)
    ]
    if exits and (spans["law"] or people):
        # "signed a law suspending …", «подписал указ о выходе»: the signature is the exit
        cues = [
            c
            for c in cues
            if not (
                (c.value.stage == "signing" or c.value.step == "head_of_state")
                and any(0 <= e.start - c.end <= _EXIT_REACH for e in exits)
            )
        ]
    if spans["law"] and (
        any(c.value.stage == "ratification" for c in cues) or spans["head"] or people
    ):
        # "signed the law on ratification", «закон должен подписать президент»; not «закон
        # о ратификации договора, подписанного президентами …»: the treaty's signing
        cues = [
            Span(c.start, c.end, _Cue("ratification", "head_of_state"))
            if c.value.stage == "signing"
            and any(_gap((c.start, c.end), (w.start, w.end)) <= _LAW_REACH for w in spans["law"])
            else c
            for c in cues
        ]
    if people and spans["law"]:
        # "The law now goes to President Tokayev, who is expected to sign it": the law's
        # signature by a head of state the sentence names
        cues = [
            Span(c.start, c.end, _Cue("ratification", "head_of_state"))
            if c.value.stage == "signing"
            and any(w.end <= c.start for w in spans["law"])
            and (
                _SIGN_IT.match(spans["_text"], c.end)
                or _IT_SIGN.search(spans["_text"], max(0, c.start - 8), c.start)
            )
            else c
            for c in cues
        ]
    if people and not any(c.value.step == "head_of_state" for c in cues):
        # «أن يصادق عليها رئيس الجمهورية», "President Tokayev ratified the treaty": a head of
        # state right by a verb of ratification, and nearer it than any chamber, is the
        # head of state's step
        def by_head(cue: Span) -> bool:
            near = min(people, key=lambda h: _gap((cue.start, cue.end), (h.start, h.end)))
            gap = _gap((cue.start, cue.end), (near.start, near.end))
            between = spans["_text"][min(cue.end, near.end) : max(cue.start, near.start)]
            return (
                gap <= _HEAD_REACH
                and not re.search(r"[,.;:]", between)
                and all(_gap((cue.start, cue.end), (b.start, b.end)) > gap for b in chambers)
            )

        cues = [
            # «للمصادقة عليه»: a noun stays a noun's claim
            Span(c.start, c.end, _Cue("ratification", "head_of_state", c.value.weak))
            if (c.value.stage, c.value.step) == ("ratification", None) and by_head(c)
            else c
            for c in cues
        ]
    passed = spans["approval"] + [c for c in cues if c.value.stage == "ratification"]
    if chambers and passed:
        # "parliament ratified the protocol …, and President Sulyok signed it": the head of
        # state's signature of what a chamber passed before in the sentence
        cues = [
            Span(c.start, c.end, _Cue("ratification", "head_of_state"))
            if c.value.stage == "signing"
            and any(0 <= c.start - h.end <= _LAW_REACH for h in people)
            and any(v.end <= c.start for v in passed)
            else c
            for c in cues
        ]
    # A noun ("the last notification") after a verb of another stage is that verb's
    # circumstance ("took effect 30 days after the last notification"), not a claim.
    cues = [
        c
        for c in cues
        if not c.value.weak
        or not any(
            not o.value.weak
            and (
                (o.value.stage, o.value.step) == (c.value.stage, c.value.step)
                or (o.value.stage != c.value.stage and o.start < c.start)
            )
            for o in cues
        )
    ]
    # A reporting verb ("announced that", «اعلام کرد», «заявил», «أعلن») is an announcement
    # only when what it announces is the agreement itself: no later stage is reported.
    reporting = spans["reporting"]
    said = [
        c
        for c in cues
        if c.value.stage == "announcement"
        and any(r.start < c.end and c.start < r.end for r in reporting)
    ]
    claims: list[_Claim] = []

    def add(cue: Span, stage: str, step: str | None, party: str | None, **kw: Any) -> None:
        body = kw.pop("body", None)
        extent = (cue.start, cue.end)
        if body is not None:
            extent = (min(cue.start, body.start), max(cue.end, body.end))
            between = spans["_text"][min(cue.end, body.end) : max(cue.start, body.start)]
            if _CLAUSE_BREAK.search(between):
                # «Госдума ратифицировала ..., а иранский меджлис — 21 мая»: the verb is
                # another clause's; the chamber's own words are its own clause's
                extent = (body.start, body.end)
        done = next(
            (
                t
                for t in spans["took_place"]
                if 0 <= t.start - extent[1] <= _TOOK_PLACE_REACH
                and not re.search(r"[,;:.]", spans["_text"][extent[1] : t.start])
            ),
            None,
        )
        if done is not None:
            # «Обмен ратификационными грамотами … состоялся в пятницу»: the noun's verb and
            # its date are the claim's
            extent = (extent[0], done.end)
        claims.append(
            _Claim(
                stage,
                step,
                party,
                body.value["name"] if body is not None else None,
                cue,
                extent,
                weak=cue.value.weak if isinstance(cue.value, _Cue) else False,
                body_span=body,
                consent_type=_consent(cue, spans) if step == "notification" else None,
                **kw,
            )
        )

    ratification = [c for c in cues if c.value.stage == "ratification"]
    stepped = [c for c in ratification if c.value.step]
    generic = [c for c in ratification if not c.value.step]
    used: list[Span] = []
    for cue in stepped:
        step = cue.value.step
        near = _nearest(people if step == "head_of_state" else chambers, (cue.start, cue.end))
        if step == "head_of_state" and near is not None and not near.value["party"]:
            # "Putin, the president, signed the law": the named head over the bare title
            near = _nearest([p for p in people if p.value["party"]], (cue.start, cue.end)) or near
        if near is None and step == "head_of_state":
            near = _nearest(chambers, (cue.start, cue.end)) if not people else None
        party = near.value["party"] if near is not None else None
        if near is not None and party is None:
            chain = next((c.party for c in reversed(claims) if c.party), None)
            if chain is None:
                # "the Turkish parliament ratified …, and the president signed the law"
                states = [b.value["party"] or _beside(b, named, spans["_text"]) for b in chambers]
                chain = next((code for code in reversed(states) if code), None)
            party = _country_of(near, acting, article_parties, chain, spans["_text"], earlier)
        body = near if near is not None and near.value["step"] in (step, None) else None
        if near is not None and (body is not None or step != "promulgation"):
            # a chamber a bill is sent to is not its actor ("submitted to the Duma"); but one
            # that only told whose promulgation it is still acts itself ("the law, adopted by
            # the National Assembly on Nov. 10, was published in …")
            used.append(near)
        if step == "notification" and cue.value.each:
            codes = list(dict.fromkeys(p.value for p in named))
            from_article = len(codes) < 2
            if from_article:
                codes = list(dict.fromkeys(codes + article_parties[:2]))[:2]
            for code in codes or [None]:
                add(cue, "ratification", step, code, from_article=from_article)
            continue
        before = [p for p in named if p.end <= cue.start]
        if step == "submitted" and (subject := [p for p in acting if p.end <= cue.start]):
            # "Sri Lanka's government submitted its agreement with Thailand to parliament":
            # the sender's parliament
            party = subject[-1].value
        guess = party is None and several
        if party is None and before and step == "notification":
            # the subject, the state or list of states named last before the verb ("Iran
            # notified Russia", "Mexico and Argentina deposited …", "…, and Nepal deposited")
            listed = _listed(spans["_text"], before)
            for code in listed[:-1]:
                add(cue, "ratification", step, code)
            party, guess = listed[-1], False
        elif party is None and before:
            party = before[0].value  # the subject
        elif party is None and acting and step != "notification":
            party = _nearest(acting, (cue.start, cue.end)).value  # type: ignore[union-attr]
        # a notification's party named after the verb is more often its addressee: left
        # to the chain an earlier sentence follows
        add(
            cue,
            "ratification",
            step,
            party,
            body=body,
            party_guess=guess and party is not None,
            by_name=near is None and party is not None,
        )
    verbs = sorted(generic + approval, key=lambda s: s.start)
    free = [b for b in chambers if b not in used]
    # «Закон о выходе из конвенции Сейм принял …»: a chamber that passes a law on an exit
    # passes that exit, not a ratification
    voted_exit = own_exit or (law_exit if spans["law"] and not generic else None)
    if verbs and free:
        for chamber in free:
            verb = _nearest(verbs, (chamber.start, chamber.end))
            assert verb is not None
            # «بانتظار مصادقة مجلس الشورى»: a chamber by a noun of ratification is a noun's claim
            noun = isinstance(verb.value, _Cue) and verb.value.weak
            cue = Span(verb.start, verb.end, _Cue("ratification", None, noun))
            step, party = chamber.value["step"], chamber.value["party"]
            if party is not None:
                # «مجلس مقدونیه شمالی»: a word that is one state's chamber, said of another's
                party = _genitive(chamber, acting, spans["_text"]) or party
            if (
                party is None
                and len(article_parties) >= 2
                and not voted_exit
                and _beside(chamber, acting, spans["_text"]) is None
                and any(
                    _gap((b.start, b.end), (chamber.start, chamber.end)) <= _BOTH_REACH
                    for b in spans["both"]
                )
            ):
                # "the parliaments of both countries"
                for code in article_parties[:2]:
                    add(cue, "ratification", step, code, body=chamber, from_article=True)
                continue
            from_earlier = False
            if party is None and step is not None:
                # "the senate", «مجلس النواب»: the nearest country's, or the article's only one
                chain = next((c.party for c in reversed(claims) if c.party), None)
                party = _country_of(
                    chamber, acting, article_parties, chain, spans["_text"], earlier
                )
            if party is None and (beside := _beside(chamber, acting, spans["_text"])) is not None:
                party = beside  # "Hungary's parliament"
            elif party is None and claims and claims[-1].party:
                # "the Guardian Council approved it after parliament passed it": the
                # same state's chain
                party, from_earlier = claims[-1].party, True
            elif party is None and acting:
                party = _nearest(acting, (chamber.start, chamber.end)).value  # type: ignore[union-attr]
                from_earlier = True
            if voted_exit is not None:
                exit_cue = Span(verb.start, verb.end, _Cue(voted_exit, None))
                add(exit_cue, voted_exit, None, party, body=chamber, from_earlier=from_earlier)
                continue
            step = chamber.value.get("step_by_party", {}).get(party, step)
            if step is None and party in _unicameral() and not chamber.value.get("executive"):
                step = "lower_house"  # a state's only chamber is its lower house
            add(cue, "ratification", step, party, body=chamber, from_earlier=from_earlier)
    elif generic and not stepped:
        cue = generic[0]
        if spans["both"] and len(article_parties) >= 2 and len({p.value for p in named}) < 2:
            for code in article_parties[:2]:
                add(cue, "ratification", None, code, from_article=True)
        elif spans["both"] and len({p.value for p in named}) >= 2:
            for code in dict.fromkeys(p.value for p in named):
                add(cue, "ratification", None, code)
        else:
            near = _nearest(named, (cue.start, cue.end))
            add(cue, "ratification", None, near.value if near else None, party_guess=several)
    for cue in cues:
        stage = cue.value.stage
        if stage == "ratification":
            continue
        party = None
        actor = _nearest(people, (cue.start, cue.end))
        for_one = (
            next(
                (
                    p
                    for p in named
                    if _FOR_ONE.fullmatch(spans["_text"], cue.end, p.start)
                    or (
                        0 <= cue.start - p.end <= 3
                        and _FOR_ONE_BEFORE.search(spans["_text"], max(0, p.start - 8), p.start)
                    )
                ),
                None,
            )
            if stage == "entry_into_force"
            else None
        )
        house = next(
            (
                code
                for b in reversed(chambers)
                if b.end <= cue.start
                and (code := b.value["party"] or _beside(b, named, spans["_text"]))
            ),
            None,
        )
        if for_one is not None:
            party = for_one.value  # "will enter into force for Palestine on 1 April"
        elif stage in _EXITS and house is not None:
            party = house  # «Жогорку Кенеш Киргизии одобрил законопроект о денонсации …»
        elif stage in _EXITS and actor is not None and actor.value["party"]:
            party = actor.value["party"]  # "Putin signed a law suspending …"
        elif stage in _EXITS:
            # the state that acts, never the other side ("… the accord with Pyongyang"):
            # the nearest named before the verb, else the first after it
            before = [p for p in acting if p.end <= cue.start]
            after = [p for p in acting if p.start >= cue.end]
            listed = _listed(spans["_text"], before)
            if len(listed) >= 2:
                # "Mali, Burkina Faso and Niger announced their withdrawal": each of them
                for code in listed:
                    add(cue, stage, None, code, party_guess=True)
                continue
            if before or after:
                party = (before[-1] if before else after[0]).value
                if not before:
                    add(cue, stage, None, party, party_guess=several, party_after=True)
                    continue
        add(cue, stage, None, party, party_guess=party is not None and several)
    spokesman = any(_speaker(b, sentence) for b in sentence.bodies if not b.value.get("person"))
    exits_made = [c for c in claims if c.stage in _EXITS]
    for claim in claims:
        if claim.stage == "entry_into_force" and any(
            e.quote.end <= claim.quote.start
            and not any(
                e.quote.end <= o.quote.start < claim.quote.start for o in claims if o is not claim
            )
            for e in exits_made
        ):
            claim.stage = ""  # «Выход … вступил в силу»: the exit took effect, nothing entered
    for claim in claims:
        claim.said = claim.quote in said
        if claim.said and (not spans["agreement"] or spokesman):
            # announces nothing it names, or a chamber's spokesman tells what it decided
            claim.stage = ""
    return [c for c in claims if c.stage]


def extract(
    original: str,
    parties: PartyMatcher,
    *,
    language: str | None = None,
    published: date | None = None,
    organisations: Iterable[str] = (),
) -> dict[str, Any]:
    """Suggestions with offsets into `original` (see SPEC §4, extract out).

    `organisations`: the codes of the parties that are organisations, not states; one is a
    party only where the agreement is its own, and never takes a state's step."""
    text = Text(original)
    folded = text.folded
    tables = _stage_tables()
    principle_spans = [p for p in find_principles(text) if p.value]
    # A name inside a principle ("the UN Charter") is not a party of the agreement.
    party_spans = [p for p in parties.find(text) if p.value and not _overlaps(p, principle_spans)]
    date_spans = find_dates(text, published)
    if published is not None:
        date_spans = _counted_dates(folded, published, date_spans)
    date_spans = _year_dates(folded, date_spans)
    body_spans = [
        Span(s.start, s.end, _lookup(tables["body_of"], s.value))
        for s in _find(tables["bodies"], folded)
    ]
    # a body marked `ignore` only looks like a chamber (the Security Council, «مجلس التعاون»)
    body_spans = [b for b in body_spans if b.value and not b.value.get("ignore")]
    cue_spans = [
        Span(s.start, s.end, _lookup(tables["cue_of"], s.value))
        for s in _find(tables["cues"], folded)
    ]
    # an entry without a stage is a phrase that only looks like a claim ("withdrawal of
    # troops", «вывод войск»): longer, it wins over the cue inside it, and claims nothing
    cue_spans = [c for c in cue_spans if c.value is not None and c.value.stage is not None]
    cue_spans = sorted(
        cue_spans + _submissions(folded, _find(tables["submit"], folded), body_spans, cue_spans),
        key=lambda s: s.start,
    )
    words = {
        key: _find(tables[key], folded)
        for key in (
            "approval",
            "expected",
            "expected_after",
            "law",
            "reporting",
            "agreement",
            "both",
            "head",
            "took_place",
        )
    }
    words["consent"] = [
        Span(s.start, s.end, _lookup(tables["consent_of"], s.value))
        for s in _find(tables["consent"], folded)
    ]
    same_day = _find(_relative_tables()[-1], folded)
    # A chamber or council of one state, or its head, names that state as a party, too.
    party_spans += [
        Span(b.start, b.end, b.value["party"])
        for b in body_spans
        if b.value["party"] and not _overlaps(b, party_spans)
    ]
    party_spans.sort(key=lambda s: s.start)
    organisations = frozenset(organisations)
    if organisations:
        agreements = _find(tables["agreement"], folded)
        party_spans = [
            p
            for p in party_spans
            if p.value not in organisations or _its_agreement(folded, p, agreements)
        ]
    article_parties = [p for p in _ranked_parties(party_spans) if p not in organisations]

    claims: list[_Claim] = []
    last_party: str | None = None
    date_of: dict[int, str] = {}  # a weekday read forward for a claim about the future
    counted = sorted(
        [Span(s.start, s.end, 0) for s in same_day]
        + [Span(s.start, s.end, 1) for s in _find(_counted_tables()[0], folded)],
        key=lambda s: s.start,
    )
    main_day: str | None = None  # the day of the last claim reported in its own right
    last_exit: str | None = None  # the party of the last exit the article names
    law_exit: str | None = None  # the exit a law the article names enacts
    # the country of the dateline («مسقط في 4 أكتوبر /العمانية/», "TOKYO, June 9 (Reuters)")
    home = next((str(p.value) for p in party_spans if p.start < _HOME_REACH), None)
    for bounds in _sentences(folded):
        spans = {key: _inside(found, bounds) for key, found in words.items()}
        spans["_text"] = folded  # type: ignore[assignment]
        sentence = _Sentence(
            bounds,
            _inside(cue_spans, bounds),
            _inside(body_spans, bounds),
            [p for p in _inside(party_spans, bounds) if p.value not in organisations],
            spans,
        )
        own_exit = _exit_law(sentence)
        found = _claims(sentence, article_parties, law_exit, last_party or last_exit, own_exit)
        law_exit = own_exit or law_exit
        extents = [c.extent for c in found]
        for claim in found:
            if claim.stage in _EXITS and claim.party is None and last_exit is not None:
                # "The National Assembly had endorsed the termination": the exit the article
                # follows
                claim.party, claim.from_earlier = last_exit, True
            if claim.party_after and last_exit is not None:
                # «Соглашение прекратит действие … турецкой стороной»: the state whose exit
                # the article follows, not the other side named after the verb
                claim.party, claim.from_earlier = last_exit, True
            if claim.stage in _EXITS and claim.party and not claim.from_earlier:
                last_exit = claim.party
            others = [e for e in extents if e != claim.extent]
            expected, claim.status_doubt = _foretold(claim, sentence, others)
            claim.status = "expected" if expected else "reported"
            if claim.step == "head_of_state" and claim.party is None and home is not None:
                # «مسقط … أصدر حضرة صاحب الجلالة السلطان … مرسوماً»: an untold head of state is
                # the one of the dateline's country
                claim.party, claim.from_earlier = home, True
            elif claim.step in _PER_PARTY and claim.party is None and last_party:
                claim.party, claim.from_earlier = last_party, True
            elif claim.step in _PER_PARTY and claim.party is None and article_parties:
                claim.party, claim.from_earlier = article_parties[0], True
            elif (
                claim.stage == "ratification" and claim.body_span and not claim.party and last_party
            ):
                # "Congress approved the accord in 2016": the parliament of the state whose
                # chain the article follows
                claim.party, claim.from_earlier = last_party, True
            if claim.body_span is not None and claim.party:
                # «مجلس الشورى» of Bahrain is its upper house
                by_party = claim.body_span.value.get("step_by_party", {})
                claim.step = by_party.get(claim.party, claim.step)
            if claim.step in _PER_PARTY and claim.party and not claim.from_earlier:
                last_party = claim.party
        # A reporting verb ("announced that", «اعلام کرد», «заявил», «أعلن») is an
        # announcement only when what it announces is the agreement itself, yet to be
        # signed: beside it, nothing but preparing it or signing it in future.
        if any(c.said for c in found) and any(
            not c.said
            and not (c.stage == "preparation" or (c.stage == "signing" and c.status == "expected"))
            for c in found
        ):
            found = [c for c in found if not c.said]
        later = any(c.stage not in _EARLIER and c.status == "reported" for c in found)
        for claim in found:
            claim.background = later and claim.stage in _EARLIER and claim.status == "reported"
        distinct = {(c.stage, c.step) for c in found}
        crowded = len(distinct) >= _CROWD or len({p.value for p in sentence.parties}) >= _CROWD
        for claim in found:
            claim.crowded = crowded
            claim.hearsay = not claim.said and any(
                not claim.extent[0] <= r.start < claim.extent[1] for r in spans["reporting"]
            )
        claim_dates = [
            d
            for d in _inside(date_spans, bounds)
            if not _dateline(folded, d) and not _names_agreement(folded, d, spans, sentence.cues)
        ]
        if len({d.value for d in claim_dates}) >= 2 and len(distinct) >= 2:
            for claim in found:
                claim.dates = True  # "the treaty, signed on 17 January, was ratified on …"
        claim_dates = _from_main_claim(claim_dates, _inside(counted, bounds), main_day)
        _date_claims(found, sentence, claim_dates, same_day, date_of)
        read = _inside(date_spans, bounds)
        unread = any(
            not any(d.start <= m.start() < d.end for d in read)
            for m in _NUMBER.finditer(folded, bounds[0], bounds[1])
        )
        for claim in found:
            if unread and claim.date is None and claim.status == "reported":
                # "approved on Nov. 18" read as no date: a number the sentence names that no
                # date was read from may be this claim's date
                claim.date_doubt = True
        for claim in found:
            if (
                claim.status == "reported"
                and not claim.background
                and claim.date is not None
                and _FULL_DAY.fullmatch(str(claim.date.value))
            ):
                main_day = claim.date.value
        for claim in found:
            if _after_publication(claim, published):
                # "enters into force on 1 July" in a June article: a forecast; a past verb
                # with a later date is rather a date misread
                claim.status_doubt = claim.status_doubt or bool(
                    _PAST.match(folded, claim.quote.start, claim.quote.end)
                )
                claim.status = "expected"
        claims += found

    _dated_by_signing(claims, _find(tables["from_signing"], folded))
    events = _events(claims, text)
    dates_out = []
    for span in date_spans:
        start, end, quoted = text.at(span)
        value = date_of.get(span.start, span.value)
        dates_out.append({"date": value, "text": quoted, "start": start, "end": end})

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
        "dates": dates_out,
        "principles": spans_out(principle_spans, "code"),
    }


_TO_CHAMBER = re.compile(
    r"(?<!\w)(?:to|in|into|before|в|во|на|به|الی|علی)\s+(?:the\s+|its\s+|their\s+)?$"
)
_SUBMIT_REACH = 90  # "would table in parliament next month the defence cooperation agreement"
_SUBMIT_BEFORE = 40  # «لایحه را به مجلس شورای اسلامی تقدیم کرد»
_LEGISLATURE = {"lower_house", None}  # a bill sent on to a senate: that senate to come


def _submissions(
    folded: str, verbs: list[Span], bodies: list[Span], cues: list[Span]
) -> list[Span]:
    """Cues of the submission step built from a verb of sending and the legislature it sends
    to ("submitted its agreement with Thailand to parliament", "sent the accord to the
    Senate", «به مجلس ... تقدیم کرد», «أحالت الاتفاقية إلى مجلس النواب»), where no cue of the
    lexicon already covers the verb."""
    out = []
    chambers = [
        b
        for b in bodies
        if not b.value.get("person")
        and not b.value.get("executive")
        and b.value.get("step") in _LEGISLATURE
    ]
    for verb in verbs:
        if _overlaps(verb, cues):
            continue
        for chamber in chambers:
            after = 0 <= chamber.start - verb.end <= _SUBMIT_REACH
            before = 0 <= verb.start - chamber.end <= _SUBMIT_BEFORE
            if not (after or before):
                continue
            gap = (verb.end, chamber.start) if after else (chamber.end, verb.start)
            if re.search(r"[.;!?؟]", folded[gap[0] : gap[1]]):
                continue
            if _TO_CHAMBER.search(folded, max(0, chamber.start - 14), chamber.start):
                out.append(Span(verb.start, verb.end, _Cue("ratification", "submitted")))
                break
    return out


def _dated_by_signing(claims: list[_Claim], spans: list[Span]) -> None:
    """ "Took effect from the day of signing", «از روز امضا لازم‌الاجرا شد»: an undated entry
    into force takes the date of the signing the article reports."""
    signed = [c for c in claims if c.stage == "signing" and c.status == "reported" and c.date]
    if not spans or not signed:
        return
    for claim in claims:
        if claim.stage == "entry_into_force" and claim.date is None:
            if any(_gap(claim.extent, (s.start, s.end)) <= _FROM_SIGNING_REACH for s in spans):
                claim.date = signed[-1].date


_FROM_SIGNING_REACH = 40


def _from_main_claim(dates: list[Span], counted: list[Span], main_day: str | None) -> list[Span]:
    """ "The same day", "the next day" with no full date before them in their sentence
    count from the day of the last claim reported in its own right before them («Жогорку
    Кенеш в среду ратифицировал договор, подписанный 13 марта. В тот же день …»: that
    Wednesday), not from a background date named after it."""
    if main_day is None:
        return dates
    out = list(dates)
    for span in counted:
        if any(
            d.end <= span.start and _FULL_DAY.fullmatch(str(d.value))
            for d in dates
            if not (d.start < span.end and span.start < d.end)
        ):
            continue  # counted from a date of its own sentence
        value = (date.fromisoformat(main_day) + timedelta(days=span.value)).isoformat()
        out = [
            Span(d.start, d.end, value) if d.start < span.end and span.start < d.end else d
            for d in out
        ]
    return out


def _after_publication(claim: _Claim, published: date | None) -> bool:
    """The claim's date (day, month or year) begins after the day of publication."""
    if published is None or claim.date is None or claim.stage not in _FORETOLD:
        return False
    value = str(claim.date.value)
    if not re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", value):
        return False
    return value > published.isoformat()[: len(value)]


# A break stronger than "and" between two chambers: a comma, "but".
_BREAK = re.compile(r"[,;،]|(?<!\w)(?:but|however|но|однако|اما|ولكن|لكن)(?!\w)")
# Where one clause ends and another begins: a comma, "and", «и», «و», «ثم».
_PUNCTUATION = re.compile(r"[,;]")  # «о предотвращении и пресечении»: "and" inside a name
_CLAUSE_BREAK = re.compile(r"[,;]|(?<!\w)(?:and|but|while|и|а|но|و|ثم|اما|فيما)(?!\w)")
# "a few days after the attack on 9 September", «после визита 5 мая», «پس از حمله … در»: a
# date after one of these words, in the same clause, is that other event's
_AFTER = re.compile(r"(?<!\w)(?:after|following|после|پس از|بعد از|بعد|عقب)(?!\w)")


def _core_gap(claim: _Claim, where: tuple[int, int]) -> int:
    """Characters from a date to the claim's verb or its chamber, whichever is nearer."""
    gaps = [_gap((claim.quote.start, claim.quote.end), where)]
    if claim.body_span is not None:
        gaps.append(_gap((claim.body_span.start, claim.body_span.end), where))
    return min(gaps)


def _dateline(folded: str, day: Span) -> bool:
    """The date of the dateline is the report's, not a claim's: "Tehran, 15 July — …",
    «عمّان 2 أيلول (بترا)- …», «المنامة في 13 مايو /بنا/ …», «МОСКВА, 8 апреля. /ТАСС/. …»,
    «АСТАНА. 12 февраля. ИНТЕРФАКС-КАЗАХСТАН - …»: a date at the start, after a place (three
    words at most), before a dash or an agency's name in brackets or slashes."""
    if day.start >= 60 or len(_WORD.findall(folded, 0, day.start)) > 3:
        return False
    return bool(_AGENCY.match(folded, day.end, day.end + 45))


_AGENCY = re.compile(r"\s*(?:[.,]\s*)?(?:[—–-]+\s|[/(][^/()\n]{1,30}[/)]|[^\s.]{2,30}\s+[—–-])")


def _date_claims(
    claims: list[_Claim],
    sentence: _Sentence,
    dates: list[Span],
    same_day: list[Span],
    date_of: dict[int, str],
) -> None:
    """Each date of the sentence goes to the nearest claim (a chamber's claim reaches from
    the chamber to its verb), unless a reporting verb is nearer ("said on Tuesday"): a claim
    takes only the date of its own clause. "The same day" is the date named just before."""
    dates = list(dates)
    for span in _inside(same_day, sentence.bounds):
        before = [d for d in dates if d.end <= span.start and _FULL_DAY.fullmatch(str(d.value))]
        if before:
            # «في اليوم نفسه»: "the same day", not the "today" (اليوم) inside it
            dates = [d for d in dates if not (d.start < span.end and span.start < d.end)]
            dates.append(Span(span.start, span.end, before[-1].value))
    if not dates or not claims:
        return
    folded = sentence.spans["_text"]
    reporting = [
        (verb.start, verb.end)
        for verb in sentence.spans["reporting"]
        if not any(c.extent[0] <= verb.start < c.extent[1] for c in claims)
    ]

    def distance(claim: _Claim, where: tuple[int, int]) -> tuple[int, int, int]:
        """Inside the claim's words first, then within its clause, then nearest its verb."""
        gap = _gap(claim.extent, where)
        between = folded[min(where[1], claim.extent[1]) : max(where[0], claim.extent[0])]
        return (gap > 0, len(_CLAUSE_BREAK.findall(between)) if gap else 0, gap)

    taken: dict[int, list[Span]] = {}
    respective = _respectively(claims, dates, sentence)
    for claim, day in respective:
        taken.setdefault(id(claim), []).append(day)
    dates = [d for d in dates if all(d is not day for _, day in respective)]
    far: set[int] = set()  # the dates given across a clause break
    lost = False  # a date of the sentence went to a saying
    sayings: list[tuple[Span, int]] = []  # such a date, and where its saying ends
    for day in dates:
        where = (day.start, day.end)
        ranked = sorted(claims, key=lambda c: distance(c, where))
        governed = [
            m
            for m in _AFTER.finditer(folded, sentence.bounds[0], where[0])
            if not _CLAUSE_BREAK.search(folded, m.end(), where[0])
        ]
        ranked = [
            c
            for c in ranked
            if not governed or (governed[-1].end() <= c.extent[0] and c.extent[1] <= where[0])
        ]
        if not ranked:
            continue
        inside = [c for c in claims if _gap(c.extent, where) == 0]
        if inside:
            # «دوما معاهده‌ای را که ۲۸ دی امضا شده بود تصویب کرد»: a claim whose words
            # lie within another's takes the dates nearer its verb
            pool = inside + [
                c
                for c in claims
                if c not in inside
                and any(o.extent[0] <= c.quote.start < o.extent[1] for o in inside)
            ]
            ranked = sorted(pool, key=lambda c: _core_gap(c, where)) + [
                c for c in ranked if c not in pool
            ]
        owner = ranked[0]
        # "said on Tuesday", «روز دوشنبه اعلام کرد»: the date of the saying, not of the
        # claim; but not "... next month, media reported"
        said = [
            v
            for v in reporting
            if 0 <= where[0] - v[1] <= _SAID_REACH
            or (
                0 <= v[0] - where[1] <= _SAID_REACH
                and not re.search(r"[,.;:]", folded[where[1] : v[0]])
            )
        ]
        if said and min(_gap(v, where) for v in said) < _gap(owner.extent, where):
            lost = True
            sayings.append((day, max(v[1] for v in said)))
            continue
        if (
            _gap(owner.extent, where)
            and re.search(
                r"[,;]", folded[min(where[1], owner.extent[1]) : max(where[0], owner.extent[0])]
            )
            # "the ministry, on Monday, 15 January, said": a date set off by commas is
            # the clause's it interrupts
            and not (
                re.search(r",\s*$", folded[max(0, where[0] - 3) : where[0]])
                and re.match(r"\s*,", folded[where[1] : where[1] + 3])
            )
        ):
            far.add(id(day))  # beyond a comma: the date of a neighbouring clause
        # «المجلس الشعبي الوطني ومجلس الأمة قد صادقا … في ماي»: a date outside the claim's
        # words goes to every chamber of its verb
        shared = _gap(owner.extent, where) > 0
        owners = {
            id(c)
            for c in claims
            if c.extent == owner.extent
            or (
                c.quote == owner.quote
                and c.stage == owner.stage
                and (
                    (shared and distance(c, where)[1] == 0)
                    # «مجلس نمایندگان تاجیکستان و جوگورکو کنش قرقیزستان روز چهارشنبه …
                    # تصویب کردند»: a date between the chambers joined by "and" and their
                    # one verb (not «…، اما شورای نگهبان»: another clause's)
                    # «وافق مجلسا البرلمان، مجلس الشعب ومجلس الشيوخ، يوم الأربعاء»: a date
                    # right after the chambers their verb came before
                    or (
                        owner.quote.end <= min(c.extent[0], owner.extent[0])
                        and 0 <= where[0] - max(c.extent[1], owner.extent[1]) <= _DATE_AFTER_ALL
                    )
                    or (
                        min(c.extent[0], owner.extent[0]) <= where[0] < owner.quote.start
                        and not _BREAK.search(
                            folded,
                            min(c.extent[0], owner.extent[0]),
                            max(c.extent[0], owner.extent[0]),
                        )
                    )
                )
            )
        }
        rival = next((c for c in ranked if id(c) not in owners), None)
        doubtful = (
            rival is not None
            and distance(rival, where)[:2] == distance(owner, where)[:2]
            and (distance(rival, where)[2] - distance(owner, where)[2] < _DATE_MARGIN)
        )
        for claim in claims:
            if id(claim) in owners:
                taken.setdefault(id(claim), []).append(day)
                claim.date_doubt = claim.date_doubt or doubtful
    for claim in claims:
        if claim.stage in _EXITS and claim.status == "reported" and id(claim) not in taken:
            # "announced on Sunday that it was withdrawing", «в воскресенье объявили о
            # выходе»: a state's exit is the announcing of it, on that day
            spoken = [day for day, end in sayings if end <= claim.quote.start]
            if spoken:
                taken[id(claim)] = spoken[-1:]
    for claim in claims:
        mine = taken.get(id(claim))
        if not mine:
            # the sentence dates another claim, or a saying: this one's date may be there
            claim.date_doubt = bool(taken) or (lost and claim.status == "reported")
            continue
        day = min(mine, key=lambda d: _gap(claim.extent, (d.start, d.end)))
        claim.far_date = id(day) in far
        if claim.status == "expected" and day.ahead:
            day = Span(day.start, day.end, day.ahead)
            date_of[day.start] = day.value
        elif (
            claim.status == "reported"
            and day.behind
            and not (
                # «с 1 декабря приостанавливает»: a verb in the present keeps the nearest day
                _FULL_DAY.fullmatch(str(day.value))
                and _PRESENT.match(folded, claim.quote.start, claim.quote.end)
            )
        ):
            day = Span(day.start, day.end, day.behind)
            date_of[day.start] = day.value
        claim.date = day


def _respectively(
    claims: list[_Claim], dates: list[Span], sentence: _Sentence
) -> list[tuple[_Claim, Span]]:
    """«одобрили бундестаг и бундесрат в мае и июне соответственно», "in May and June
    respectively": the chambers of one verb take the dates that follow them, in order."""
    folded = sentence.spans["_text"]
    if not _RESPECTIVELY.search(folded, *sentence.bounds):
        return []
    by_verb: dict[tuple[int, int], list[_Claim]] = {}
    for claim in claims:
        if claim.body_span is not None:
            by_verb.setdefault((claim.quote.start, claim.quote.end), []).append(claim)
    for group in by_verb.values():
        group = sorted(group, key=lambda c: c.body_span.start)  # type: ignore[union-attr]
        after = [d for d in dates if d.start >= group[0].body_span.start]  # type: ignore[union-attr]
        if len(group) >= 2 and len(after) == len(group):
            return list(zip(group, sorted(after, key=lambda d: d.start), strict=True))
    return []


# on folded text, where «على التوالي» is written «علی التوالی»
_RESPECTIVELY = re.compile(r"(?<!\w)(?:respectively|соответственно|به ترتیب|علی التوالی)(?!\w)")


def _confidence(claim: _Claim) -> float:
    value = _WEAK if claim.weak else _CONFIDENT
    if claim.status_doubt or claim.date_doubt:
        value = min(value, _DOUBT)
    if claim.background:
        value = min(value, _BACKGROUND)
    if claim.status == "expected":
        value = min(value, _FORECAST)
    if (claim.step in _PER_PARTY or claim.stage in _EXITS) and claim.party is None:
        # an exit is one party's: without it, a researcher says whose
        value = min(value, _NO_PARTY)
    if claim.from_article:
        value -= _FROM_ARTICLE
    if claim.from_earlier:
        value -= _FROM_EARLIER
    if claim.stage == "ratification" and claim.step is None:
        value -= _NO_STEP
    if claim.hearsay:
        value -= _HEARSAY
    if claim.crowded:
        value -= _CROWDED
    if claim.far_date:
        value -= _FAR_DATE
    if claim.party_guess:
        value -= _PARTY_GUESS
    if claim.by_name:
        value -= _BY_NAME
    if claim.dates:
        value -= _DATES
    return round(max(0.0, min(1.0, value)), 2)


def _events(claims: list[_Claim], text: Text) -> list[dict[str, Any]]:
    """One suggestion per distinct claim; an undated one is dropped beside the same claim
    dated."""
    dated = {(c.stage, c.step, c.party, c.status) for c in claims if c.date is not None}
    events: list[dict[str, Any]] = []
    index: dict[tuple[Any, ...], dict[str, Any]] = {}
    for claim in claims:
        key4 = (claim.stage, claim.step, claim.party, claim.status)
        if claim.date is None and key4 in dated:
            continue
        key = (*key4, claim.date.value if claim.date else None)
        confidence = _confidence(claim)
        if key in index:
            index[key]["confidence"] = max(index[key]["confidence"], confidence)
            continue
        start, end, quoted = text.at(claim.quote)
        event = {
            "stage": claim.stage,
            "step": claim.step,
            "party": claim.party,
            "body": claim.body,
            "status": claim.status,
            "date": claim.date.value if claim.date else None,
            "consent_type": claim.consent_type,
            "confidence": confidence,
            "text": quoted,
            "start": start,
            "end": end,
        }
        index[key] = event
        events.append(event)
    return events
