"""Dates and mixed-script text as people read them: the pages' date wording (Gregorian, or
Solar Hijri with the Gregorian beside it) and the runs of right-to-left or left-to-right
script that need isolating so mixed Persian/English text keeps its order.

Dates: a stored EDTF string (or a date, or a datetime) becomes ``17 Jan 2025``, ``Jan 2025``,
``2025``, ``May–Jun 2025``, ``c. Jun 2025`` (approximate), ``17 Jan 2025?`` (uncertain),
``from Jan 2025`` (open interval); in the Solar Hijri calendar the same span is worded with
the Jalali months (``28 Dey 1403``, ``Aban 1403``), and the Gregorian follows in brackets.
A span that is a whole month or year in a calendar is named as one there; otherwise its
first and last day are given, so nothing is rounded.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from persiantools.jdatetime import JalaliDate

from tracker.text.dates import DateError, parse_edtf_date

GREGORIAN_MONTHS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
JALALI_MONTHS = (
    "Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
    "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
)  # fmt: skip
SEASONS = {21: "Spring", 22: "Summer", 23: "Autumn", 24: "Winter"}
DASH = "–"
_SEASON = re.compile(r"^(\d{4})-(2[1-4])$")
_OPEN, _UNKNOWN = "..", ""


@dataclass(frozen=True)
class _Calendar:
    """How to count days in one calendar: (year, month, day) of a day and a month's length."""

    to_ymd: Callable[[date], tuple[int, int, int]]
    month_length: Callable[[int, int], int]
    months: Sequence[str]


def _gregorian_ymd(day: date) -> tuple[int, int, int]:
    return day.year, day.month, day.day


def _jalali_ymd(day: date) -> tuple[int, int, int]:
    j = JalaliDate.to_jalali(day)
    return j.year, j.month, j.day


GREGORIAN = _Calendar(_gregorian_ymd, lambda y, m: calendar.monthrange(y, m)[1], GREGORIAN_MONTHS)
JALALI = _Calendar(_jalali_ymd, lambda y, m: JalaliDate.days_in_month(m, y), JALALI_MONTHS)


def format_span(cal: _Calendar, first: date, last: date) -> str:
    """The days first..last in `cal`: a day, a month or a year when the span is exactly one
    (or several in a row), otherwise the first and last day (``28 Dey – 12 Bahman 1403``)."""
    y1, m1, d1 = cal.to_ymd(first)
    y2, m2, d2 = cal.to_ymd(last)
    name = cal.months
    if d1 == 1 and d2 == cal.month_length(y2, m2):
        if m1 == 1 and m2 == 12:
            return f"{y1}" if y1 == y2 else f"{y1}{DASH}{y2}"
        if (y1, m1) == (y2, m2):
            return f"{name[m1 - 1]} {y1}"
        if y1 == y2:
            return f"{name[m1 - 1]}{DASH}{name[m2 - 1]} {y1}"
        return f"{name[m1 - 1]} {y1} {DASH} {name[m2 - 1]} {y2}"
    if first == last:
        return f"{d1} {name[m1 - 1]} {y1}"
    if (y1, m1) == (y2, m2):
        return f"{d1}{DASH}{d2} {name[m1 - 1]} {y1}"
    if y1 == y2:
        return f"{d1} {name[m1 - 1]} {DASH} {d2} {name[m2 - 1]} {y1}"
    return f"{d1} {name[m1 - 1]} {y1} {DASH} {d2} {name[m2 - 1]} {y2}"


@dataclass(frozen=True)
class _Value:
    """One EDTF date (not an interval): its days and its qualifiers."""

    text: str
    first: date
    last: date
    approximate: bool = False
    uncertain: bool = False


def _value(text: str) -> _Value:
    """An EDTF date with a trailing ?, ~ or % read as uncertain, approximate or both."""
    mark = text[-1] if text and text[-1] in "?~%" else ""
    core = text[:-1] if mark else text
    try:
        parsed = parse_edtf_date(core)
    except DateError:  # a qualifier the shape above does not cover: the whole, unqualified
        core, mark = text, ""
        parsed = parse_edtf_date(text)
    if parsed.earliest is None or parsed.latest is None:
        raise DateError(f"{text!r} is not a single date")
    return _Value(core, parsed.earliest, parsed.latest, mark in ("~", "%"), mark in ("?", "%"))


def _qualify(text: str, value: _Value) -> str:
    return ("c. " if value.approximate else "") + text + ("?" if value.uncertain else "")


def _word(cal: _Calendar, value: _Value) -> str:
    season = _SEASON.match(value.text)
    if season and cal is GREGORIAN:
        return f"{SEASONS[int(season.group(2))]} {season.group(1)}"
    return format_span(cal, value.first, value.last)


def _edge(cal: _Calendar, value: _Value, end: bool) -> str:
    """One end of an interval: the value as a whole if `cal` names it as one unit, else its
    first day (a start) or last day (an end)."""
    text = _word(cal, value)
    if DASH in text:
        text = (
            format_span(cal, value.last, value.last)
            if end
            else format_span(cal, value.first, value.first)
        )
    return _qualify(text, value)


def _interval(cal: _Calendar, start: str, end: str) -> str:
    if start in (_OPEN, _UNKNOWN):
        tail = _edge(cal, _value(end), end=True)
        return f"until {tail}" + (", start unknown" if start == _UNKNOWN else "")
    head_value = _value(start)
    if end in (_OPEN, _UNKNOWN):
        head = _edge(cal, head_value, end=False)
        return f"from {head}" + (", end unknown" if end == _UNKNOWN else "")
    tail_value = _value(end)
    qualified = any(
        v.approximate or v.uncertain for v in (head_value, tail_value)
    ) or _SEASON.match(start)
    if not qualified:
        return format_span(cal, head_value.first, tail_value.last)
    return f"{_edge(cal, head_value, end=False)} {DASH} {_edge(cal, tail_value, end=True)}"


def _in_calendar(cal: _Calendar, text: str) -> str:
    if "/" in text:
        start, _, end = text.partition("/")
        return _interval(cal, start, end)
    value = _value(text)
    return _qualify(_word(cal, value), value)


def describe_date(value: str | date | datetime | None, *, jalali: bool = False) -> str:
    """A stored date as a reader sees it; with `jalali`, the Solar Hijri wording first and
    the Gregorian in brackets. Empty for no date; text that is not a date comes back as is."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return _describe(value.date().isoformat(), jalali, f" {value:%H:%M}")
    if isinstance(value, date):
        return _describe(value.isoformat(), jalali)
    return _describe(str(value).strip(), jalali)


@lru_cache(maxsize=4096)
def _describe(text: str, jalali: bool, clock: str = "") -> str:
    """`describe_date` of an EDTF string, with a time of day after the day when given
    (cached: pages show the same few dates many times)."""
    if text[:1] in "[{":  # a set ("one of", "all of"): its own notation says it best
        return text
    try:
        gregorian = _in_calendar(GREGORIAN, text)
        if not jalali:
            return gregorian + clock
        return f"{_in_calendar(JALALI, text)}{clock} ({gregorian})"
    except (DateError, ValueError, OverflowError):
        return text


# Bidirectional text -----------------------------------------------------------------------


def _strength(char: str) -> str | None:
    kind = unicodedata.bidirectional(char)
    if kind == "L":
        return "L"
    if kind in ("R", "AL"):
        return "R"
    return None


def minority_runs(line: str) -> list[tuple[int, int]]:
    """[start, end) of each run of the line's less used direction (from its first strong
    character to its last before the other direction resumes). Isolating these runs makes
    the line's first strong character outside them, which `dir="auto"` and
    `unicode-bidi: plaintext` go by, the majority's: an English note that opens with a
    Persian quote reads left to right, a Persian sentence that opens with a Latin name
    right to left."""
    kinds = [_strength(c) for c in line]
    left, right = kinds.count("L"), kinds.count("R")
    if not left or not right:
        return []
    if left == right:
        majority = next(k for k in kinds if k)
    else:
        majority = "L" if left > right else "R"
    runs: list[tuple[int, int]] = []
    start = last = None
    for index, kind in enumerate(kinds):
        if kind is None:
            continue
        if kind != majority:
            start = index if start is None else start
            last = index
        elif start is not None:
            runs.append((start, last + 1))  # type: ignore[operator]
            start = None
    if start is not None:
        runs.append((start, last + 1))  # type: ignore[operator]
    return runs


def runs_of(text: str) -> list[tuple[int, int]]:
    """`minority_runs` line by line (a run never spans a line break), as offsets in `text`."""
    runs: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        runs += [(offset + s, offset + e) for s, e in minority_runs(line)]
        offset += len(line) + 1
    return runs


def segments(
    text: str, runs: Iterable[tuple[int, int]], marks: Iterable[tuple[int, int]] = ()
) -> list[tuple[str, bool, bool]]:
    """`text` cut at every run and mark boundary: (piece, in a run, in a mark). Runs and
    marks are each sorted and do not overlap among themselves."""
    runs = sorted(runs)
    marks = sorted((s, e) for s, e in marks if 0 <= s < e <= len(text))
    cuts = sorted({0, len(text), *(p for span in [*runs, *marks] for p in span)})
    pieces = []
    r = m = 0
    for start, end in zip(cuts, cuts[1:], strict=False):
        while r < len(runs) and runs[r][1] <= start:
            r += 1
        while m < len(marks) and marks[m][1] <= start:
            m += 1
        in_run = r < len(runs) and runs[r][0] <= start
        in_mark = m < len(marks) and marks[m][0] <= start
        pieces.append((text[start:end], in_run, in_mark))
    return pieces
