"""Web fixtures: clients signed in as a viewer or an editor (Flask-Login's test client), and
the CSRF token of a page's form."""

from __future__ import annotations

import re

import pytest
from flask_login import FlaskLoginClient

from tracker.services.accounts.users import create_user
from tracker.web.auth import WebUser

PASSWORD = "correct horse battery staple"


@pytest.fixture
def people(session):  # type: ignore[no-untyped-def]
    return {
        role: create_user(session, f"{role}@example.org", role=role, display_name=role.title())
        for role in ("viewer", "editor", "admin")
    }


def _client(app, user):  # type: ignore[no-untyped-def]
    app.test_client_class = FlaskLoginClient
    return app.test_client(user=WebUser(user))


@pytest.fixture
def viewer_web(app, people):  # type: ignore[no-untyped-def]
    return _client(app, people["viewer"])


@pytest.fixture
def editor_web(app, people):  # type: ignore[no-untyped-def]
    return _client(app, people["editor"])


@pytest.fixture
def admin_web(app, people):  # type: ignore[no-untyped-def]
    return _client(app, people["admin"])


def csrf(client, path: str) -> str:  # type: ignore[no-untyped-def]
    """The CSRF token of the form on the page at `path`."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def errors_beside(html: str, field_id: str) -> str:
    """The error list rendered beside a field (empty string when there is none)."""
    match = re.search(
        rf'<div class="field has-error" id="field-{field_id}">(.*?)</div>', html, re.S
    )
    return match.group(1) if match else ""
