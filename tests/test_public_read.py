"""TRACKER_PUBLIC_READ=1 opens the reads to anyone, but not the staff's emails: every page,
API answer and download an anonymous reader can get names people by their display name, or
"a researcher", never by email. Extraction stays for signed-in users (401 without a token)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask_login import FlaskLoginClient

from tests import factories
from tracker.services.accounts.users import create_token, create_user
from tracker.services.agreements.commands import update_agreement
from tracker.services.claims.principles import state_principle
from tracker.services.reminders.manual import create_reminder, update_reminder
from tracker.web.auth import WebUser

DOMAIN = "@staff.example"
# Reads only for their owner or for admins: not opened by public read, checked elsewhere.
NOT_PUBLIC = ("/static/", "/api/v1/docs", "/api/v1/openapi", "/feeds/", "/digests", "/account")


@pytest.fixture
def staffed(app, session) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """An agreement whose events, evidence, principles, reminders and history name staff."""
    named = create_user(session, f"nadia{DOMAIN}", role="editor", display_name="Nadia Karimi")
    unnamed = create_user(session, f"quiet{DOMAIN}", role="editor")
    # A display name that is itself an email counts as none.
    admin = create_user(session, f"boss{DOMAIN}", role="admin", display_name=f"boss{DOMAIN}")
    treaty = factories.agreement(session, title="Staffed treaty")
    article = factories.article(session, "Moscow and Tehran signed the staffed treaty.")
    quote = [{"article_id": article.id, "quote": "signed the staffed treaty"}]
    first = factories.event(
        session, treaty.id, "signing", "2025-01-17", actor=named, evidence=quote
    )
    factories.event(session, treaty.id, "signing", "2025-01-18", actor=unnamed)
    state_principle(
        session,
        treaty.id,
        {"principle": "sovereignty", "article_id": article.id, "quote": "signed"},
        actor=named,
    )
    reminder = create_reminder(
        session,
        {
            "agreement_id": treaty.id,
            "due": "2030-01-01",
            "reason": "Check the ratification",
            "assignee": unnamed.email,
        },
        actor=named,
    )
    second = create_reminder(
        session,
        {"agreement_id": treaty.id, "due": "2030-02-01", "reason": "Ask", "assignee": named.email},
        actor=admin,
    )
    update_reminder(session, second.id, {"status": "snoozed", "snoozed_until": "2030-03-01"})
    update_agreement(session, treaty.id, {"summary": "Amended by an admin."}, actor=admin)
    token = create_token(session, create_user(session, "reader@example.org"))[1]
    session.commit()
    app.config["PUBLIC_READ"] = True
    return {
        "users": [named, unnamed, admin],
        "token": token,
        "ids": {
            "agreement_id": treaty.id,
            "article_id": article.id,
            "event_id": first.id,
            "reminder_id": reminder.id,
        },
    }


def _paths(app, ids: dict[str, Any]) -> list[str]:  # type: ignore[no-untyped-def]
    """Every GET route of the app with the fixture's ids, and the lists with their filters."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(NOT_PUBLIC):
            continue
        names = [n.split(":")[-1] for n in re.findall(r"<([^>]+)>", rule.rule)]
        if not all(n in ids for n in names) or rule.rule == "/api/v1/search":
            continue  # the search needs its words: given below
        paths.append(re.sub(r"<([^>]+)>", lambda m: str(ids[m.group(1).split(":")[-1]]), rule.rule))
    return sorted(paths) + [
        "/reminders?show=all",
        "/search?q=staffed",
        "/api/v1/search?q=staffed",
        "/api/v1/reminders?page_size=200",
        "/api/v1/articles?page_size=200",
        "/api/v1/agreements?page_size=200",
    ]


def _emails(users: list[Any]) -> list[str]:
    return [u.email for u in users] + [DOMAIN]


def test_no_email_reaches_an_anonymous_reader(app, staffed):
    client = app.test_client()
    paths = _paths(app, staffed["ids"])
    opened = []
    for path in paths:
        response = client.get(path)
        to_sign_in = "/sign-in" in response.headers.get("Location", "")
        if response.status_code == 401 or (response.status_code == 302 and to_sign_in):
            continue  # not opened by public read (forms, accounts, tokens)
        assert response.status_code == 200, (path, response.status_code)
        body = response.get_data(as_text=True)
        leaked = [e for e in _emails(staffed["users"]) if e in body]
        assert leaked == [], f"{path} shows {leaked}"
        opened.append(path)
    # The places where people are named, each checked: pages, API answers, downloads.
    for must in (
        f"/agreements/{staffed['ids']['agreement_id']}",
        "/reminders?show=all",
        "/events.csv",
        f"/api/v1/agreements/{staffed['ids']['agreement_id']}",
        f"/api/v1/agreements/{staffed['ids']['agreement_id']}/history",
        f"/api/v1/agreements/{staffed['ids']['agreement_id']}/events",
        f"/api/v1/events/{staffed['ids']['event_id']}",
        f"/api/v1/reminders/{staffed['ids']['reminder_id']}",
        "/api/v1/reminders?page_size=200",
        "/agreements.csv",
        "/evidence.csl.json",
    ):
        assert must in opened, must


def test_an_anonymous_reader_sees_display_names_instead(app, staffed):
    client = app.test_client()
    treaty = staffed["ids"]["agreement_id"]
    events = client.get(f"/api/v1/agreements/{treaty}/events").get_json()
    assert sorted(e["recorded_by"] for e in events) == ["Nadia Karimi", "a researcher"]
    detail = client.get(f"/api/v1/agreements/{treaty}").get_json()
    assert sorted(e["recorded_by"] for e in detail["events"]) == ["Nadia Karimi", "a researcher"]
    history = client.get(f"/api/v1/agreements/{treaty}/history?page_size=100").get_json()
    actors = {(e["actor"], e["user"]) for e in history}
    assert {("Nadia Karimi", "Nadia Karimi"), ("a researcher", "a researcher")} <= actors
    assert ("system", None) in actors  # the system's own changes keep their label
    reminders = client.get("/api/v1/reminders?page_size=200").get_json()
    assert {r["assignee"] for r in reminders if r["agreement_id"] == treaty} == {
        "Nadia Karimi",
        "a researcher",
    }
    page = client.get(f"/agreements/{treaty}").get_data(as_text=True)
    history_table = page.split('class="history"')[1].split("</table>")[0]
    assert "Nadia Karimi recorded" in history_table and "A researcher recorded" in history_table
    listing = client.get("/reminders?show=all").get_data(as_text=True)
    assert "<td>Nadia Karimi</td>" in listing and "<td>a researcher</td>" in listing
    csv = client.get("/events.csv").get_data(as_text=True)
    assert "Nadia Karimi" in csv and "a researcher" in csv


def test_signed_in_readers_still_see_who_by_email(app, staffed):
    """Staff see one another's emails, on the API and the pages: only anonymity hides them."""
    treaty = staffed["ids"]["agreement_id"]
    api = app.test_client()
    headers = {"Authorization": f"Bearer {staffed['token']}"}
    history = api.get(f"/api/v1/agreements/{treaty}/history", headers=headers).get_json()
    assert f"nadia{DOMAIN}" in {e["actor"] for e in history}
    events = api.get(f"/api/v1/agreements/{treaty}/events", headers=headers).get_json()
    assert f"quiet{DOMAIN}" in {e["recorded_by"] for e in events}
    app.test_client_class = FlaskLoginClient
    web = app.test_client(user=WebUser(staffed["users"][0]))
    assert f"quiet{DOMAIN}" in web.get("/reminders?show=all").get_data(as_text=True)
    assert f"nadia{DOMAIN}" in web.get("/events.csv").get_data(as_text=True)
    assert f"boss{DOMAIN}" in web.get(f"/agreements/{treaty}").get_data(as_text=True)


def test_an_anonymous_reader_cannot_probe_emails_through_the_assignee_filter(app, staffed):
    client = app.test_client()
    probe = f"/api/v1/reminders?assignee=nadia{DOMAIN}"
    assert client.get(probe).status_code == 401
    signed = client.get(probe, headers={"Authorization": f"Bearer {staffed['token']}"})
    assert signed.status_code == 200 and [r["reason"] for r in signed.get_json()] == ["Ask"]


def test_extraction_needs_a_token_even_when_reads_are_public(app, staffed):
    client = app.test_client()
    body = {"text": "Russia and Iran signed the treaty on 17 January 2025."}
    response = client.post("/api/v1/extract", json=body)
    assert response.status_code == 401, response.get_json()
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    signed = client.post(
        "/api/v1/extract", json=body, headers={"Authorization": f"Bearer {staffed['token']}"}
    )
    assert signed.status_code == 200 and signed.get_json()["parties"]
