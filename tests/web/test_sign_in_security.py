"""Signing in behind a proxy, under attack and at the same moment; sessions that can be ended;
caching of secrets; the password policy."""

from __future__ import annotations

import logging
import re
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from flask_login import FlaskLoginClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.web.conftest import PASSWORD, csrf
from tracker import create_app, migrate
from tracker.db import make_engine
from tracker.models import LoginAttempt
from tracker.services.accounts import sign_in as auth
from tracker.services.accounts.sign_in import SignInRefused, Throttled, sign_in
from tracker.services.accounts.users import (
    create_token,
    create_user,
    issue_feed_token,
    token_bearer,
    update_user,
    user_for_feed_token,
)
from tracker.services.data.seed import load_seed
from tracker.services.errors import InvalidInput
from tracker.web.auth import WebUser

ADMIN = "admin@example.org"


def _app(database_url, session_factory, **config):  # type: ignore[no-untyped-def]
    app = create_app(
        {"SECRET_KEY": "test-secret", "DATABASE_URL": database_url, "TESTING": True} | config
    )
    app.extensions["tracker.engine"].dispose()
    app.extensions["tracker.sessionmaker"] = session_factory
    return app


def _post_sign_in(client, email: str, password: str, **kwargs):  # type: ignore[no-untyped-def]
    return client.post(
        "/sign-in",
        data={
            "csrf_token": csrf(client, "/sign-in"),
            "email": email,
            "password": password,
            "remember": "y",
        },
        **kwargs,
    )


# ---------------------------------------------------------------- behind a proxy


@pytest.mark.parametrize("attackers", [25, 1])
def test_behind_one_proxy_failures_from_other_addresses_do_not_stop_the_admin(
    database_url, session_factory, session, attackers
):
    """nginx in front (one trusted hop): 25 wrong passwords for the admin, from 25 addresses
    or from one, and the admin still signs in from their own address."""
    create_user(session, ADMIN, role="admin", password=PASSWORD)
    app = _app(database_url, session_factory, TRUSTED_PROXIES=1)
    statuses = []
    for n in range(25):
        attacker = app.test_client()
        address = f"203.0.113.{n % attackers + 1}"
        response = _post_sign_in(
            attacker, ADMIN, f"guess number {n}", headers={"X-Forwarded-For": address}
        )
        statuses.append(response.status_code)
    assert set(statuses) <= {401, 429} and 401 in statuses
    if attackers == 1:
        assert statuses.count(401) == auth.MAX_PER_ACCOUNT_ADDRESS  # then refused unchecked
    admin = app.test_client()
    response = _post_sign_in(admin, ADMIN, PASSWORD, headers={"X-Forwarded-For": "198.51.100.7"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert "Sign out (admin@example.org)" in admin.get("/agreements").get_data(as_text=True)
    addresses = set(session.scalars(select(LoginAttempt.address)))
    assert "198.51.100.7" in addresses and "127.0.0.1" not in addresses


def test_forwarded_headers_are_ignored_unless_proxies_are_trusted(
    database_url, session_factory, session
):
    create_user(session, ADMIN, role="admin", password=PASSWORD)
    app = _app(database_url, session_factory)  # TRUSTED_PROXIES 0: anyone may send the header
    _post_sign_in(
        app.test_client(), ADMIN, "wrong password", headers={"X-Forwarded-For": "1.2.3.4"}
    )
    assert set(session.scalars(select(LoginAttempt.address))) == {"127.0.0.1"}


def test_an_untrusted_proxy_is_reported_once_in_the_log(
    database_url, session_factory, session, caplog
):
    app = _app(database_url, session_factory)
    with caplog.at_level(logging.WARNING, logger="tracker.security"):
        for _ in range(3):
            app.test_client().get("/sign-in", headers={"X-Forwarded-For": "1.2.3.4"})
    warnings = [r for r in caplog.records if "TRACKER_TRUSTED_PROXIES" in r.getMessage()]
    assert len(warnings) == 1
    trusting = _app(database_url, session_factory, TRUSTED_PROXIES=1)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="tracker.security"):
        trusting.test_client().get("/sign-in", headers={"X-Forwarded-For": "1.2.3.4"})
    assert not caplog.records


@pytest.mark.parametrize("hops", [1, 0])
def test_cookies_are_secure_behind_a_proxy_that_says_https(
    database_url, session_factory, session, hops
):
    create_user(session, ADMIN, role="admin", password=PASSWORD)
    app = _app(database_url, session_factory, TRUSTED_PROXIES=hops)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "tracker.example"}
    client = app.test_client()
    page = client.get("/sign-in", headers=headers)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    response = client.post(
        "/sign-in",
        data={"csrf_token": token.group(1), "email": ADMIN, "password": PASSWORD, "remember": "y"},  # type: ignore[union-attr]
        # Flask-WTF checks the Referer on HTTPS: the proxy's host is the site's.
        headers=headers | {"Referer": "https://tracker.example/sign-in"},
    )
    assert response.status_code == 302
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert {"session", "remember_token"} <= set(cookies)
    for cookie in cookies.values():
        flags = [f.strip().lower() for f in cookie.split(";")]
        assert ("secure" in flags) == bool(hops), cookie
    if hops:
        assert response.headers["Strict-Transport-Security"]


# ---------------------------------------------------------------- the throttle's rules


def test_a_clean_address_signs_in_while_the_account_is_attacked(session):
    create_user(session, ADMIN, role="admin", password=PASSWORD)
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for n in range(40):  # 8 addresses trying 5 times each (most refused unchecked)
        with pytest.raises(SignInRefused):
            sign_in(session, ADMIN, "guess", f"203.0.113.{n % 8}", now=now)
    with pytest.raises(Throttled):  # an attacking address is refused even the right password
        sign_in(session, ADMIN, PASSWORD, "203.0.113.1", now=now)
    assert sign_in(session, ADMIN, PASSWORD, "198.51.100.7", now=now).email == ADMIN


def test_the_account_counter_slows_an_address_that_failed_with_a_growing_delay(session):
    create_user(session, ADMIN, role="admin", password=PASSWORD)
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for n in range(auth.FREE_PER_ACCOUNT):
        with pytest.raises(SignInRefused):
            sign_in(session, ADMIN, "guess", f"203.0.113.{n}", now=now)
    # The owner mistypes once from home, with the account already under attack.
    with pytest.raises(SignInRefused) as typo:
        sign_in(session, ADMIN, "typo", "198.51.100.7", now=now)
    assert not isinstance(typo.value, Throttled)
    delay = auth.delay_after(auth.FREE_PER_ACCOUNT + 1)
    assert delay == timedelta(seconds=2)
    with pytest.raises(Throttled, match="wait 2 second") as early:
        sign_in(session, ADMIN, PASSWORD, "198.51.100.7", now=now + timedelta(seconds=1))
    assert early.value.retry_after == 2
    # Slowed, not locked out: after the delay the right password is let in.
    user = sign_in(session, ADMIN, PASSWORD, "198.51.100.7", now=now + delay)
    assert user.email == ADMIN
    # The delay doubles with each failure of the account, up to MAX_DELAY.
    assert [auth.delay_after(auth.FREE_PER_ACCOUNT + k).total_seconds() for k in range(4)] == [
        1,
        2,
        4,
        8,
    ]
    assert auth.delay_after(1000) == auth.MAX_DELAY


def test_signing_in_clears_the_failures_of_that_address_for_that_account(session):
    create_user(session, ADMIN, role="admin", password=PASSWORD)
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for _ in range(auth.MAX_PER_ACCOUNT_ADDRESS - 1):
        with pytest.raises(SignInRefused):
            sign_in(session, ADMIN, "typo", "198.51.100.7", now=now)
    sign_in(session, ADMIN, PASSWORD, "198.51.100.7", now=now)
    later = now + timedelta(minutes=1)
    with pytest.raises(SignInRefused) as again:  # one typo after signing in: no lock
        sign_in(session, ADMIN, "typo", "198.51.100.7", now=later)
    assert not isinstance(again.value, Throttled)
    # The account's own counter (5 failures now) asks for a second's pause, no more.
    assert auth.delay_after(auth.FREE_PER_ACCOUNT) == timedelta(seconds=1)
    in_a_moment = later + timedelta(seconds=2)
    assert sign_in(session, ADMIN, PASSWORD, "198.51.100.7", now=in_a_moment).email == ADMIN


def test_a_throttled_sign_in_page_says_when_to_come_back(client, session):
    create_user(session, ADMIN, password=PASSWORD)
    for _ in range(auth.MAX_PER_ACCOUNT_ADDRESS):
        _post_sign_in(client, ADMIN, "wrong password")
    response = _post_sign_in(client, ADMIN, PASSWORD)
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 15 * 60 + 1


# ---------------------------------------------------------------- timing


def _seconds(session, email: str, address: str) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    with pytest.raises(SignInRefused):
        sign_in(session, email, "not the password", address)
    return time.perf_counter() - start


def test_an_unknown_email_takes_as_long_as_a_wrong_password(session):
    """The time of the answer does not tell which emails have accounts: the median of 5
    attempts each, taken in turns so that a busy machine slows both alike."""
    create_user(session, "known@example.org", password=PASSWORD)
    create_user(session, "tokens-only@example.org")  # no password at all
    gone = create_user(session, "gone@example.org", password=PASSWORD)
    update_user(session, gone.id, {"is_active": False})
    emails = [
        "known@example.org",
        "nobody@example.org",
        "tokens-only@example.org",
        "gone@example.org",
    ]
    times: dict[str, list[float]] = {email: [] for email in emails}
    for n in range(5):
        for k, email in enumerate(emails):
            times[email].append(_seconds(session, email, f"192.0.2.{10 * k + n}"))
    known = statistics.median(times["known@example.org"])
    for email in emails[1:]:
        other = statistics.median(times[email])
        assert 0.5 < other / known < 2, (email, other, known)


# ---------------------------------------------------------------- at the same moment


def test_simultaneous_wrong_passwords_check_at_most_the_limit(scratch_url):
    """20 wrong passwords for one account at once, in 20 threads on a database of their own:
    no more passwords are checked (401) than the limit; the others are refused unchecked."""
    engine = make_engine(scratch_url)
    migrate.upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        load_seed(session)
        create_user(session, ADMIN, role="admin", password=PASSWORD)
    engine.dispose()
    app = create_app(
        {"SECRET_KEY": "test-secret", "DATABASE_URL": scratch_url, "WTF_CSRF_ENABLED": False}
    )
    start = threading.Barrier(20)
    answers: list = [None] * 20

    def attempt(n: int) -> None:
        client = app.test_client()
        start.wait()
        answers[n] = client.post(
            "/sign-in", data={"email": ADMIN, "password": f"wrong password {n}"}
        ).status_code

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    engine = app.extensions["tracker.engine"]
    with Session(engine) as session:
        recorded = session.scalar(select(func.count()).select_from(LoginAttempt))
    engine.dispose()
    assert sorted(set(answers)) == [401, 429], answers
    assert answers.count(401) <= auth.MAX_PER_ACCOUNT_ADDRESS, answers
    assert recorded == answers.count(401)


# ---------------------------------------------------------------- sessions


def _copy_cookies(source, target, names=("session", "remember_token")) -> None:  # type: ignore[no-untyped-def]
    for name in names:
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def _signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    return client.get("/agreements").status_code == 200


@pytest.mark.parametrize("copied", [("session",), ("remember_token",)])
def test_sign_out_everywhere_ends_a_copied_session_or_remember_cookie(app, session, copied):
    create_user(session, ADMIN, role="admin", password=PASSWORD)
    mine = app.test_client()
    assert _post_sign_in(mine, ADMIN, PASSWORD).status_code == 302
    thief = app.test_client()
    _copy_cookies(mine, thief, copied)
    assert _signed_in(thief)
    response = mine.post("/sign-out-everywhere", data={"csrf_token": csrf(mine, "/account")})
    assert response.status_code == 302
    assert not _signed_in(thief) and not _signed_in(mine)
    # Signing in again works, and only that new session does.
    assert _post_sign_in(mine, ADMIN, PASSWORD).status_code == 302 and _signed_in(mine)
    assert not _signed_in(thief)


def test_plain_sign_out_leaves_other_browsers_signed_in(app, session):
    create_user(session, ADMIN, role="admin", password=PASSWORD)
    laptop, phone = app.test_client(), app.test_client()
    _post_sign_in(laptop, ADMIN, PASSWORD)
    _post_sign_in(phone, ADMIN, PASSWORD)
    laptop.post("/sign-out", data={"csrf_token": csrf(laptop, "/agreements")})
    assert not _signed_in(laptop) and _signed_in(phone)


def test_a_password_change_ends_every_session_and_keeps_api_tokens(app, session):
    user = create_user(session, ADMIN, role="admin", password=PASSWORD)
    token = create_token(session, user)[1]
    browser = app.test_client()
    _post_sign_in(browser, ADMIN, PASSWORD)
    update_user(session, user.id, {"password": "a new and long passphrase"})
    assert not _signed_in(browser)
    assert _post_sign_in(browser, ADMIN, PASSWORD).status_code == 401
    assert _post_sign_in(browser, ADMIN, "a new and long passphrase").status_code == 302
    # Tokens are separate credentials: they keep working (revoke them one by one).
    assert token_bearer(session, token) is not None


def test_deactivation_ends_sessions_and_revokes_tokens_and_feed_for_good(app, session):
    user = create_user(session, "leaver@example.org", role="editor", password=PASSWORD)
    token = create_token(session, user)[1]
    feed = issue_feed_token(session, user)
    browser = app.test_client()
    _post_sign_in(browser, "leaver@example.org", PASSWORD)
    update_user(session, user.id, {"is_active": False})
    assert not _signed_in(browser)
    update_user(session, user.id, {"is_active": True})  # back: nothing old comes back with them
    assert not _signed_in(browser)
    assert token_bearer(session, token) is None
    assert user_for_feed_token(session, feed) is None
    assert app.test_client().get(f"/feeds/{feed}/reminders.ics").status_code == 404
    assert _post_sign_in(browser, "leaver@example.org", PASSWORD).status_code == 302


def test_no_token_is_made_for_a_deactivated_account(app, session, people):
    """It would start working on reactivation, which is meant to bring no credential back."""
    update_user(session, people["viewer"].id, {"is_active": False})
    with pytest.raises(InvalidInput, match="deactivated"):
        create_token(session, people["viewer"])
    admin_token = create_token(session, people["admin"])[1]
    response = app.test_client().post(
        f"/api/v1/users/{people['viewer'].id}/tokens",
        json={"name": "script"},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert response.status_code == 422 and "deactivated" in str(response.get_json()["errors"])


def test_remember_me_lasts_two_weeks_and_an_older_sign_in_is_refused(app, session, people):
    client = app.test_client()
    create_user(session, "remembered@example.org", password=PASSWORD)
    response = _post_sign_in(client, "remembered@example.org", PASSWORD)
    remember = next(c for c in response.headers.getlist("Set-Cookie") if "remember_token" in c)
    expires = re.search(r"Expires=([^;]+)", remember).group(1)  # type: ignore[union-attr]
    days = (datetime.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT") - datetime.now()).days
    assert 13 <= days <= 14
    # Even copied out of the browser, a sign-in older than that no longer stands.
    app.test_client_class = FlaskLoginClient
    old = app.test_client(user=WebUser(people["viewer"], int(time.time()) - 15 * 86400))
    assert not _signed_in(old)
    recent = app.test_client(user=WebUser(people["viewer"], int(time.time()) - 13 * 86400))
    assert _signed_in(recent)


# ---------------------------------------------------------------- caching


def test_answers_that_show_a_secret_are_never_stored(app, viewer_web, session, people):
    response = viewer_web.post(
        "/account/tokens", data={"csrf_token": csrf(viewer_web, "/account"), "name": "laptop"}
    )
    assert "tt_" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    response = viewer_web.post(
        "/account/calendar", data={"csrf_token": csrf(viewer_web, "/account")}
    )
    assert "/feeds/" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    admin_token = create_token(session, people["admin"])[1]
    response = app.test_client().post(
        f"/api/v1/users/{people['viewer'].id}/tokens",
        json={"name": "script"},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert response.status_code == 201 and response.get_json()["token"].startswith("tt_")
    assert response.headers["Cache-Control"] == "no-store"


def test_other_pages_and_api_answers_are_private_and_revalidated(
    app, client, viewer_web, session, people
):
    assert viewer_web.get("/account").headers["Cache-Control"] == "private, no-cache"
    assert viewer_web.get("/agreements").headers["Cache-Control"] == "private, no-cache"
    assert client.get("/sign-in").headers["Cache-Control"] == "private, no-cache"
    token = create_token(session, people["viewer"])[1]
    headers = {"Authorization": f"Bearer {token}"}
    first = client.get("/api/v1/me", headers=headers)
    assert first.headers["Cache-Control"] == "private, no-cache" and first.headers["ETag"]
    again = client.get("/api/v1/me", headers=headers | {"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_feeds_have_an_explicit_private_policy(client, session, people):
    feed = issue_feed_token(session, people["viewer"])
    for path in (f"/feeds/{feed}/reminders.ics", f"/feeds/{feed}/digests.atom"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, max-age=300", path


# ---------------------------------------------------------------- passwords


@pytest.mark.parametrize("password", ["1234567890", "Basketball", "qwertyuiop", "PASSWORD12"])
def test_a_common_password_is_refused(session, password):
    with pytest.raises(InvalidInput) as refused:
        create_user(session, "new@example.org", password=password)
    assert "common" in refused.value.errors["password"][0]
    user = create_user(session, "new@example.org", password=PASSWORD)
    with pytest.raises(InvalidInput, match="common"):
        update_user(session, user.id, {"password": password})


def test_the_email_is_not_a_password(session):
    with pytest.raises(InvalidInput, match="email"):
        create_user(session, "someone.long@example.org", password="Someone.Long@example.org")
