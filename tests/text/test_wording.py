"""Dates worded for readers (Gregorian, or Solar Hijri with the Gregorian beside it) and the
runs of the other script direction in mixed Persian/English text."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tracker.text.dates import jalali_to_edtf
from tracker.text.display import describe_date, minority_runs, runs_of, segments


@pytest.mark.parametrize(
    ("stored", "gregorian", "jalali"),
    [
        ("2025-01-17", "17 Jan 2025", "28 Dey 1403 (17 Jan 2025)"),
        (date(2025, 1, 17), "17 Jan 2025", "28 Dey 1403 (17 Jan 2025)"),
        (datetime(2025, 1, 17, 9, 5), "17 Jan 2025 09:05", "28 Dey 1403 09:05 (17 Jan 2025)"),
        # A Gregorian month is not a Jalali one: its first and last day are named.
        ("2025-01", "Jan 2025", "12 Dey – 12 Bahman 1403 (Jan 2025)"),
        ("2024", "2024", "11 Dey 1402 – 11 Dey 1403 (2024)"),
        # A Jalali month typed as 1403/08 is stored as the interval of its days.
        (jalali_to_edtf("1403/08"), "22 Oct – 20 Nov 2024", "Aban 1403 (22 Oct – 20 Nov 2024)"),
        (jalali_to_edtf("1403/12"), "19 Feb – 20 Mar 2025", "Esfand 1403 (19 Feb – 20 Mar 2025)"),
        ("2025-03-21/2026-03-20", "21 Mar 2025 – 20 Mar 2026", "1404 (21 Mar 2025 – 20 Mar 2026)"),
        ("2024-12-25/2025-01-05", "25 Dec 2024 – 5 Jan 2025", "5–16 Dey 1403 (25 Dec 2024 – 5 Jan 2025)"),
        ("2025-05/2025-06", "May–Jun 2025", "11 Ordibehesht – 9 Tir 1404 (May–Jun 2025)"),
        # Uncertain (?), approximate (~), both (%).
        ("2025-01-17?", "17 Jan 2025?", "28 Dey 1403? (17 Jan 2025?)"),
        ("2025-06~", "c. Jun 2025", "c. 11 Khordad – 9 Tir 1404 (c. Jun 2025)"),
        ("2024%", "c. 2024?", "c. 11 Dey 1402 – 11 Dey 1403? (c. 2024?)"),
        ("2025-05~/2025-06", "c. May 2025 – Jun 2025", "c. 11 Ordibehesht 1404 – 9 Tir 1404 (c. May 2025 – Jun 2025)"),
        # Open and unknown ends.
        ("2025-01/..", "from Jan 2025", "from 12 Dey 1403 (from Jan 2025)"),
        ("../2025-01", "until Jan 2025", "until 12 Bahman 1403 (until Jan 2025)"),
        ("2025-01-17/", "from 17 Jan 2025, end unknown", "from 28 Dey 1403, end unknown (from 17 Jan 2025, end unknown)"),
        ("/2025-01-17", "until 17 Jan 2025, start unknown", "until 28 Dey 1403, start unknown (until 17 Jan 2025, start unknown)"),
        # Unspecified digits and seasons.
        ("201X", "2010–2019", "11 Dey 1388 – 10 Dey 1398 (2010–2019)"),
        ("2025-XX", "2025", "12 Dey 1403 – 10 Dey 1404 (2025)"),
        ("2024-21", "Spring 2024", "11 Esfand 1402 – 11 Khordad 1403 (Spring 2024)"),
    ],
)  # fmt: skip
def test_dates_in_both_calendars(stored, gregorian: str, jalali: str) -> None:  # type: ignore[no-untyped-def]
    assert describe_date(stored) == gregorian
    assert describe_date(stored, jalali=True) == jalali


def test_every_jalali_month_has_its_name() -> None:
    names = [
        "Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
        "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
    ]  # fmt: skip
    for month, name in enumerate(names, start=1):
        stored = jalali_to_edtf(f"1403/{month:02d}")
        assert describe_date(stored, jalali=True).startswith(f"{name} 1403 ("), stored
        day = jalali_to_edtf(f"1403/{month:02d}/05")
        assert describe_date(day, jalali=True).startswith(f"5 {name} 1403 ("), day


@pytest.mark.parametrize("stored", [None, ""])
def test_no_date_is_empty(stored) -> None:  # type: ignore[no-untyped-def]
    assert describe_date(stored) == "" and describe_date(stored, jalali=True) == ""


@pytest.mark.parametrize("stored", ["sometime soon", "2025-02-30", "[2024,2025]", "2025-13"])
def test_what_is_not_a_plain_date_comes_back_as_typed(stored: str) -> None:
    assert describe_date(stored) == stored and describe_date(stored, jalali=True) == stored


def test_runs_of_the_minority_direction() -> None:
    note = "«به زودی» (soon): no date given."
    (run,) = minority_runs(note)
    assert note[slice(*run)] == "به زودی"  # the quotation marks stay with the English
    persian = "مسکو و تهران به گزارش RIA Novosti امضا میکنند"
    (run,) = minority_runs(persian)
    assert persian[slice(*run)] == "RIA Novosti"
    assert minority_runs("English only") == [] and minority_runs("فقط فارسی") == []
    assert minority_runs("12/10 ...") == []


def test_runs_never_cross_a_line() -> None:
    text = "English line with فارسی\nفارسی با English"
    runs = [text[slice(*r)] for r in runs_of(text)]
    assert runs == ["فارسی", "English"]


def test_segments_cut_at_runs_and_marks() -> None:
    text = "abc دفع xyz"
    pieces = segments(text, [(4, 7)], [(2, 5)])
    assert [(p, run, mark) for p, run, mark in pieces] == [
        ("ab", False, False),
        ("c ", False, True),
        ("د", True, True),
        ("فع", True, False),
        (" xyz", False, False),
    ]
