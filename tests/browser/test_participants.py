"""The UN's status table pasted into an agreement's page, in a real browser: the
participants table shows its rows, and at 390 px nothing scrolls sideways."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.test_small_screens import PHONE, sideways, sign_in

TABLE = (
    "Participant\tSignature\tRatification, Acceptance(A), Approval(AA), Accession(a), "
    "Succession(d)\n"
    "United Kingdom of Great Britain and Northern Ireland\t20 Sep 2023\t\n"
    "Democratic People's Republic of Korea\t\t3 Apr 2019 a\n"
    "Bolivia (Plurinational State of)4\t20 Sep 2023\t5 Mar 2024 A\n"
    "Atlantis\t20 Sep 2023\t\n"
)


def test_a_pasted_table_fills_the_participants_table(page: Page, live_server: str) -> None:
    sign_in(page, live_server)
    page.goto(f"{live_server}/agreements/new")
    page.get_by_label("Title (English)").fill("A convention of many parties")
    page.get_by_label("Kind").select_option("treaty")
    page.get_by_label("Parties").fill("RUS, IRN")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("table.participants tbody tr")).to_have_count(2)

    page.get_by_text("Import the UN's status table").click()
    page.get_by_label("Status table").fill(TABLE)
    page.get_by_role("button", name="Import the table").click()
    expect(
        page.get_by_text(
            "Recorded 4 claims for 3 participants; 1 row not read: line 5: "
            "‘Atlantis’ is not a participant we know"
        )
    ).to_be_visible()
    rows = page.locator("table.participants tbody tr")
    expect(rows).to_have_count(5)
    expect(page.locator("#participant-PRK")).to_contain_text("a")
    expect(page.locator("#participant-PRK abbr")).to_have_attribute("title", "Accession")
    expect(page.locator("#participant-BOL abbr")).to_have_text("A")

    # sorted by a plain link, no script needed
    page.get_by_role("link", name="Consent").click()
    expect(rows.first).to_have_attribute("id", "participant-PRK")

    page.set_viewport_size(PHONE)
    page.reload()
    assert sideways(page) == 0
    table = page.locator("table.participants")
    box = table.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth")
