"""Pages on a 390 px phone screen, with the skip link and mixed-script text, in a real browser.

Nothing may scroll sideways (tables and drawings scroll inside their own box), even with a
120-character unbroken title and reason; the skip link is the first Tab stop; user text
with a U+202E override is isolated, so it cannot reverse what follows it; the seed's
«به زودی» note reads left to right in a dir=auto element.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import EDITOR

PHONE = {"width": 390, "height": 844}
LONG = "https://example.org/" + "a-very-long-unbroken-path-segment/" * 3 + "x" * 50
RLO = "\u202e"
OVERRIDDEN_TITLE = f"Accord {RLO}reversed by an override"
SEED_TITLE = "Treaty on Comprehensive Strategic Partnership"


def sign_in(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email").fill(EDITOR[0])
    page.get_by_label("Password").fill(EDITOR[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def _agreement(page: Page, live_server: str, title: str, body: str, place: str) -> str:
    """Create an agreement with one signing event and a reminder due tomorrow; its URL."""
    page.goto(f"{live_server}/agreements/new")
    page.get_by_label("Title (English)").fill(title)
    page.get_by_label("Kind").select_option("treaty")
    page.get_by_label("Parties").fill("RUS, IRN")
    page.get_by_label("Summary").fill(f"See {LONG} for the text.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_have_count(1)
    url = page.url
    page.get_by_role("link", name="Record a stage event").click()
    page.get_by_label("Stage", exact=True).select_option("signing")
    page.get_by_label("Body").fill(body)
    page.get_by_label("Place").fill(place)
    page.get_by_label("Date").fill("2025-01-17")
    page.get_by_label("Record without evidence").check()
    page.get_by_role("button", name="Record").click()
    expect(page.locator("table.events")).to_be_visible()
    page.get_by_role("link", name="Set a reminder").click()
    page.get_by_label("Due").fill((date.today() + timedelta(days=1)).isoformat())
    page.get_by_label("What to check").fill(f"Check {LONG}")
    page.get_by_role("button", name="Set").click()
    expect(page.get_by_text("Reminder set.")).to_be_visible()
    return url


@pytest.fixture(scope="module")
def cases(browser: Browser, live_server: str) -> dict[str, str]:
    """Two agreements made through the forms: one with a 120-character unbroken title and
    body, one whose title and body carry an unterminated U+202E."""
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server)
    long_url = _agreement(page, live_server, LONG, LONG, "Moscow")
    override_url = _agreement(page, live_server, OVERRIDDEN_TITLE, f"Duma {RLO}plenary", "Moscow")
    page.goto(f"{live_server}/agreements")
    seed_url = page.get_by_role("link", name=re.compile(SEED_TITLE)).get_attribute("href")
    context.close()
    return {"long": long_url, "override": override_url, "seed": f"{live_server}{seed_url}"}


def sideways(page: Page) -> int:
    """How many pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"
    )


def test_nothing_scrolls_sideways_at_390_px(
    page: Page, live_server: str, cases: dict[str, str], screenshots
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    sign_in(page, live_server)
    pages = {
        "dashboard": f"{live_server}/",
        "agreement": cases["seed"],
        "long agreement": cases["long"],
        "agreements": f"{live_server}/agreements",
        "reminders": f"{live_server}/reminders?show=all",
        "search": f"{live_server}/search?q=" + "توافقنامه",
        "search (long)": f"{live_server}/search?q=unbroken",
    }
    widths = {}
    for name, url in pages.items():
        page.goto(url)
        widths[name] = sideways(page)
        if name == "dashboard":
            page.screenshot(path=str(screenshots / "dashboard-390.png"), full_page=True)
        if name == "agreement":
            page.screenshot(path=str(screenshots / "agreement-390.png"), full_page=True)
    assert widths == dict.fromkeys(pages, 0), widths
    # The long words are on the pages, wrapped, not dropped.
    page.goto(f"{live_server}/reminders?show=all")
    expect(page.get_by_text(f"Check {LONG}").first).to_be_visible()


def test_tables_reflow_to_the_screen(page: Page, live_server: str, cases) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    sign_in(page, live_server)
    for url in (cases["seed"], cases["long"]):
        page.goto(url)
        for name in ("table.parties", "table.events", "table.history"):
            table = page.locator(name)
            box = table.bounding_box()
            assert box is not None and box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE["width"], (url, name, box)
            # Nothing hidden to the side either: the table's content fits its own box.
            assert table.evaluate("t => t.scrollWidth <= t.clientWidth"), (url, name)
        # Each row is a card: the date and the stage side by side, the quote below.
        row = page.locator("table.events tbody tr").first
        date_cell, stage_cell = row.locator("td").nth(0), row.locator("td").nth(1)
        assert date_cell.bounding_box()["y"] == stage_cell.bounding_box()["y"]


def test_the_skip_link_is_the_first_tab_stop(page: Page, live_server: str) -> None:
    sign_in(page, live_server)
    skip = page.get_by_role("link", name="Skip to content")
    box = skip.bounding_box()
    assert box is None or box["y"] + box["height"] <= 0  # out of sight until focused
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 0  # now visible
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.tagName") == "MAIN"
    assert page.evaluate("document.activeElement.id") == "content"


ISOLATING_ANCESTOR = """el => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let node = walker.nextNode();
  while (node && !node.data.includes('\\u202e')) node = walker.nextNode();
  for (let e = node ? node.parentElement : el; e; e = e.parentElement) {
    if (e.tagName === 'BDI') return 'BDI';
    const bidi = getComputedStyle(e).unicodeBidi;
    if (bidi === 'isolate' || bidi === 'plaintext') return e.tagName + ':' + bidi;
    if (getComputedStyle(e).display !== 'inline') return 'none below ' + e.tagName;
  }
  return 'none';
}"""


def test_an_override_in_a_title_or_body_stays_inside_it(
    page: Page, live_server: str, cases
) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server)
    for url in (f"{live_server}/", f"{live_server}/agreements", cases["override"]):
        page.goto(url)
        title = page.get_by_text(re.compile("reversed by an override")).first
        expect(title).to_be_visible()
        holder = title.evaluate(ISOLATING_ANCESTOR)
        assert holder == "BDI" or holder.endswith((":isolate", ":plaintext")), (url, holder)
    # On the agreement page the place still follows the body, left to right: the override
    # in the body reverses the body's own letters and nothing after them.
    page.goto(cases["override"])
    cell = page.locator("table.events tbody tr").first.locator("td").nth(3)
    body, place = text_box(cell, "plenary"), text_box(cell, "Moscow")
    assert place["left"] >= body["right"] - 1, (body, place)


TEXT_BOX = """(el, needle) => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(needle);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + needle.length);
    const box = range.getBoundingClientRect();
    return {left: box.left, right: box.right};
  }
  return null;
}"""


def text_box(locator, needle: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Where the characters of `needle` are drawn inside the element, left and right."""
    box = locator.evaluate(TEXT_BOX, needle)
    assert box is not None, f"{needle!r} is not in the element"
    return box


def test_the_soon_note_reads_left_to_right(page: Page, live_server: str, cases) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server)
    page.goto(cases["seed"])
    note = page.locator("p.note", has_text="no date given")
    expect(note).to_have_attribute("dir", "auto")
    assert note.evaluate("el => getComputedStyle(el).direction") == "ltr"
    persian = note.locator("bdi", has_text="به زودی")
    assert persian.evaluate("el => getComputedStyle(el).direction") == "rtl"
    # «به زودی» comes first on the line, then "(soon): no date given." after it.
    assert text_box(note, "به زودی")["right"] <= text_box(note, "soon")["left"]
