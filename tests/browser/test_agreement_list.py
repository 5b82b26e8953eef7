"""In a real browser: a new agreement with its parties typed by name (one in Persian, one
misspelt first), then the agreements list filtered by party and kind, at desktop width and
at 390 px without sideways scrolling."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import EDITOR

TITLE = "Caspian shipping memorandum (browser list test)"


def _sign_in(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email").fill(EDITOR[0])
    page.get_by_label("Password").fill(EDITOR[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_parties_by_name_then_the_list_filtered_by_party_and_kind(
    page: Page, live_server: str, screenshots
) -> None:  # type: ignore[no-untyped-def]
    _sign_in(page, live_server)
    page.goto(f"{live_server}/agreements/new")
    page.get_by_label("Title (English)").fill(TITLE)
    page.get_by_label("Kind").select_option("memorandum")
    parties = page.get_by_label("Parties")
    expect(page.locator("#parties-hint")).to_contain_text("Names or codes, separated by commas")
    expect(page.locator("datalist#party-names option[value='Iran (IRN)']")).to_have_count(1)
    # After a comma the suggestions follow the next name (the script keeps the typed head).
    parties.press_sequentially("Russia, Ir")
    expect(page.locator("datalist#party-names option[value='Russia, Iran (IRN)']")).to_have_count(1)
    parties.fill("Rusia, ایران")
    page.get_by_role("button", name="Save").click()
    errors = page.locator("#parties-errors")
    expect(errors).to_contain_text("‘Rusia’ is not a party we know — did you mean Russia (RUS)?")
    expect(parties).to_have_value("Rusia, ایران")  # nothing typed is lost
    parties.fill("Russia, ایران")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()

    page.goto(f"{live_server}/agreements")
    page.get_by_label("Party", exact=True).fill("ایران")
    page.locator("form.filters").get_by_label("Kind").select_option("memorandum")
    page.locator("form.filters").get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"kind=memorandum"))
    rows = page.locator("table.agreements tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(TITLE)
    expect(rows.first).to_contain_text("RUS")
    expect(page.get_by_label("Party", exact=True)).to_have_value("ایران")  # kept in the form
    page.screenshot(path=str(screenshots / "agreements-filtered.png"), full_page=True)

    page.locator("form.filters").get_by_label("Kind").select_option("protocol")
    page.locator("form.filters").get_by_role("button", name="Show").click()
    expect(page.get_by_text("No agreement matches these filters.")).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/agreements?party=Iran")
    expect(page.locator("table.agreements")).to_be_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 390px"
    box = page.locator(".table-scroll").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=str(screenshots / "agreements-390.png"), full_page=True)
