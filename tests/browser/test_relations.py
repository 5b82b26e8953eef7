"""Relating two agreements in a real browser: a protocol is related to the seed's 2001
Russia–Iran treaty by typing part of its Persian title, and both pages list it in words and
draw it; on a 390 px phone the drawing's text is at least 11 CSS px, no two of its texts
overprint, and nothing of the section reaches past the screen's edge. Then, on the review
page at 390 px, a Persian report's replacement of the 2001 treaty and a reservation are
accepted in one submission."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import EDITOR

OLD_TITLE = "Treaty on the Foundations of Relations and Principles of Cooperation"

FAMILY_TEXTS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('svg.family text')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const svg = el.closest('svg');
    const size = parseFloat(getComputedStyle(el).fontSize)
      * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    out.push({text: el.textContent.trim(), size,
              left: box.left, right: box.right, top: box.top, bottom: box.bottom});
  }
  return out;
}"""


def test_record_a_relation_by_typing_part_of_the_persian_title(  # type: ignore[no-untyped-def]
    page: Page, live_server: str, screenshots
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email").fill(EDITOR[0])
    page.get_by_label("Password").fill(EDITOR[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.goto(f"{live_server}/agreements/new")
    page.get_by_label("Title (English)").fill("Protocol on consular questions (example)")
    page.get_by_label("Kind").select_option("protocol")
    page.get_by_label("Parties").fill("RUS, IRN")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=re.compile("consular"))).to_be_visible()
    protocol_url = page.url

    page.get_by_role("link", name="Relate to another agreement").click()
    page.get_by_label("This agreement").select_option("protocol_to")
    page.get_by_label("Find the other agreement").fill("اصول همکاری")
    page.get_by_role("button", name="Find").click()
    choice = page.get_by_role("radio", name=re.compile(OLD_TITLE))
    expect(choice).to_have_count(1)
    choice.check()
    page.get_by_label("Date").fill("2026-03")
    page.get_by_role("button", name="Record the relation").click()

    expect(page).to_have_url(re.compile(re.escape(protocol_url) + "#relations$"))
    section = page.locator("#relations")
    expect(section.locator("li.relation")).to_contain_text("Protocol to")
    expect(section.locator("li.relation")).to_contain_text(OLD_TITLE)
    drawing = section.locator("svg.family")
    expect(drawing).to_be_visible()
    expect(drawing.locator("g.node")).to_have_count(2)
    expect(drawing.locator("text.edge-label")).to_have_text("protocol to · 2026-03")

    texts = page.evaluate(FAMILY_TEXTS)
    assert len(texts) == 3  # the label and the two boxes' titles
    for text in texts:
        assert text["size"] >= 11, text
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            apart = (
                a["right"] <= b["left"]
                or b["right"] <= a["left"]
                or a["bottom"] <= b["top"]
                or b["bottom"] <= a["top"]
            )
            assert apart, f"{a['text']!r} overprints {b['text']!r}"
    widest = page.evaluate(
        """() => {
          const section = document.querySelector('#relations');
          return Math.max(section.scrollWidth, ...[...section.querySelectorAll('*')]
            .filter(e => e.getClientRects().length)
            .map(e => Math.ceil(e.getBoundingClientRect().right)));
        }"""
    )
    assert widest <= 390
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "relations-390.png"))

    # The 2001 treaty's page: superseded by the 2025 treaty (the seed), and has this protocol.
    drawing.locator("g.node:not(.current)").click()
    listed = page.locator("#relations li.relation")
    expect(listed).to_have_count(2)
    expect(listed.nth(0)).to_contain_text("Superseded by")
    expect(listed.nth(1)).to_contain_text("Has protocol")
    expect(page.locator("#relations svg.family g.node")).to_have_count(3)


def test_a_relation_and_a_reservation_accepted_on_review_at_390_px(  # type: ignore[no-untyped-def]
    page: Page, live_server: str, screenshots
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email").fill(EDITOR[0])
    page.get_by_label("Password").fill(EDITOR[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.goto(f"{live_server}/agreements/new")
    page.get_by_label("Title (English)").fill("Treaty reviewed on a phone (example)")
    page.get_by_label("Kind").select_option("treaty")
    page.get_by_label("Parties").fill("RUS, IRN")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=re.compile("reviewed on a phone"))).to_be_visible()
    page.get_by_role("link", name="Add evidence").click()
    page.get_by_label("Text").fill(
        "روسای جمهور روسیه و ایران معاهده را امضا کردند که جایگزین معاهده ۲۰۰۱ خواهد شد.\n"
        "Iran entered a reservation to article 5 upon ratification."
    )
    page.get_by_label("Outlet").fill("Test wire")
    page.get_by_role("button", name="Read it").click()
    expect(page.get_by_role("heading", name="What the article says")).to_be_visible()

    relation = page.locator("#relation-0")
    expect(relation.locator("#relations-0-accept")).to_be_checked()
    expect(relation.locator("#relations-0-type")).to_have_value("supersedes")
    chosen = relation.locator("#relations-0-target_id option:checked")
    expect(chosen).to_contain_text(OLD_TITLE)
    reservation = page.locator("#declaration-0")
    reservation.locator("#declarations-0-accept").check()
    reservation.locator("#declarations-0-party").select_option("IRN")
    widest = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll(
              '#relations, #relations *, #declarations, #declarations *')]
            .filter(e => e.getClientRects().length)
            .map(e => Math.ceil(e.getBoundingClientRect().right)))"""
    )
    assert widest <= 390
    relation.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "review-relations-390.png"))
    page.get_by_role("button", name="Accept the ticked suggestions").click()
    expect(page.get_by_text("Recorded 1 relation and 1 reservation from Test wire")).to_be_visible()
    expect(page.locator("#relations li.relation")).to_contain_text("Supersedes")
