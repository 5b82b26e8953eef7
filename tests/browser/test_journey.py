"""A researcher's journey in a real browser: sign in, create an agreement, paste the founding
article, accept the suggested parties, announcement and principles, record the signing, and
see both events on the timeline."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import EDITOR
from tests.browser.seed_paths import SEED_ARTICLE


def test_from_sign_in_to_the_timeline(page: Page, live_server: str, screenshots) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(r"/sign-in"))
    page.get_by_label("Email").fill(EDITOR[0])
    page.get_by_label("Password").fill(EDITOR[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)

    page.get_by_role("link", name="New agreement").first.click()
    page.get_by_label("Title (English)").fill("Russia–Iran interstate agreement (browser test)")
    page.get_by_label("Kind").select_option("treaty")
    page.get_by_label("Enters into force … days after the last notification").fill("30")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=re.compile("browser test"))).to_be_visible()

    page.get_by_role("link", name="Add evidence").click()
    page.get_by_label("Text").fill(SEED_ARTICLE.read_text(encoding="utf-8"))
    page.get_by_label("Outlet").fill("Jamaran")
    page.get_by_label("Published").fill("2024-01-15")
    page.get_by_role("button", name="Read it").click()

    expect(page.get_by_role("heading", name="What the article says")).to_be_visible()
    expect(page.get_by_label(re.compile(r"^RUS"))).to_be_checked()
    expect(page.get_by_label(re.compile(r"^IRN"))).to_be_checked()
    for other in ("GBR", "USA", "YEM"):  # mentioned in the article, not parties to this one
        box = page.get_by_label(re.compile(rf"^{other}"))
        if box.count():
            box.uncheck()
    stages = page.locator(".suggestion input[id$=-accept]")
    for index in range(stages.count()):
        label = page.locator(f"label[for=events-{index}-accept]").inner_text()
        if label.startswith("Announcement"):
            stages.nth(index).check()
        else:
            stages.nth(index).uncheck()
    page.get_by_role("button", name="Accept the ticked suggestions").click()
    expect(
        page.get_by_text(
            re.compile(r"Recorded 2 parties, 1 event and [34] principles from Jamaran")
        )
    ).to_be_visible()

    page.get_by_role("link", name="Record a stage event").click()
    page.get_by_label("Stage", exact=True).select_option("signing")
    page.get_by_label("Date").fill("2025-01-17")
    page.get_by_label("Place").fill("Moscow")
    page.get_by_label("Record without evidence").check()
    page.get_by_role("button", name="Record").click()

    timeline = page.locator("svg.timeline")
    expect(timeline).to_be_visible()
    expect(timeline.locator("g.mark text", has_text="announcement")).to_have_count(1)
    expect(timeline.locator("g.mark text", has_text="signing")).to_have_count(1)
    for principle in (
        "Sovereignty",
        "Territorial integrity",
        "Purposes and principles of the UN Charter",
    ):
        expect(page.get_by_text(principle).first).to_be_visible()
    expect(page.locator("blockquote[dir=auto]").first).to_be_visible()
    page.screenshot(path=str(screenshots / "agreement.png"), full_page=True)
    # Each mark links to its evidence row.
    href = timeline.locator("a").first.get_attribute("href")
    assert href and page.locator(href).count() == 1
