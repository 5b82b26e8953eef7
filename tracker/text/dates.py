"""EDTF dates with their earliest and latest day, and Solar Hijri (Jalali) input and display.

Every stored date is an EDTF string (Library of Congress Extended Date/Time Format,
Gregorian). `parse_date_input` also accepts a Solar Hijri date such as ``1403/10/28``
(Persian or Arabic-Indic digits too) and converts it. Full-width digits and punctuation
(``２０２４－０１－１５``) are read as their ASCII forms; digits of any other script are refused.

Supported range: years 1000 to 2999 (SPEC §3). A date outside it is refused, and
`add_days` never overflows, so a far-off day already stored cannot break arithmetic.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from edtf import parse_edtf
from edtf.parser.edtf_exceptions import EDTFParseException
from persiantools.jdatetime import JalaliDate

_DIGITS = str.maketrans(
    "".join(chr(0x06F0 + i) for i in range(10)) + "".join(chr(0x0660 + i) for i in range(10)),
    "0123456789" * 2,
)
# Years 1200-1499 with a month: Solar Hijri (Gregorian years that early are out of scope).
_JALALI = re.compile(r"^(1[2-4]\d\d)[/\-.](\d{1,2})(?:[/\-.](\d{1,2}))?$", re.ASCII)
_PLAIN = re.compile(r"^(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", re.ASCII)
_OPEN = {"", ".."}

MIN_YEAR, MAX_YEAR = 1000, 2999
FIRST_DAY, LAST_DAY = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)
RANGE = f"years {MIN_YEAR} to {MAX_YEAR}"
OUT_OF_RANGE = f"is outside the supported range ({RANGE})"


class DateError(ValueError):
    """The input is not a date this system can store; the message says what is wrong."""


@dataclass(frozen=True)
class EdtfDate:
    """An EDTF string with its first and last possible Gregorian day (None when open)."""

    text: str
    earliest: date | None
    latest: date | None


def _struct_to_date(value: object) -> date:
    if not hasattr(value, "tm_year"):  # the parser's infinity for an open end
        raise TypeError("not a day")
    if not 1 <= value.tm_year <= 9999:  # type: ignore[attr-defined]  # Y170000002, -0100
        raise DateError(OUT_OF_RANGE)
    return date(value.tm_year, value.tm_mon, value.tm_mday)  # type: ignore[attr-defined]


def in_range(day: date | None) -> bool:
    """Whether a day lies in the supported range (None, an open end, does)."""
    return day is None or FIRST_DAY <= day <= LAST_DAY


def check_day(day: date) -> date:
    """The day itself, or DateError when it lies outside the supported range."""
    if not in_range(day):
        raise DateError(f"{day.isoformat()} {OUT_OF_RANGE}")
    return day


def normalise_digits(text: str) -> str:
    """Full-width forms folded to ASCII (NFKC), Persian and Arabic-Indic digits to 0-9."""
    return unicodedata.normalize("NFKC", text).translate(_DIGITS).strip()


def _explain(text: str) -> str:
    """A specific reason for a date that looks like YYYY[-MM[-DD]] but is not one."""
    match = _PLAIN.match(text)
    if not match:
        return (
            f"{text!r} is not an EDTF date; write it as YYYY, YYYY-MM or YYYY-MM-DD, with ? for "
            "uncertain, ~ for approximate, or A/B for a range (e.g. 2024-01-15, 2025-06~, "
            "2025-05/2025-06)"
        )
    year, month, day = match.groups()
    if month and not 1 <= int(month) <= 12:
        if 21 <= int(month) <= 41:
            return f"{text!r}: {month} is a season code in EDTF, not a month; months are 01-12"
        return f"{text!r}: month {month} does not exist (months are 01-12)"
    if day:
        last = calendar.monthrange(int(year), int(month))[1]
        if not 1 <= int(day) <= last:
            return f"{text!r}: day {day} does not exist in {year}-{month} (it has {last} days)"
    return f"{text!r} is not a valid EDTF date"


def _bounds(text: str) -> tuple[date, date]:
    plain = _plain_bounds(text)
    if plain is not None:
        return plain
    try:
        parsed = parse_edtf(text)
        return _struct_to_date(parsed.lower_strict()), _struct_to_date(parsed.upper_strict())
    except DateError:
        raise DateError(f"{text!r} {OUT_OF_RANGE}") from None
    except (EDTFParseException, ValueError):
        # The edtf package lets some impossible days through (2025-02-29); date() does not.
        raise DateError(_explain(text)) from None
    except (TypeError, OverflowError):
        raise DateError(f"{text!r} cannot be turned into a span of days") from None


def _plain_bounds(text: str) -> tuple[date, date] | None:
    """A valid year, year-month or day of the common era without the EDTF parser (which
    takes about 10 ms); None for anything else, which the parser then judges."""
    match = _PLAIN.match(text)
    if not match or text.startswith("-"):
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)  # type: ignore[arg-type]
        if day is None:
            last = calendar.monthrange(year, month)[1]  # type: ignore[arg-type]
            return date(year, month, 1), date(year, month, last)  # type: ignore[arg-type]
        return date(year, month, day), date(year, month, day)  # type: ignore[arg-type]
    except ValueError:  # no such day or month (calendar.IllegalMonthError is one too)
        return None


def parse_edtf_date(text: str) -> EdtfDate:
    """Validate an EDTF string and find its earliest and latest day; raise DateError if invalid.

    Seasons (2024-21) are accepted as EDTF allows them. Open-ended intervals such as
    ``2025-01/..`` have no latest day.
    """
    text = normalise_digits(text)
    if not text:
        raise DateError("the date is empty")
    if not text.isascii():
        raise DateError(
            f"{text!r}: write dates with the digits 0-9 and ASCII signs (- / ? ~ ..); Persian, "
            "Arabic-Indic and full-width digits are converted, no other script is"
        )
    if text.count("/") > 1:
        if any(part in _OPEN for part in text.split("/")):
            raise DateError(
                f"{text!r}: an interval has one slash, START/END "
                "(e.g. 2025-05/2025-06 or 2025-05/..)"
            )
        raise DateError(_explain(text))
    if "/" in text:
        start, _, end = text.partition("/")
        if start in _OPEN and end in _OPEN:
            raise DateError(f"{text!r}: an interval needs at least one known end")
        earliest = None if start in _OPEN else _bounds(start)[0]
        latest = None if end in _OPEN else _bounds(end)[1]
        if start not in _OPEN and end not in _OPEN:
            _bounds(text)  # the edtf package checks the interval as a whole too
        if earliest and latest and earliest > latest:
            raise DateError(f"{text!r}: the interval ends before it starts")
        return _in_range(EdtfDate(text, earliest, latest))
    earliest, latest = _bounds(text)
    return _in_range(EdtfDate(text, earliest, latest))


def _in_range(parsed: EdtfDate) -> EdtfDate:
    if not (in_range(parsed.earliest) and in_range(parsed.latest)):
        raise DateError(f"{parsed.text!r} {OUT_OF_RANGE}")
    return parsed


def jalali_to_edtf(text: str) -> str | None:
    """Convert ``1403/10/28`` (or the month ``1403/10``) to EDTF; None if it is not Jalali.

    A Jalali month spans two Gregorian months, so it becomes an interval of days.
    """
    match = _JALALI.match(normalise_digits(text))
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if day is not None:
            return JalaliDate(year, month, day).to_gregorian().isoformat()
        first = JalaliDate(year, month, 1)
        last = JalaliDate(year, month, _jalali_month_length(year, month))
    except ValueError as exc:
        reason = exc.args[0] if exc.args else "out of range"
        raise DateError(f"{text!r} is not a valid Solar Hijri date: {reason}") from None
    return f"{first.to_gregorian().isoformat()}/{last.to_gregorian().isoformat()}"


def _jalali_month_length(year: int, month: int) -> int:
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if JalaliDate.is_leap(year) else 29


def parse_date_input(text: str) -> EdtfDate:
    """What a researcher typed (EDTF or Solar Hijri) as a stored EDTF date; raise DateError."""
    cleaned = normalise_digits(text)
    converted = jalali_to_edtf(cleaned)
    return parse_edtf_date(converted if converted is not None else cleaned)


def to_jalali(day: date) -> str:
    """The Solar Hijri form of a Gregorian day, as YYYY/MM/DD; empty outside the supported
    range (a far-off day stored before it was enforced)."""
    if not in_range(day):
        return ""
    return JalaliDate.to_jalali(day).strftime("%Y/%m/%d")


def describe_span(earliest: date | None, latest: date | None) -> str:
    """A short human reading of a span: one day, or 'from … to …'."""
    if earliest and latest and earliest == latest:
        return earliest.isoformat()
    if earliest and latest:
        return f"{earliest.isoformat()} – {latest.isoformat()}"
    if earliest:
        return f"from {earliest.isoformat()}"
    if latest:
        return f"until {latest.isoformat()}"
    return "undated"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _readable_one(text: str) -> str:
    approximate = "~" in text or "%" in text
    uncertain = "?" in text or "%" in text
    core = text.rstrip("~?%")
    match = _PLAIN.match(core)
    if not match or core.startswith("-"):
        return text
    year, month, day = match.groups()
    if month and not 1 <= int(month) <= 12:
        return text
    words = year if not month else f"{_MONTHS[int(month) - 1]} {year}"
    if day:
        words = f"{int(day)} {words}"
    return ("about " if approximate else "") + words + ("?" if uncertain else "")


def readable(text: str | None) -> str:
    """An EDTF date for reading: 2025-01-17 -> 17 Jan 2025, 2025-06~ -> about Jun 2025,
    2025-07-01/2025-07-30 -> 1 Jul 2025 – 30 Jul 2025; anything else as written."""
    if not text:
        return "undated"
    if "/" in text:
        start, _, end = text.partition("/")
        if start in _OPEN:
            return f"by {_readable_one(end)}"
        if end in _OPEN:
            return f"from {_readable_one(start)}"
        return f"{_readable_one(start)} – {_readable_one(end)}"
    return _readable_one(text)


def span_to_edtf(earliest: date, latest: date) -> str:
    """The EDTF for a span of days: a day, or an interval."""
    if earliest == latest:
        return earliest.isoformat()
    return f"{earliest.isoformat()}/{latest.isoformat()}"


def add_days(day: date | None, days: int) -> date | None:
    """`day` moved by `days`, held at the first or last day Python knows instead of
    overflowing (a far-off day stored before the range was enforced stays harmless)."""
    if day is None:
        return None
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min
