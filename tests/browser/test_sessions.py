"""Signed in on two computers, the user signs out everywhere from one: the other (with "keep
me signed in") is sent to sign in at its next click."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import EDITOR


def _sign_in(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email").fill(EDITOR[0])
    page.get_by_label("Password").fill(EDITOR[1])
    page.get_by_label("Keep me signed in on this computer").check()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_sign_out_everywhere_ends_the_session_on_the_other_computer(
    browser: Browser, live_server: str, screenshots
) -> None:  # type: ignore[no-untyped-def]
    office, home = browser.new_context(), browser.new_context()
    try:
        work, laptop = office.new_page(), home.new_page()
        _sign_in(work, live_server)
        _sign_in(laptop, live_server)

        laptop.goto(f"{live_server}/account")
        expect(laptop.get_by_role("heading", name="Signed-in browsers")).to_be_visible()
        laptop.screenshot(path=str(screenshots / "account-sessions.png"), full_page=True)
        laptop.get_by_role("button", name="Sign out everywhere").click()
        expect(laptop.get_by_text("You are signed out everywhere")).to_be_visible()

        work.goto(f"{live_server}/agreements")
        expect(work.get_by_role("button", name="Sign in")).to_be_visible()
        # Signing in again works at once, on either computer.
        _sign_in(work, live_server)
    finally:
        office.close()
        home.close()
