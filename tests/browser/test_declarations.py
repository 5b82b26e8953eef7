"""A reservation in Persian and another party's objection to it, recorded through the forms
in a real browser: the text reads right to left, the objection sits under what it answers,
the participants table marks both, and at 390 px nothing scrolls sideways."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.test_small_screens import PHONE, sideways, sign_in

RESERVATION = "جمهوری اسلامی ایران خود را ملزم به بند ۲ ماده ۱۴ (ICJ) نمی‌داند."


def test_a_reservation_and_an_objection_to_it(page: Page, live_server: str) -> None:
    sign_in(page, live_server)
    page.goto(f"{live_server}/agreements/new")
    page.get_by_label("Title (English)").fill("A convention with a reservation")
    page.get_by_label("Kind").select_option("treaty")
    page.get_by_label("Parties").fill("RUS, IRN, FRA")
    page.get_by_role("button", name="Save").click()

    page.get_by_role("link", name="Record a declaration").click()
    page.get_by_label("Party", exact=True).select_option("IRN")
    page.get_by_label("Kind", exact=True).select_option("reservation")
    page.get_by_label("Made at").select_option("consent")
    page.get_by_label("Date").fill("۱۴۰۳/۱۰/۲۸")
    page.get_by_label("Text", exact=True).fill(RESERVATION)
    page.get_by_label("Language of the text").fill("fa")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("The reservation is recorded.")).to_be_visible()

    text = page.locator("blockquote.declaration-text").first
    expect(text).to_have_text(RESERVATION)
    assert text.evaluate("e => getComputedStyle(e).direction") == "rtl"
    expect(page.locator("#participant-IRN a.declaration-marker")).to_have_text("reservation")

    # an objection with nothing to answer is refused beside its field
    page.get_by_role("link", name="Record an objection").click()
    page.get_by_label("Party", exact=True).select_option("IRN")
    page.get_by_role("button", name="Record").click()
    expect(page.locator("#field-objects_to")).to_contain_text("cannot object to its own")
    page.get_by_label("Party", exact=True).select_option("FRA")
    page.get_by_label("Date").fill("2026-03-01")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("The objection is recorded.")).to_be_visible()
    expect(page.locator("p.objected")).to_have_text("Objected to by FRA")
    expect(page.locator("ul.objections li")).to_contain_text("FRA objects")
    expect(page.locator("#participant-FRA a.declaration-marker")).to_have_text("objection")

    page.set_viewport_size(PHONE)
    page.reload()
    assert sideways(page) == 0
    section = page.locator("#declarations")
    box = section.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
