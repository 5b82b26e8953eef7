"""EDTF validation with clear reasons, earliest/latest days, and Solar Hijri input."""

from __future__ import annotations

from datetime import date

import pytest
from edtf import parse_edtf
from hypothesis import given
from hypothesis import strategies as st

from tracker.text.dates import (
    DateError,
    _plain_bounds,
    add_days,
    parse_date_input,
    parse_edtf_date,
    readable,
    to_jalali,
)


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("2024-01-15", date(2024, 1, 15), date(2024, 1, 15)),
        ("2024-01", date(2024, 1, 1), date(2024, 1, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-06~", date(2025, 6, 1), date(2025, 6, 30)),
        ("2024-07-21?", date(2024, 7, 21), date(2024, 7, 21)),
        ("2025-05/2025-06", date(2025, 5, 1), date(2025, 6, 30)),
        ("2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("2025-01/..", date(2025, 1, 1), None),
        ("../2024-06", None, date(2024, 6, 30)),
    ],
)
def test_edtf_days(text, earliest, latest):
    parsed = parse_edtf_date(text)
    assert (parsed.text, parsed.earliest, parsed.latest) == (text, earliest, latest)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2024-13-01", "month 13 does not exist"),
        ("2025-02-29", "day 29 does not exist in 2025-02"),
        ("15/01/2024", "not an EDTF date"),
        ("2024-1-5", "not an EDTF date"),
        ("soon", "not an EDTF date"),
        ("", "empty"),
        ("2025-06/2025-05", "ends before it starts"),
        ("../..", "at least one known end"),
    ],
)
def test_invalid_edtf_says_what_is_wrong(text, reason):
    with pytest.raises(DateError, match=reason):
        parse_edtf_date(text)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1403/10/28", "2025-01-17"),
        ("۱۴۰۳/۱۰/۲۸", "2025-01-17"),
        ("١٤٠٣/١٠/٢٨", "2025-01-17"),
        ("1402/10/25", "2024-01-15"),
        ("1403/12/30", "2025-03-20"),  # 1403 is a leap year
        ("1403/10", "2024-12-21/2025-01-19"),  # a Jalali month spans two Gregorian ones
        ("2025-01-17", "2025-01-17"),
        ("۲۰۲۵-۰۱-۱۷", "2025-01-17"),
    ],
)
def test_solar_hijri_and_persian_digits_are_converted(typed, stored):
    assert parse_date_input(typed).text == stored


def test_an_impossible_solar_hijri_date_is_refused():
    with pytest.raises(DateError, match="Solar Hijri"):
        parse_date_input("1404/12/30")  # 1404 is not a leap year


def test_jalali_display():
    assert to_jalali(date(2025, 1, 17)) == "1403/10/28"


@given(
    st.integers(min_value=1, max_value=9999),
    st.integers(min_value=0, max_value=45),
    st.integers(min_value=0, max_value=32),
    st.sampled_from(["year", "month", "day"]),
)
def test_the_quick_path_for_plain_dates_agrees_with_the_edtf_parser(year, month, day, form):
    text = f"{year:04d}" + (f"-{month:02d}" if form != "year" else "")
    text += f"-{day:02d}" if form == "day" else ""
    quick = _plain_bounds(text)
    try:
        parsed = parse_edtf(text)
        lower, upper = parsed.lower_strict(), parsed.upper_strict()
        expected = (date(*lower[:3]), date(*upper[:3]))
    except Exception:  # not EDTF, or a day the parser lets through that does not exist
        expected = None
    if quick is not None:  # the quick path only answers what it is sure of
        assert quick == expected, text
    else:  # and leaves the rest to the parser: invalid, or a season
        assert expected is None or 21 <= month <= 41, text


@pytest.mark.parametrize(
    ("edtf", "words"),
    [
        ("2025-01-17", "17 Jan 2025"),
        ("2025-04", "Apr 2025"),
        ("2025", "2025"),
        ("2025-06~", "about Jun 2025"),
        ("2024-07-21?", "21 Jul 2024?"),
        ("2025-07-01/2025-07-30", "1 Jul 2025 – 30 Jul 2025"),
        ("2025-07-01/..", "from 1 Jul 2025"),
        ("2024-21", "2024-21"),  # a season: as written
        (None, "undated"),
    ],
)
def test_dates_read_as_words(edtf, words):
    assert readable(edtf) == words


@pytest.mark.parametrize(
    "text",
    [
        "9999-12-01",
        "9999",
        "0001-01-05",
        "0999-12-31",
        "3000-01-01",
        "2024-01/3000",
        "0999/..",
        "../3000-01-01",
        "Y30000",
        "1000-01-01/9999-12-31",
    ],
)
def test_a_date_outside_years_1000_to_2999_is_refused(text):
    with pytest.raises(DateError, match=r"outside the supported range \(years 1000 to 2999\)"):
        parse_date_input(text)


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("1000-01-01", date(1000, 1, 1), date(1000, 1, 1)),
        ("2999-12-31", date(2999, 12, 31), date(2999, 12, 31)),
        ("1000/2999", date(1000, 1, 1), date(2999, 12, 31)),
    ],
)
def test_the_ends_of_the_supported_range_are_accepted(text, earliest, latest):
    parsed = parse_date_input(text)
    assert (parsed.earliest, parsed.latest) == (earliest, latest)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2024-01/2024-02/..", "an interval has one slash"),
        ("../2024-01-01/..", "an interval has one slash"),
        ("2024/2025/2026", "not an EDTF date"),
    ],
)
def test_more_than_one_slash_is_refused_clearly(text, reason):
    with pytest.raises(DateError, match=reason):
        parse_date_input(text)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("２０２４-０１-１５", "2024-01-15"),
        ("２０２４－０１－１５", "2024-01-15"),
        ("２０２５-０５／２０２５-０６", "2025-05/2025-06"),
        ("１４０３/１０/２８", "2025-01-17"),
    ],
)
def test_full_width_digits_are_read_as_ascii(typed, stored):
    assert parse_date_input(typed).text == stored


@pytest.mark.parametrize("typed", ["२०२४-01-15", "๒๐๒๔", "২০২৪-০১", "2024\u201001\u201015"])
def test_digits_of_other_scripts_are_refused_clearly(typed):
    with pytest.raises(DateError, match="digits 0-9"):
        parse_date_input(typed)


def test_date_arithmetic_never_overflows():
    assert add_days(date(9999, 12, 31), 30) == date.max
    assert add_days(date(1, 1, 5), -30) == date.min
    assert add_days(date(2024, 1, 31), 1) == date(2024, 2, 1)
    assert add_days(None, 1) is None


def test_a_far_off_stored_day_has_no_solar_hijri_form_instead_of_an_error():
    assert to_jalali(date(1, 1, 5)) == ""
    assert to_jalali(date(9999, 12, 31)) == ""
