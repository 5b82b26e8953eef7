"""The timeline in a real browser: Russia's three ratification steps within two weeks and an
undated claim, recorded through the forms. On a wide screen no two texts of the drawing
overprint and the undated claim is drawn, and just above the width where the drawing gives
way to a list its text is still at least 11 px; on a 390 px phone every timeline text shown is at
least 11 CSS px and nothing of the timeline reaches past the screen's edge."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import EDITOR

STEPS = [  # (step, party, body, date)
    ("lower_house", "RUS", "State Duma", "2025-04-08"),
    ("upper_house", "RUS", "Federation Council", "2025-04-16"),
    ("head_of_state", "RUS", "President", "2025-04-21"),
    ("lower_house", "IRN", "مجلس شورای اسلامی", ""),  # undated, in Persian
]

# Every text of the drawing, or of the list shown instead, that is rendered on screen, with its
# box and its font size in CSS px (a drawing's text is scaled with the drawing).
VISIBLE_TEXTS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('svg.timeline text, .timeline-list li')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || !el.getClientRects().length) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    const svg = el.closest('svg');
    if (svg) size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    out.push({text: el.textContent.trim(), size,
              left: box.left, right: box.right, top: box.top, bottom: box.bottom});
  }
  return out;
}"""


def _record(page: Page, live_server: str) -> str:
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email").fill(EDITOR[0])
    page.get_by_label("Password").fill(EDITOR[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.goto(f"{live_server}/agreements/new")
    page.get_by_label("Title (English)").fill("Comprehensive strategic partnership (timeline)")
    page.get_by_label("Kind").select_option("treaty")
    page.get_by_label("Parties").fill("RUS, IRN")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=re.compile("timeline"))).to_be_visible()
    url = page.url
    for step, party, body, day in STEPS:
        page.goto(f"{url}/events/new")
        page.get_by_label("Stage", exact=True).select_option("ratification")
        page.get_by_label("Ratification step").select_option(step)
        page.get_by_label("Party", exact=True).select_option(party)
        page.get_by_label("Body").fill(body)
        page.get_by_label("Date").fill(day)
        page.get_by_label("Record without evidence").check()
        page.get_by_role("button", name="Record").click()
        expect(page.get_by_role("heading", name=re.compile("timeline"))).to_be_visible()
    return url


def test_timeline_labels_never_overprint_and_stay_legible(  # type: ignore[no-untyped-def]
    page: Page, live_server: str, screenshots
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    url = _record(page, live_server)
    page.goto(url)
    drawing = page.locator("svg.timeline")
    expect(drawing).to_be_visible()
    for body in ("State Duma", "Federation Council", "President", "مجلس شورای اسلامی"):
        expect(drawing.locator("g.mark text", has_text=body)).to_have_count(1)
    expect(drawing.locator("g.mark.undated text")).to_contain_text("مجلس شورای اسلامی")
    expect(drawing.locator("text.tick-label", has_text="Apr 2025")).to_have_count(1)

    texts = page.evaluate(VISIBLE_TEXTS)
    labels = [t for t in texts if t["text"]]
    assert len(labels) >= 4 + 3  # four claims, the lanes, the ticks
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            apart = (
                a["right"] <= b["left"]
                or b["right"] <= a["left"]
                or a["bottom"] <= b["top"]
                or b["bottom"] <= a["top"]
            )
            assert apart, f"{a['text']!r} overprints {b['text']!r}"
    drawing.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "timeline-wide.png"), full_page=True)

    # Just wide enough for the drawing: its text is still at least 11 px.
    page.set_viewport_size({"width": 940, "height": 900})
    expect(drawing).to_be_visible()
    sizes = [t["size"] for t in page.evaluate(VISIBLE_TEXTS)]
    assert len(sizes) == len(texts) and min(sizes) >= 11, min(sizes)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    expect(drawing).to_be_hidden()
    listing = page.locator(".timeline-list")
    expect(listing).to_be_visible()
    expect(listing.locator("ol li")).to_have_count(3)
    expect(listing.locator("ol li").first).to_contain_text("State Duma")
    expect(listing.locator("ol li").first).to_contain_text("2025-04-08")
    expect(listing.locator("ul li")).to_contain_text("مجلس شورای اسلامی")
    texts = page.evaluate(VISIBLE_TEXTS)
    assert len(texts) == 4
    for text in texts:
        assert text["size"] >= 11, text
    # Nothing of the timeline reaches past the screen's edge, so it never scrolls the page
    # sideways (the parties and events tables further down are another matter).
    widest = page.evaluate(
        """() => {
          const section = document.querySelector('.timeline-list').closest('section');
          return Math.max(section.scrollWidth, ...[...section.querySelectorAll('*')]
            .filter(e => e.getClientRects().length)
            .map(e => Math.ceil(e.getBoundingClientRect().right)));
        }"""
    )
    assert widest <= 390
    page.locator("h2", has_text="Timeline").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "timeline-390.png"))
