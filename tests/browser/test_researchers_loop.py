"""The researcher's loop, counted: the seed treaty's later history recorded in a real browser
from four reports written in English, Russian, Persian and Arabic (tests/data/journey.json),
each pasted once and its suggestions accepted as the extractor ticks them.

Eight facts: the signing in Moscow (2025-01-17); the State Duma (2025-04-08), the Federation
Council (2025-04-16) and the President's signature of the law (2025-04-21); the Majlis
(2025-05-21, typed in the report as 31 Ordibehesht 1404) and the Guardian Council
(2025-06-11, "on Wednesday"); the exchange of the last notifications (2025-09-02, one per
party) and the entry into force (2025-10-02). Every form POST the browser sends is counted,
the sign-in included: at most nine. No false claim may be ticked, and at the end the treaty
is in force, both parties notified, every step dated on the parties table, nothing flagged.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import EDITOR

JOURNEY = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "journey.json").read_text(encoding="utf-8")
)
SEED_TITLE = "Treaty on Comprehensive Strategic Partnership"

# What each report must give, ticked, as (stage, step, party, date); nothing else is ticked.
TICKED = {
    "en": {("signing", "", "", "2025-01-17")},
    "ru": {
        ("ratification", "lower_house", "RUS", "2025-04-08"),
        ("ratification", "upper_house", "RUS", "2025-04-16"),
        ("ratification", "head_of_state", "RUS", "2025-04-21"),
    },
    "fa": {
        ("ratification", "lower_house", "IRN", "2025-05-21"),
        ("ratification", "constitutional_review", "IRN", "2025-06-11"),
    },
    "ar": {
        ("ratification", "notification", "RUS", "2025-09-02"),
        ("ratification", "notification", "IRN", "2025-09-02"),
        ("entry_into_force", "", "", "2025-10-02"),
    },
}


def _rows(page: Page) -> list[dict[str, object]]:
    """Every suggested event on the review page, with its fields as the form holds them."""
    rows = []
    for box in page.locator("input[type=checkbox][id$='-accept']").all():
        prefix = (box.get_attribute("id") or "").removesuffix("-accept")

        def value(name: str, prefix: str = prefix) -> str:
            field = page.locator(f"#{prefix}-{name}")
            return field.input_value() if field.count() else ""

        rows.append(
            {
                "key": (value("stage"), value("step"), value("party"), value("date")),
                "status": value("status"),
                "ticked": box.is_checked(),
            }
        )
    return rows


def test_the_seed_treatys_later_history_in_nine_submissions(  # type: ignore[no-untyped-def]
    page: Page, live_server: str, screenshots
) -> None:
    posts: list[str] = []

    def count(request: Request) -> None:
        if request.method == "POST" and request.resource_type == "document":
            posts.append(request.url.removeprefix(live_server))

    page.on("request", count)

    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email").fill(EDITOR[0])
    page.get_by_label("Password").fill(EDITOR[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("link", name="Agreements", exact=True).click()
    page.get_by_role("link", name=re.compile(SEED_TITLE)).first.click()
    agreement_url = page.url

    for report in JOURNEY:
        page.goto(agreement_url)
        page.get_by_role("link", name="Add evidence").click()
        page.get_by_label("Text").fill(report["text"])
        page.get_by_label("Title").fill(report["title"])
        page.get_by_label("Outlet").fill(report["outlet"])
        page.get_by_label("Published").fill(report["published"])
        page.get_by_role("button", name="Read it").click()
        expect(page.get_by_role("heading", name="What the article says")).to_be_visible()

        rows = _rows(page)
        ticked = {row["key"] for row in rows if row["ticked"]}
        assert ticked == TICKED[report["language"]], (report["language"], rows)
        # Whatever is suggested but not ticked is not claimed as having happened.
        for row in rows:
            if not row["ticked"]:
                assert row["key"] not in TICKED[report["language"]], row
        page.get_by_role("button", name="Accept the ticked suggestions").click()
        expect(page.get_by_text(re.compile(r"Recorded \d+ events?"))).to_be_visible()

    assert len(posts) <= 9, posts
    print(f"\nresearcher's loop: 8 facts in {len(posts)} form submissions: {posts}")

    page.goto(agreement_url)
    expect(page.locator("span.status")).to_have_text("In force")
    expect(page.locator("#needs-attention")).to_have_count(0)
    for code in ("RUS", "IRN"):
        cell = page.locator(f"#ratification-{code}")
        expect(cell).to_contain_text("Notified")
        expect(cell).to_contain_text("notified on 2 Sep 2025")
        steps = cell.locator("ol.steps li")
        assert steps.count() >= 3, code
        for text in steps.all_inner_texts():
            assert "undated" not in text, (code, text)
    expect(page.locator("#ratification-RUS")).to_contain_text("State Duma")
    expect(page.locator("#ratification-RUS")).to_contain_text("21 Apr 2025")
    expect(page.locator("#ratification-IRN")).to_contain_text("21 May 2025")
    expect(page.locator("#ratification-IRN")).to_contain_text("11 Jun 2025")
    expect(page.locator(".key-dates")).to_contain_text("Signed 17 Jan 2025")
    expect(page.locator(".key-dates")).to_contain_text("In force 2 Oct 2025")
    page.screenshot(path=str(screenshots / "agreement-in-force.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screenshots / "agreement-in-force-390.png"), full_page=True)
