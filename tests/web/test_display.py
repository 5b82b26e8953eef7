"""What pages show of user text and dates: every run of user text isolated and escaped, and
every date by the reader's calendar setting (Solar Hijri month names when it is on)."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from tests import factories
from tracker.models import EvidenceArticle
from tracker.services.accounts.users import update_user
from tracker.services.reminders.manual import create_reminder
from tracker.text.dates import jalali_to_edtf
from tracker.web.common import bdi, highlight_snippet, isolate_runs, show_date

RLO = "\u202e"


def text_of(html: str) -> str:
    """The page's text, tags removed (entities left as they are)."""
    return re.sub(r"<[^>]+>", "", html)


# The filters ---------------------------------------------------------------------------


def test_bdi_escapes_and_isolates() -> None:
    assert bdi("<script>alert(1)</script>") == (
        '<bdi dir="auto">&lt;script&gt;alert(1)&lt;/script&gt;</bdi>'
    )
    assert bdi(f"Accord {RLO}reversed") == f'<bdi dir="auto">Accord {RLO}reversed</bdi>'
    assert bdi(None) == "" and bdi("") == "" and not bdi(None)
    # A mostly English note: the Persian run is isolated, so dir=auto reads it as English.
    assert bdi("«به زودی» (soon): no date given.") == (
        '<bdi dir="auto">«<bdi>به زودی</bdi>» (soon): no date given.</bdi>'
    )


def test_isolate_runs_escapes_inside_runs_too() -> None:
    # The run is from its first strong letter to its last: the brackets stay outside.
    assert isolate_runs("توافق <b>x</b> امضا شد") == "توافق &lt;<bdi>b&gt;x&lt;/b</bdi>&gt; امضا شد"
    assert isolate_runs(None) == ""


def test_highlight_keeps_marks_and_runs_nested() -> None:
    text = "وزارت دفاع روسیه گفت Moscow and Tehran"
    defence, moscow = text.index("دفاع"), text.index("Moscow")
    # The second mark starts before the run and ends inside it; the third overlaps it.
    spans = [(defence, defence + 4), (moscow - 1, moscow + 6), (moscow, moscow + 2)]
    marked = highlight_snippet(text, spans)
    assert marked == (
        "وزارت <mark>دفاع</mark> روسیه گفت<mark> </mark><bdi><mark>Moscow</mark> and Tehran</bdi>"
    )
    assert highlight_snippet("<i>", [(0, 1)]) == "<mark>&lt;</mark>i&gt;"


@pytest.mark.parametrize(
    ("value", "plain", "jalali"),
    [
        (
            "2025-01-17",
            '<time datetime="2025-01-17" dir="ltr">17 Jan 2025</time>',
            '<time datetime="2025-01-17" dir="ltr">28 Dey 1403 (17 Jan 2025)</time>',
        ),
        (
            date(2025, 1, 17),
            '<time datetime="2025-01-17" dir="ltr">17 Jan 2025</time>',
            '<time datetime="2025-01-17" dir="ltr">28 Dey 1403 (17 Jan 2025)</time>',
        ),
        (
            datetime(2025, 1, 17, 10, 32),
            '<time datetime="2025-01-17" dir="ltr">17 Jan 2025 10:32</time>',
            '<time datetime="2025-01-17" dir="ltr">28 Dey 1403 10:32 (17 Jan 2025)</time>',
        ),
        (
            "2024-10-22/2024-11-20",
            '<span class="date" dir="ltr">22 Oct – 20 Nov 2024</span>',
            '<span class="date" dir="ltr">Aban 1403 (22 Oct – 20 Nov 2024)</span>',
        ),
        (
            "2025-06~",
            '<span class="date" dir="ltr">c. Jun 2025</span>',
            '<span class="date" dir="ltr">c. 11 Khordad – 9 Tir 1404 (c. Jun 2025)</span>',
        ),
        ("<b>soon</b>", '<span class="date" dir="ltr">&lt;b&gt;soon&lt;/b&gt;</span>', None),
    ],
)
def test_the_day_filter(value, plain: str, jalali: str | None) -> None:  # type: ignore[no-untyped-def]
    assert show_date(value, jalali=False) == plain
    assert show_date(value, jalali=True) == (jalali or plain)


def test_no_date_is_empty_so_a_default_can_follow() -> None:
    assert show_date(None, jalali=True) == "" and not show_date("", jalali=False)


# The pages -----------------------------------------------------------------------------


@pytest.fixture
def dated(session, people):  # type: ignore[no-untyped-def]
    """An agreement signed on 2025-01-17 (28 Dey 1403), entry into force expected in the
    Jalali month Aban 1404, a reminder for the editor due that day, and an article
    published that day whose outlet carries an override character."""
    treaty = factories.agreement(session, title="Caspian shelf accord")
    article = factories.article(
        session,
        "The Caspian shelf accord was signed in Ashgabat.",
        title="Shelf accord signed",
        outlet=f"Caspian {RLO}Herald",
        published="2025-01-17",
    )
    factories.event(
        session,
        treaty.id,
        "signing",
        "2025-01-17",
        place=f"Ash{RLO}gabat",
        evidence=[{"article_id": article.id, "quote": "was signed in Ashgabat"}],
    )
    factories.event(
        session, treaty.id, "entry_into_force", jalali_to_edtf("1404/08"), status="expected"
    )
    create_reminder(
        session,
        {
            "agreement_id": treaty.id,
            "due": "2025-01-17",
            "reason": "Was it ratified?",
            "assignee": people["editor"].email,
        },
    )
    return treaty


def _pages(treaty) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "agreement": f"/agreements/{treaty.id}",
        "dashboard": "/",
        "list": "/agreements",
        "reminders": "/reminders?show=all",
        "search": "/search?q=Caspian&type=article",
    }


EXPECTED = {  # what each page shows of the dates above, with the Jalali setting on
    "agreement": ["28 Dey 1403 (17 Jan 2025)", "Aban 1404 (23 Oct – 21 Nov 2025)"],
    "dashboard": ["28 Dey 1403 (17 Jan 2025)"],
    "list": ["Aban 1404 (23 Oct – 21 Nov 2025)"],
    "reminders": ["28 Dey 1403 (17 Jan 2025)"],
    "search": ["28 Dey 1403 (17 Jan 2025)"],
}
GREGORIAN = {
    "agreement": ["17 Jan 2025", "23 Oct – 21 Nov 2025"],
    "dashboard": ["17 Jan 2025"],
    "list": ["23 Oct – 21 Nov 2025"],
    "reminders": ["17 Jan 2025"],
    "search": ["17 Jan 2025"],
}
JALALI_MONTH = re.compile(
    r"\b(Farvardin|Ordibehesht|Khordad|Tir|Mordad|Shahrivar|Mehr|Aban|Azar|Dey|Bahman|Esfand)"
    r" 1[34]\d\d\b"
)


def test_with_the_jalali_setting_every_page_names_jalali_months(
    editor_web, session, people, dated
) -> None:  # type: ignore[no-untyped-def]
    update_user(session, people["editor"].id, {"show_jalali": True})
    for name, path in _pages(dated).items():
        response = editor_web.get(path)
        assert response.status_code == 200, (name, response.status_code)
        text = text_of(response.get_data(as_text=True))
        for wording in EXPECTED[name]:
            assert wording in text, (name, wording)


def test_without_it_dates_are_gregorian_only(editor_web, session, people, dated) -> None:  # type: ignore[no-untyped-def]
    assert not people["editor"].show_jalali
    for name, path in _pages(dated).items():
        text = text_of(editor_web.get(path).get_data(as_text=True))
        for wording in GREGORIAN[name]:
            assert wording in text, (name, wording)
        assert not JALALI_MONTH.search(text), (name, JALALI_MONTH.search(text))


def test_outlet_and_place_with_an_override_are_isolated(viewer_web, session, dated) -> None:  # type: ignore[no-untyped-def]
    # Intake strips override characters from an article's outlet now; an outlet stored before
    # that (written here straight into the table) must still be isolated on the page.
    article = session.scalars(
        select(EvidenceArticle).where(EvidenceArticle.title == "Shelf accord signed")
    ).one()
    assert article.outlet == "Caspian Herald"  # stripped on the way in
    article.outlet = f"Caspian {RLO}Herald"
    session.commit()
    html = viewer_web.get(f"/agreements/{dated.id}").get_data(as_text=True)
    # An outlet is isolated either in a <bdi> or in its own dir="auto" element (which the
    # browser isolates too: HTML's rendering rules give [dir=auto] unicode-bidi: isolate).
    outlet = re.compile(
        f'(<bdi dir="auto">|<span class="outlet" dir="auto">)Caspian {RLO}Herald(</bdi>|</span>)'
    )
    assert outlet.search(html)
    assert f'<bdi dir="auto">Ash{RLO}gabat</bdi>' in html
    dashboard = viewer_web.get("/").get_data(as_text=True)
    assert outlet.search(dashboard)


def test_markup_in_user_text_stays_text(editor_web, session) -> None:  # type: ignore[no-untyped-def]
    treaty = factories.agreement(session, title="<script>alert(1)</script> پیمان")
    factories.event(session, treaty.id, "signing", "2025-01-17", body="<img src=x onerror=1>")
    for path in (f"/agreements/{treaty.id}", "/agreements", "/"):
        html = editor_web.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html, path
    html = editor_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    assert '<bdi dir="auto">&lt;img src=x onerror=1&gt;</bdi>' in html
