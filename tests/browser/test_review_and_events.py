"""Reviewing an article's suggestions in a real browser: two rows corrected (one date typed in
Solar Hijri with Persian digits) and three accepted by one submission; then an event edited
from its row, and another retracted after confirmation and brought back with Undo."""

from __future__ import annotations

import re

from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import EDITOR

ARTICLE = (
    "Moscow and Tehran announced on 15 January 2024 that they are preparing a comprehensive "
    "agreement. The presidents signed the treaty in Moscow on 17 January 2025. "
    "The State Duma ratified the treaty on 8 April 2025. "
    "Iran's parliament will ratify the treaty soon."
)


def test_review_edit_accept_then_edit_retract_and_undo(  # type: ignore[no-untyped-def]
    page: Page, live_server: str, screenshots
) -> None:
    posts: list[str] = []

    def count(request: Request) -> None:
        if request.method == "POST":
            posts.append(request.url)

    page.on("request", count)

    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email").fill(EDITOR[0])
    page.get_by_label("Password").fill(EDITOR[1])
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/agreements/new")
    page.get_by_label("Title (English)").fill("Review in the browser")
    page.get_by_label("Kind").select_option("treaty")
    page.get_by_label("Parties").fill("RUS, IRN")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Review in the browser")).to_be_visible()

    page.get_by_role("link", name="Add evidence").click()
    page.get_by_label("Text").fill(ARTICLE)
    page.get_by_label("Title").fill("Russia and Iran: from talks to a treaty")
    page.get_by_label("Outlet").fill("Test wire")
    page.get_by_label("Published").fill("2025-05-01")
    page.get_by_role("button", name="Read it").click()
    expect(page.get_by_role("heading", name="What the article says")).to_be_visible()

    rows = page.locator(".suggestion")
    assert rows.count() >= 3, "the article should give at least three suggestions"
    posts.clear()
    for index in range(rows.count()):
        box = page.locator(f"#events-{index}-accept")
        box.check() if index < 3 else box.uncheck()
    # Row 0: an announcement, its date typed in Solar Hijri (Persian digits), confirmed.
    page.locator("#events-0-stage").select_option("announcement")
    expect(page.locator("#field-events-0-step")).to_be_hidden()  # only for ratification
    page.locator("#events-0-date").fill("۱۴۰۲/۱۰/۲۵")
    page.locator("#events-0-status").select_option("confirmed")
    # Row 2: corrected to the signing the article reports, confirmed.
    page.locator("#events-2-stage").select_option("ratification")
    expect(page.locator("#field-events-2-step")).to_be_visible()
    page.locator("#events-2-stage").select_option("signing")
    expect(page.locator("#field-events-2-step")).to_be_hidden()
    page.locator("#events-2-party").select_option("")
    page.locator("#events-2-body").fill("")
    page.locator("#events-2-date").fill("2025-01-17")
    page.locator("#events-2-status").select_option("confirmed")
    page.screenshot(path=str(screenshots / "review-edited.png"), full_page=True)
    page.get_by_role("button", name="Accept the ticked suggestions").click()
    expect(
        page.get_by_text(
            re.compile(r"Recorded 3 events( and \d+ principles?)? from Test wire: “Russia and Iran")
        )
    ).to_be_visible()
    assert len(posts) == 1, posts  # three events, one submission

    events = page.locator("table.events tr.event")
    expect(events).to_have_count(3)
    announcement = events.filter(has_text="Announcement")
    expect(announcement).to_contain_text("15 Jan 2024")
    expect(announcement).to_contain_text("Confirmed")
    signing = events.filter(has_text="Signing")
    expect(signing).to_contain_text("17 Jan 2025")
    expect(signing).to_contain_text("Confirmed")

    # Edit the signing from its row.
    posts.clear()
    signing.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name=re.compile("Edit a stage event"))).to_be_visible()
    expect(page.get_by_label("Date")).to_have_value("2025-01-17")
    expect(page.locator("#field-step")).to_be_hidden()
    page.get_by_label("Place").fill("Moscow")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Stage event saved.")).to_be_visible()
    expect(signing).to_contain_text("Moscow")
    assert len(posts) == 1, posts

    # Retract the announcement: asked first, then Undo brings it back as it was.
    announcement.get_by_role("link", name="Retract").click()
    expect(page.get_by_role("heading", name="Retract this claim?")).to_be_visible()
    page.get_by_role("button", name="Retract this claim").click()
    expect(page.get_by_text("The claim is retracted")).to_be_visible()
    folded = page.locator("details.retracted-claims")
    expect(folded.locator("summary")).to_have_text("1 retracted claim")
    expect(folded.locator("tr.event")).to_have_count(1)
    # The link to the retracted row opens the fold; the page alone shows it folded away.
    other = page.context.new_page()
    other.goto(page.url.split("#")[0])
    expect(other.locator("details.retracted-claims tr.event")).to_be_hidden()
    expect(other.locator("table.events tr.event:visible")).to_have_count(2)
    other.close()
    page.screenshot(path=str(screenshots / "retracted-with-undo.png"), full_page=True)
    page.locator(".flash").get_by_role("button", name="Undo").click()
    expect(page.get_by_text("The claim is back, as confirmed.")).to_be_visible()
    expect(page.locator("details.retracted-claims")).to_have_count(0)
    expect(events.filter(has_text="Announcement")).to_contain_text("Confirmed")
