"""The founding article's page in a real browser: reached from the dashboard, its quoted
spans highlighted and linked to their claims, readable at 390 px without sideways scrolling,
and a quote followed to its claim on the agreement page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import EDITOR


def test_the_seed_article_page(page: Page, live_server: str, screenshots) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email").fill(EDITOR[0])
    page.get_by_label("Password").fill(EDITOR[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    recent = page.locator("section[aria-labelledby=recent-title]")
    recent.get_by_role("link", name=re.compile("^Jamaran")).click()
    expect(page).to_have_url(re.compile(r"/articles/\d+$"))
    expect(page.get_by_role("heading", name="Text")).to_be_visible()

    body = page.locator(".article-body")
    expect(body).to_have_attribute("dir", "auto")
    marks = body.locator("a.quote > mark")
    # Five quotes, two of them the same words (sovereignty, territorial integrity): four marks.
    expect(marks).to_have_count(4)
    for index in range(marks.count()):
        mark = marks.nth(index)
        expect(mark).to_be_visible()
        href = mark.locator("xpath=..").get_attribute("href") or ""
        assert re.fullmatch(r"/agreements/\d+#(event|statement)-\d+", href), href
        colour = mark.evaluate("m => getComputedStyle(m).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), colour
    # The text reads right to left, as Persian does.
    assert body.evaluate("b => getComputedStyle(b).direction") == "rtl"
    page.screenshot(path=str(screenshots / "article-wide.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(marks.first).to_be_visible()
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways at 390 px: {widths}"
    page.screenshot(path=str(screenshots / "article-390.png"), full_page=True)

    # Follow the announcement's quote to its claim on the agreement page.
    quote = body.locator("a.quote", has_text="در حال آماده سازی مقدمات امضای")
    expect(quote).to_have_count(1)
    target = quote.get_attribute("href") or ""
    quote.click()
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))
    row = page.locator(f"#{target.split('#')[1]}")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Announcement")
    expect(row.locator("p.source a.article-name").first).to_contain_text("Jamaran")
