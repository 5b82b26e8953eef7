"""Who may do what: every route of the app, with every method, as anonymous, viewer, editor
and admin; and a CSRF token required by every form.

The table below names the least role each route needs. A route missing from it fails the
test, so a new route cannot arrive without saying who may use it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask_login import FlaskLoginClient

from tests import factories
from tracker.models import Digest
from tracker.services.accounts.users import create_token, create_user
from tracker.services.claims.declarations import record_declaration
from tracker.services.claims.relations import record_relation
from tracker.services.feeds.manage import add_feed
from tracker.services.inbox import items
from tracker.services.reminders.manual import create_reminder
from tracker.web.auth import WebUser

ROLES = ["anonymous", "viewer", "editor", "admin"]
RANK = {role: n for n, role in enumerate(ROLES)}

# Least role per (rule, method). "public": anyone; "viewer": signed in (web) or a token (API).
PUBLIC = "public"
WEB = {
    ("/healthz", "GET"): PUBLIC,
    ("/sign-in", "GET"): PUBLIC,
    ("/sign-in", "POST"): PUBLIC,
    ("/static/<path:filename>", "GET"): PUBLIC,
    ("/feeds/<token>/digests.atom", "GET"): PUBLIC,  # the secret token in the URL is the key
    ("/feeds/<token>/reminders.ics", "GET"): PUBLIC,
    ("/api/v1/docs/", "GET"): PUBLIC,
    ("/api/v1/docs/<path:filename>", "GET"): PUBLIC,
    ("/api/v1/openapi.json", "GET"): PUBLIC,
    ("/", "GET"): "viewer",
    ("/agreements", "GET"): "viewer",
    ("/agreements/<int:agreement_id>", "GET"): "viewer",
    ("/articles/<int:article_id>", "GET"): "viewer",
    ("/reminders", "GET"): "viewer",
    ("/search", "GET"): "viewer",
    ("/agreements.csv", "GET"): "viewer",
    ("/events.csv", "GET"): "viewer",
    ("/evidence.csl.json", "GET"): "viewer",
    ("/digests", "GET"): "viewer",
    ("/digests/<int:digest_id>", "GET"): "viewer",
    ("/account", "GET"): "viewer",
    ("/account", "POST"): "viewer",
    ("/account/calendar", "POST"): "viewer",
    ("/account/calendar/stop", "POST"): "viewer",
    ("/account/tokens", "POST"): "viewer",
    ("/account/tokens/<int:token_id>/revoke", "POST"): "viewer",
    ("/sign-out", "POST"): "viewer",
    ("/sign-out-everywhere", "POST"): "viewer",
    ("/agreements/new", "GET"): "editor",
    ("/agreements/new", "POST"): "editor",
    ("/agreements/<int:agreement_id>/edit", "GET"): "editor",
    ("/agreements/<int:agreement_id>/edit", "POST"): "editor",
    ("/agreements/<int:agreement_id>/events/new", "GET"): "editor",
    ("/agreements/<int:agreement_id>/events/new", "POST"): "editor",
    ("/agreements/<int:agreement_id>/evidence/new", "GET"): "editor",
    ("/agreements/<int:agreement_id>/evidence/new", "POST"): "editor",
    ("/agreements/<int:agreement_id>/evidence/<int:article_id>/review", "GET"): "editor",
    ("/agreements/<int:agreement_id>/evidence/<int:article_id>/review", "POST"): "editor",
    ("/agreements/<int:agreement_id>/principles/new", "GET"): "editor",
    ("/agreements/<int:agreement_id>/principles/new", "POST"): "editor",
    ("/agreements/<int:agreement_id>/reminders/new", "GET"): "editor",
    ("/agreements/<int:agreement_id>/reminders/new", "POST"): "editor",
    ("/agreements/<int:agreement_id>/delete", "POST"): "editor",
    ("/agreements/<int:agreement_id>/status", "POST"): "editor",
    ("/agreements/<int:agreement_id>/declarations/new", "GET"): "editor",
    ("/agreements/<int:agreement_id>/declarations/new", "POST"): "editor",
    ("/declarations/<int:declaration_id>/edit", "GET"): "editor",
    ("/declarations/<int:declaration_id>/edit", "POST"): "editor",
    ("/declarations/<int:declaration_id>/remove", "GET"): "editor",
    ("/declarations/<int:declaration_id>/remove", "POST"): "editor",
    ("/events/<int:event_id>/prefer", "POST"): "editor",
    ("/events/<int:event_id>/retract", "GET"): "editor",
    ("/events/<int:event_id>/retract", "POST"): "editor",
    ("/events/<int:event_id>/undo-retract", "POST"): "editor",
    ("/events/<int:event_id>/edit", "GET"): "editor",
    ("/events/<int:event_id>/edit", "POST"): "editor",
    ("/agreements/<int:agreement_id>/relations/new", "GET"): "editor",
    ("/agreements/<int:agreement_id>/relations/new", "POST"): "editor",
    ("/relations/<int:relation_id>/edit", "GET"): "editor",
    ("/relations/<int:relation_id>/edit", "POST"): "editor",
    ("/relations/<int:relation_id>/remove", "GET"): "editor",
    ("/relations/<int:relation_id>/remove", "POST"): "editor",
    ("/reminders/<int:reminder_id>/done", "POST"): "editor",
    ("/reminders/<int:reminder_id>/dismiss", "POST"): "editor",
    ("/reminders/<int:reminder_id>/snooze", "POST"): "editor",
    ("/news-feeds", "GET"): "viewer",
    ("/news-feeds/new", "GET"): "editor",
    ("/news-feeds/new", "POST"): "editor",
    ("/news-feeds/<int:feed_id>/edit", "GET"): "editor",
    ("/news-feeds/<int:feed_id>/edit", "POST"): "editor",
    ("/news-feeds/<int:feed_id>/pause", "POST"): "editor",
    ("/news-feeds/<int:feed_id>/resume", "POST"): "editor",
    ("/news-feeds/<int:feed_id>/remove", "GET"): "admin",
    ("/news-feeds/<int:feed_id>/remove", "POST"): "admin",
    ("/inbox", "GET"): "viewer",
    ("/inbox/<int:item_id>", "GET"): "viewer",
    ("/inbox/<int:item_id>", "POST"): "editor",
    ("/inbox/<int:item_id>/accept", "POST"): "editor",
    ("/inbox/<int:item_id>/dismiss", "POST"): "editor",
    ("/inbox/<int:item_id>/new-agreement", "POST"): "editor",
    ("/inbox/<int:item_id>/reopen", "POST"): "editor",
    ("/deleted", "GET"): "admin",
    ("/agreements/<int:agreement_id>/restore", "POST"): "admin",
    ("/articles/<int:article_id>/restore", "POST"): "admin",
}
API = {
    ("/api/v1/agreements", "GET"): "viewer",
    ("/api/v1/agreements", "POST"): "editor",
    ("/api/v1/agreements/<id:agreement_id>", "GET"): "viewer",
    ("/api/v1/agreements/<id:agreement_id>", "PATCH"): "editor",
    ("/api/v1/agreements/<id:agreement_id>", "DELETE"): "editor",
    ("/api/v1/agreements/<id:agreement_id>/events", "GET"): "viewer",
    ("/api/v1/agreements/<id:agreement_id>/participants", "GET"): "viewer",
    ("/api/v1/agreements/<id:agreement_id>/events", "POST"): "editor",
    ("/api/v1/agreements/<id:agreement_id>/history", "GET"): "viewer",
    ("/api/v1/agreements/<id:agreement_id>/principles", "GET"): "viewer",
    ("/api/v1/agreements/<id:agreement_id>/principles", "POST"): "editor",
    ("/api/v1/agreements/<id:agreement_id>/restore", "POST"): "admin",
    ("/api/v1/agreements/deleted", "GET"): "admin",
    ("/api/v1/articles", "GET"): "viewer",
    ("/api/v1/articles", "POST"): "editor",
    ("/api/v1/articles/<id:article_id>", "GET"): "viewer",
    ("/api/v1/articles/<id:article_id>", "DELETE"): "editor",
    ("/api/v1/articles/<id:article_id>/restore", "POST"): "admin",
    ("/api/v1/articles/deleted", "GET"): "admin",
    ("/api/v1/digests", "GET"): "viewer",
    ("/api/v1/digests/<id:digest_id>", "GET"): "viewer",
    ("/api/v1/digests/<id:digest_id>/html", "GET"): "viewer",
    ("/api/v1/digests/<id:digest_id>/text", "GET"): "viewer",
    ("/api/v1/agreements/<id:agreement_id>/declarations", "GET"): "viewer",
    ("/api/v1/agreements/<id:agreement_id>/declarations", "POST"): "editor",
    ("/api/v1/declarations/<id:declaration_id>", "GET"): "viewer",
    ("/api/v1/declarations/<id:declaration_id>", "PATCH"): "editor",
    ("/api/v1/declarations/<id:declaration_id>", "DELETE"): "editor",
    ("/api/v1/events/<id:event_id>", "GET"): "viewer",
    ("/api/v1/events/<id:event_id>", "PATCH"): "editor",
    ("/api/v1/events/<id:event_id>", "DELETE"): "editor",
    ("/api/v1/agreements/<id:agreement_id>/relations", "GET"): "viewer",
    ("/api/v1/agreements/<id:agreement_id>/relations", "POST"): "editor",
    ("/api/v1/relations/<id:relation_id>", "GET"): "viewer",
    ("/api/v1/relations/<id:relation_id>", "PATCH"): "editor",
    ("/api/v1/relations/<id:relation_id>", "DELETE"): "editor",
    ("/api/v1/extract", "POST"): "viewer",
    ("/api/v1/feeds", "GET"): "viewer",
    ("/api/v1/feeds", "POST"): "editor",
    ("/api/v1/feeds/<id:feed_id>", "GET"): "viewer",
    ("/api/v1/feeds/<id:feed_id>", "PATCH"): "editor",
    ("/api/v1/feeds/<id:feed_id>", "DELETE"): "admin",
    ("/api/v1/me", "GET"): "viewer",
    ("/api/v1/me", "PATCH"): "viewer",
    ("/api/v1/parties", "GET"): "viewer",
    ("/api/v1/parties/<code>", "GET"): "viewer",
    ("/api/v1/principles", "GET"): "viewer",
    ("/api/v1/reminders", "GET"): "viewer",
    ("/api/v1/reminders", "POST"): "editor",
    ("/api/v1/reminders/<id:reminder_id>", "GET"): "viewer",
    ("/api/v1/reminders/<id:reminder_id>", "PATCH"): "editor",
    ("/api/v1/reminders/<id:reminder_id>", "DELETE"): "editor",
    ("/api/v1/inbox", "GET"): "viewer",
    ("/api/v1/inbox/<id:item_id>", "GET"): "viewer",
    ("/api/v1/inbox/<id:item_id>/accept", "POST"): "editor",
    ("/api/v1/inbox/<id:item_id>/dismiss", "POST"): "editor",
    ("/api/v1/inbox/<id:item_id>/new-agreement", "POST"): "editor",
    ("/api/v1/inbox/<id:item_id>/reopen", "POST"): "editor",
    ("/api/v1/search", "GET"): "viewer",
    ("/api/v1/tokens/<id:token_id>", "GET"): "admin",
    ("/api/v1/tokens/<id:token_id>", "DELETE"): "admin",
    ("/api/v1/users", "GET"): "admin",
    ("/api/v1/users", "POST"): "admin",
    ("/api/v1/users/<id:user_id>", "GET"): "admin",
    ("/api/v1/users/<id:user_id>", "PATCH"): "admin",
    ("/api/v1/users/<id:user_id>/tokens", "GET"): "admin",
    ("/api/v1/users/<id:user_id>/tokens", "POST"): "admin",
}


def _routes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return sorted(
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


@pytest.fixture
def world(app, session) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """One of everything a route can name, and a signed-in user and a token per role."""
    users = {
        role: create_user(session, f"matrix-{role}@example.org", role=role) for role in ROLES[1:]
    }
    tokens = {role: create_token(session, user)[1] for role, user in users.items()}
    spare = create_token(session, users["viewer"], name="spare")[0]  # for routes naming one
    treaty = factories.agreement(session, title="Matrix treaty")
    article = factories.article(session, "Moscow and Tehran signed the treaty.")
    event = factories.event(
        session,
        treaty.id,
        "signing",
        "2025-01-17",
        evidence=[{"article_id": article.id, "quote": "signed the treaty"}],
    )
    reminder = create_reminder(
        session, {"agreement_id": treaty.id, "due": "2030-01-01", "reason": "Check it"}
    )
    declaration = record_declaration(
        session, treaty.id, {"party": "IRN", "kind": "reservation", "text": "A reservation."}
    )
    relation = record_relation(
        session,
        treaty.id,
        {"type": "amends", "target_id": factories.agreement(session, title="Matrix base").id},
    )
    feed = add_feed(session, {"url": "https://feeds.example.org/matrix.xml"})
    story = items.take(
        session,
        factories.article(session, "Russia and Iran signed the treaty in Moscow.", language="en"),
    )
    digest = Digest(user_id=users["viewer"].id, week="2025-W16", sections={}, html="", text="")
    session.add(digest)
    session.commit()
    return {
        "session": session,
        "users": users,
        "tokens": tokens,
        "ids": {
            "agreement_id": treaty.id,
            "article_id": article.id,
            "event_id": event.id,
            "declaration_id": declaration.id,
            "reminder_id": reminder.id,
            "relation_id": relation.id,
            "digest_id": digest.id,
            "feed_id": feed.id,
            "item_id": story.id,
            "user_id": users["viewer"].id,
            "token_id": spare.id,
            "token": "not-a-feed-token",
            "code": "EAEU",
        },
    }


def _path(rule: str, ids: dict[str, Any]) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1).split(":")[-1]
        if name == "filename":
            return "swagger-ui.css" if rule.startswith("/api/v1/docs") else "style.css"
        return str(ids[name])

    return re.sub(r"<([^>]+)>", value, rule)


def _request(app, world, rule: str, method: str, role: str):  # type: ignore[no-untyped-def]
    path = _path(rule, world["ids"])
    headers = {}
    if rule.startswith("/api/v1/") and (rule, method) in API:
        client = app.test_client()
        if role != "anonymous":
            headers["Authorization"] = f"Bearer {world['tokens'][role]}"
    elif role == "anonymous":
        client = app.test_client()
    else:
        app.test_client_class = FlaskLoginClient
        user = world["users"][role]
        world["session"].refresh(user)  # "sign out everywhere" moved its session generation
        client = app.test_client(user=WebUser(user))
    response = client.open(path, method=method, headers=headers)
    response.close()
    return response


def test_the_matrix_covers_every_route(app):
    assert set(_routes(app)) == set(WEB) | set(API)
    assert not set(WEB) & set(API)


def test_every_route_lets_in_exactly_the_roles_it_should(app, world):
    app.config["WTF_CSRF_ENABLED"] = False  # the CSRF check comes first; tested below
    wrong = []
    checked = 0
    for rule, method in _routes(app):
        needed = API.get((rule, method)) or WEB[(rule, method)]
        for role in ROLES:
            response = _request(app, world, rule, method, role)
            checked += 1
            status = response.status_code
            # Sent to sign in first (with where to come back to): signing out ends there too.
            where = response.headers.get("Location", "")
            to_sign_in = status == 302 and "/sign-in?next=" in where
            allowed = needed == PUBLIC or RANK[role] >= RANK[needed]
            if status >= 500:
                wrong.append(f"{method} {rule} as {role}: {status}")
            elif allowed and (status in (401, 403) or to_sign_in):
                wrong.append(f"{method} {rule} as {role}: {status}, should be let in")
            elif not allowed:
                if (rule, method) in API:
                    expected = 401 if role == "anonymous" else 403
                    if status != expected:
                        wrong.append(f"{method} {rule} as {role}: {status}, not {expected}")
                elif role == "anonymous" and not to_sign_in:
                    wrong.append(f"{method} {rule} as {role}: {status}, not sent to sign in")
                elif role != "anonymous" and status != 403:
                    wrong.append(f"{method} {rule} as {role}: {status}, not 403")
    assert wrong == []
    assert checked == 4 * len(_routes(app))
    print(f"authorization matrix: {len(_routes(app))} route-methods x 4 roles = {checked}")


def test_every_form_post_needs_its_csrf_token(app, world):
    """Every web POST, signed in as an admin (who may do anything), without the token: 400."""
    posts = [(r, m) for r, m in _routes(app) if m == "POST" and (r, m) in WEB]
    assert len(posts) > 20
    for rule, method in posts:
        response = _request(app, world, rule, method, "admin")
        assert response.status_code == 400, f"{rule}: {response.status_code}"
