"""The news feeds page in a real browser at 390 px: a feed added through the form, with a
long unbroken address and a Persian title, listed without sideways scrolling; a refused
form keeps what was typed."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.test_small_screens import PHONE, sideways, sign_in

LONG_FEED = "https://www.irna.ir/" + "rss-feed-of-a-very-long-unbroken-path-segment/" * 3 + "x.xml"
TITLE = "ایرنا — سیاست خارجی"


def test_a_feed_added_on_a_phone_is_listed_without_sideways_scrolling(
    page: Page, live_server: str, screenshots
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    sign_in(page, live_server)
    page.get_by_role("link", name="News feeds").click()
    expect(page.get_by_role("heading", name="News feeds")).to_be_visible()
    page.get_by_role("link", name="Add a feed").click()
    assert sideways(page) == 0
    page.get_by_label("Feed address").fill(LONG_FEED)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Language").fill("farsi")
    page.get_by_label("Poll every (minutes)").fill("15")
    page.get_by_role("button", name="Watch this feed").click()
    # refused beside its field, nothing typed lost
    expect(page.locator("#field-language .errors")).to_contain_text("Not a language code")
    expect(page.get_by_label("Feed address")).to_have_value(LONG_FEED)
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    page.get_by_label("Language").fill("fa")
    page.get_by_role("button", name="Watch this feed").click()
    expect(page.get_by_text(f"Now watching {TITLE}")).to_be_visible()
    row = page.locator("table.news-feeds tbody tr").filter(has_text=TITLE)
    expect(row.get_by_role("link", name=LONG_FEED)).to_be_visible()
    expect(row).to_contain_text("every 15 min")
    expect(row).to_contain_text("not polled yet")
    assert sideways(page) == 0
    page.screenshot(path=str(screenshots / "news-feeds-390.png"), full_page=True)
    row.get_by_role("button", name="Pause").click()
    row = page.locator("table.news-feeds tbody tr").filter(has_text=TITLE)
    expect(row).to_contain_text("paused: paused by hand")
    row.get_by_role("button", name="Resume").click()
    expect(page.get_by_text(f"{TITLE}: resumed")).to_be_visible()
    assert sideways(page) == 0


def test_on_a_wide_screen_each_feed_is_one_row(page: Page, live_server: str, screenshots) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_server)
    page.goto(f"{live_server}/news-feeds")
    row = page.locator("table.news-feeds tbody tr").filter(has_text=TITLE)
    cells = row.locator("td")
    assert cells.count() == 7
    tops = {round(cells.nth(n).bounding_box()["y"]) for n in range(cells.count())}
    assert len(tops) == 1, tops  # the cells side by side, not stacked
    assert sideways(page) == 0
    page.screenshot(path=str(screenshots / "news-feeds-wide.png"), full_page=True)
