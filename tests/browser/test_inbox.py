"""The inbox triaged by keyboard alone in a real browser: five stories brought in (the seed
treaty's later history as four outlets wrote it in English, Russian, Persian and Arabic, and
a story about another treaty), j/k to each, `a` on three, `d` on one, `o` on the last (the
matcher takes it for a new agreement), the seed treaty chosen there with the arrow keys and
`a` on its page. One form POST per action; then the agreement page quotes what was accepted
and no new story is left. Both pages fit a 390 px screen without sideways scrolling."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request, expect
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from tests.browser.conftest import EDITOR, _browser_or_skip
from tracker import create_app, migrate
from tracker.db import make_engine
from tracker.models import Agreement
from tracker.services.accounts.users import create_user
from tracker.services.data.seed import load_seed
from tracker.services.evidence.articles import add_article
from tracker.services.inbox import items

JOURNEY = {
    report["language"]: report
    for report in json.loads(
        (Path(__file__).resolve().parents[1] / "data" / "journey.json").read_text("utf-8")
    )
}
SEED_REF = "rus-irn-comprehensive-strategic-partnership"
OTHER = {
    "title": "Russia and the United States: New START expires without a replacement treaty",
    "outlet": "Example Desk",
    "language": "en",
    "published": "2026-02-06",
    "text": (
        "The Treaty on Measures for the Further Reduction and Limitation of Strategic "
        "Offensive Arms between Russia and the United States, known as New START, expired "
        "on 5 February 2026. Russia had suspended its participation in the treaty in "
        "February 2023, and the two sides held no talks on a replacement agreement before "
        "it lapsed."
    ),
}
# A sentence of each accepted report, as the agreement page quotes it.
QUOTED = {
    "en": "Russia and Iran signed the Treaty on Comprehensive Strategic Partnership in Moscow",
    "ru": "Государственная дума ратифицировала Договор",
    "fa": "شورای نگهبان روز چهارشنبه این معاهده را تأیید کرد",
    "ar": "وكان البلدان قد تبادلا الإخطارات الكتابية الأخيرة",
}


@pytest.fixture(scope="module")
def inbox_server(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The app on loopback over a seeded database whose inbox holds the five stories (the
    New START one oldest, the English report of the signing newest)."""
    _browser_or_skip()
    url = f"sqlite:///{tmp_path_factory.mktemp('inbox') / 'tracker.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    taken: dict[str, int] = {}
    with Session(engine) as session:
        load_seed(session)
        create_user(
            session, EDITOR[0], role="editor", password=EDITOR[1], display_name="Researcher"
        )
        for key in ("other", "ar", "fa", "ru", "en"):
            story = OTHER if key == "other" else JOURNEY[key]
            article = add_article(
                session, {k: story[k] for k in ("text", "title", "outlet", "language", "published")}
            )
            item = items.take(session, article)
            assert item is not None and item.state == "new", (key, item and item.state)
            taken[key] = item.id
        session.commit()
        seed = session.scalar(select(Agreement.id).where(Agreement.ref == SEED_REF))
    engine.dispose()
    app = create_app(
        {"SECRET_KEY": "browser-tests", "DATABASE_URL": url, "FETCH_ONLY_NETWORKS": "127.0.0.0/8"}
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", taken, seed
    server.shutdown()
    app.extensions["tracker.engine"].dispose()


def _no_sideways_scroll(page: Page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= page.evaluate("window.innerWidth"), (page.url, wide)


def test_five_stories_triaged_by_keyboard(  # type: ignore[no-untyped-def]
    page: Page, inbox_server, screenshots
) -> None:
    base, taken, seed = inbox_server
    posts: list[str] = []

    def count(request: Request) -> None:
        if request.method == "POST" and request.resource_type == "document":
            posts.append(request.url.removeprefix(base))

    page.on("request", count)
    page.goto(f"{base}/sign-in")
    page.get_by_label("Email").fill(EDITOR[0])
    page.get_by_label("Password").fill(EDITOR[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator("#inbox-line")).to_contain_text("5 new stories in your inbox")
    expect(page.locator("#nav-inbox")).to_have_text("Inbox (5)")
    posts.clear()

    # A phone first: the list and a story's page fit without sideways scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/inbox")
    expect(page.locator("[data-inbox-row]")).to_have_count(5)
    _no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / "inbox-390.png"), full_page=True)
    page.goto(f"{base}/inbox/{taken['fa']}")
    expect(page.locator("#events-0-accept")).to_be_attached()
    _no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / "inbox-item-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{base}/inbox")
    current = page.locator("[data-inbox-row][aria-current=true]")
    order = [taken[k] for k in ("en", "ru", "fa", "ar", "other")]
    ids = [
        int((row.get_attribute("id") or "").removeprefix("item-"))
        for row in page.locator("[data-inbox-row]").all()
    ]
    assert ids == order  # newest first
    expect(page.locator("#inbox-keys")).to_contain_text("j/k move · a accept · d dismiss · o open")
    expect(current).to_have_attribute("id", f"item-{taken['en']}")

    def key(name: str) -> None:
        with page.expect_navigation():
            page.keyboard.press(name)

    key("a")  # the English report: the signing
    expect(page.locator(".flash")).to_contain_text("Recorded 1 event")
    expect(page.locator(".flash")).to_contain_text("Example Wire")
    expect(current).to_have_attribute("id", f"item-{taken['ru']}")  # the next one
    page.keyboard.press("j")
    expect(current).to_have_attribute("id", f"item-{taken['fa']}")
    key("a")  # the Persian report: the Majlis and the Guardian Council
    expect(page.locator(".flash")).to_contain_text("Recorded 2 events from خبرگزاری نمونه")
    expect(current).to_have_attribute("id", f"item-{taken['ar']}")
    page.keyboard.press("j")
    expect(current).to_have_attribute("id", f"item-{taken['other']}")
    key("d")  # New START: not for this treaty
    expect(page.locator(".flash")).to_contain_text("Dismissed Example Desk")
    expect(current).to_have_attribute("id", f"item-{taken['ar']}")  # the last left: one up
    page.keyboard.press("k")
    expect(current).to_have_attribute("id", f"item-{taken['ru']}")
    key("a")  # the Russian report: the three steps of the Russian ratification
    expect(page.locator(".flash")).to_contain_text("Recorded 3 events from Пример-Новости")
    expect(current).to_have_attribute("id", f"item-{taken['ar']}")
    # The Arabic report reads to the matcher as a new agreement: opened, the seed treaty
    # chosen with the arrow keys (its claims are read for it), and accepted there.
    key("o")
    expect(page).to_have_url(re.compile(rf"/inbox/{taken['ar']}\b"))
    # Typing in a field is typing: "a" there accepts nothing.
    title = page.get_by_label("Title of the new agreement")
    title.press("End")
    page.keyboard.type(" a d")
    expect(title).to_have_value(re.compile(r" a d$"))
    expect(page).to_have_url(re.compile(rf"/inbox/{taken['ar']}$"))
    for _ in range(12):
        if page.locator(f"input[name=agreement][value='{seed}']").is_checked():
            break
        while page.evaluate("document.activeElement && document.activeElement.name") != (
            "agreement"
        ):
            page.keyboard.press("Tab")
        key("ArrowDown")
    expect(page.locator(f"input[name=agreement][value='{seed}']")).to_be_checked()
    expect(page.locator("#events-0-accept")).to_be_attached()
    key("a")
    expect(page.locator(".flash")).to_contain_text(
        re.compile(r"Recorded 3 events( and 1 principle)? from وكالة المثال")
    )
    expect(page.locator("[data-inbox-row]")).to_have_count(0)
    expect(page.get_by_text("No new stories")).to_be_visible()

    assert posts == [
        f"/inbox/{taken['en']}/accept",
        f"/inbox/{taken['fa']}/accept",
        f"/inbox/{taken['other']}/dismiss",
        f"/inbox/{taken['ru']}/accept",
        f"/inbox/{taken['ar']}",
    ], posts

    page.goto(f"{base}/agreements/{seed}")
    for language, sentence in QUOTED.items():
        expect(page.locator("blockquote", has_text=sentence).first).to_be_visible(), language
    page.screenshot(path=str(screenshots / "inbox-accepted-agreement.png"), full_page=True)
    page.goto(f"{base}/inbox?state=accepted")
    expect(page.locator("[data-inbox-row]")).to_have_count(4)
