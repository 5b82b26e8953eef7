"""Security headers, cookie flags, size limits, the health check and structured logs."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from tests.web.conftest import PASSWORD, csrf
from tracker import create_app, logs
from tracker.models import Agreement, Digest, EvidenceArticle
from tracker.services.accounts.users import create_token, create_user

TEMPLATES = Path(__file__).resolve().parents[2] / "tracker" / "templates"


def _policy(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    header = response.headers["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in header.split(";"))
    }


@pytest.fixture
def token(session) -> str:  # type: ignore[no-untyped-def]
    user = create_user(session, "reader@example.org", role="viewer")
    return create_token(session, user)[1]


def test_every_kind_of_answer_carries_the_security_headers(client, viewer_web, token):
    answers = {
        "sign-in page": client.get("/sign-in"),
        "redirect to sign-in": client.get("/"),
        "signed-in page": viewer_web.get("/agreements"),
        "HTML 404": viewer_web.get("/agreements/999999"),
        "API 401": client.get("/api/v1/agreements"),
        "API answer": client.get(
            "/api/v1/agreements", headers={"Authorization": f"Bearer {token}"}
        ),
        "API docs": client.get("/api/v1/docs/"),
        "static file": client.get("/static/style.css"),
    }
    for name, response in answers.items():
        policy = _policy(response)
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"], name
        assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"], name
        assert policy["script-src"] == "'self'" and policy["frame-ancestors"] == "'none'", name
        assert policy["object-src"] == "'none'", name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["X-Frame-Options"] == "DENY", name
        assert response.headers["Referrer-Policy"] == "same-origin", name
        response.close()


def test_a_digest_shown_as_html_runs_no_script_at_all(client, session, token):
    reader = create_user(session, "subscriber@example.org", role="viewer")
    digest = Digest(
        user_id=reader.id,
        week="2025-W16",
        sections={},
        html='<p style="color: #333">Nothing moved</p><script>alert(1)</script>',
        text="Nothing moved",
    )
    session.add(digest)
    session.commit()
    own = create_token(session, reader)[1]
    response = client.get(
        f"/api/v1/digests/{digest.id}/html", headers={"Authorization": f"Bearer {own}"}
    )
    assert response.status_code == 200
    policy = _policy(response)
    # Inline styles for the mail body, but no script of any kind and no framing.
    assert "sandbox" in policy and policy["default-src"] == "'none'"
    assert "script-src" not in policy and policy["frame-ancestors"] == "'none'"
    assert policy["style-src"] == "'unsafe-inline'"


def test_templates_hold_no_inline_script_style_or_handler():
    """The policy forbids them; one slipping into a template would break the page."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if path.relative_to(TEMPLATES).as_posix() == "digest/email.html":
            continue  # a mail body: inline styles on purpose, served under its own policy
        html = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=", r"\son\w+="):
            offenders += [f"{path.name}: {m.group(0)}" for m in re.finditer(pattern, html)]
    assert offenders == []


def _sign_in(app, session, secure_site: bool):  # type: ignore[no-untyped-def]
    create_user(session, "cookie@example.org", role="viewer", password=PASSWORD)
    site = "https://tracker.example" if secure_site else "http://localhost"
    client = app.test_client()
    page = client.get("/sign-in", base_url=site)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    response = client.post(
        "/sign-in",
        data={
            "email": "cookie@example.org",
            "password": PASSWORD,
            "remember": "y",
            "csrf_token": token.group(1),  # type: ignore[union-attr]
        },
        base_url=site,
        headers={"Referer": f"{site}/sign-in"},  # checked on HTTPS
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers.getlist("Set-Cookie")


@pytest.mark.parametrize("secure_site", [True, False])
def test_session_cookies_are_http_only_same_site_and_secure_over_https(
    database_url, session_factory, session, secure_site
):
    app = create_app(
        {
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "TESTING": True,
            "BASE_URL": "https://tracker.example" if secure_site else "http://localhost:5000",
        }
    )
    app.extensions["tracker.sessionmaker"] = session_factory
    cookies = {c.split("=", 1)[0]: c for c in _sign_in(app, session, secure_site)}
    assert {"session", "remember_token"} <= set(cookies)
    for name in ("session", "remember_token"):
        flags = [f.strip().lower() for f in cookies[name].split(";")]
        assert "httponly" in flags and "samesite=lax" in flags, cookies[name]
        assert ("secure" in flags) == secure_site, cookies[name]


def test_a_body_over_the_limit_is_refused_with_413_and_nothing_is_stored(
    app, client, editor_web, session, token
):
    app.config["MAX_CONTENT_LENGTH"] = 20_000
    editor = create_user(session, "big@example.org", role="editor")
    editor_token = create_token(session, editor)[1]
    articles = session.scalar(select(func.count()).select_from(EvidenceArticle))
    response = client.post(
        "/api/v1/articles",
        json={"text": "treaty " * 10_000},
        headers={"Authorization": f"Bearer {editor_token}"},
    )
    assert response.status_code == 413
    body = response.get_json()
    assert body["code"] == 413 and "large" in body["message"].lower()
    assert session.scalar(select(func.count()).select_from(EvidenceArticle)) == articles

    agreements = session.scalar(select(func.count()).select_from(Agreement))
    page = editor_web.post(
        "/agreements/new",
        data={"title": "x" * 30_000, "kind": "treaty", "csrf_token": "whatever"},
    )
    assert page.status_code == 413 and "text/html" in page.content_type
    assert session.scalar(select(func.count()).select_from(Agreement)) == agreements


def test_a_chunked_body_over_the_limit_is_a_413_too_and_one_under_it_goes_through(
    app, client, editor_web, session
):
    """A body sent without a length (Transfer-Encoding: chunked) was cut at the limit and then
    refused as broken JSON or a form without its CSRF token: 400 instead of 413."""
    app.config["MAX_CONTENT_LENGTH"] = 20_000
    editor_token = create_token(session, create_user(session, "chunk@example.org", role="editor"))[
        1
    ]

    def chunked(client, path, body: bytes, content_type: str, **headers):  # type: ignore[no-untyped-def]
        return client.post(
            path,
            input_stream=io.BytesIO(body),
            headers={"Content-Type": content_type, "Transfer-Encoding": "chunked", **headers},
            environ_overrides={"wsgi.input_terminated": True},  # as a WSGI server sets it
        )

    api = {"Authorization": f"Bearer {editor_token}"}
    articles = session.scalar(select(func.count()).select_from(EvidenceArticle))
    big = json.dumps({"text": "treaty " * 10_000}).encode()
    response = chunked(client, "/api/v1/articles", big, "application/json", **api)
    assert response.status_code == 413 and response.get_json()["code"] == 413
    assert session.scalar(select(func.count()).select_from(EvidenceArticle)) == articles
    small = json.dumps({"text": "A chunked article about the treaty."}).encode()
    response = chunked(client, "/api/v1/articles", small, "application/json", **api)
    assert response.status_code == 201, response.get_json()

    form = "application/x-www-form-urlencoded"
    agreements = session.scalar(select(func.count()).select_from(Agreement))
    token = csrf(editor_web, "/agreements/new")
    page = chunked(editor_web, "/agreements/new", b"kind=treaty&title=" + b"x" * 30_000, form)
    assert page.status_code == 413 and "text/html" in page.content_type
    assert session.scalar(select(func.count()).select_from(Agreement)) == agreements
    body = urlencode({"csrf_token": token, "title": "Chunked treaty", "kind": "treaty"})
    page = chunked(editor_web, "/agreements/new", body.encode(), form)
    assert page.status_code == 302, page.get_data(as_text=True)[:500]
    assert session.scalar(select(func.count()).select_from(Agreement)) == agreements + 1


def test_a_text_over_its_field_limit_is_a_422_naming_the_field(app, client, session):
    editor = create_user(session, "long@example.org", role="editor")
    editor_token = create_token(session, editor)[1]
    response = client.post(
        "/api/v1/articles",
        json={"text": "Treaty.", "title": "t" * 1001},
        headers={"Authorization": f"Bearer {editor_token}"},
    )
    assert response.status_code == 422 and "title" in response.get_json()["errors"]


def test_health_check_reports_the_database(client, tmp_path):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}

    broken = create_app(
        {
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'missing-folder' / 'db.sqlite3'}",
        }
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_logs_are_one_json_object_per_line(capsys):
    logs.configure("json")
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("tracker.jobs").exception(
                "digest not sent", extra={"user_id": 7, "week": "2025-W16"}
            )
        line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    finally:
        logs.configure("text")
    assert line["level"] == "error" and line["logger"] == "tracker.jobs"
    assert line["message"] == "digest not sent"
    assert (line["user_id"], line["week"]) == (7, "2025-W16")
    assert "ValueError: boom" in line["exception"] and line["time"].endswith("+00:00")


def test_request_logs_never_hold_a_feed_secret(database_url, session_factory, capsys):
    app = create_app(
        {
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "LOG_REQUESTS": True,
            "LOG_FORMAT": "json",
        }
    )
    app.extensions["tracker.sessionmaker"] = session_factory
    try:
        assert app.test_client().get("/feeds/s3cret-feed-token/reminders.ics").status_code == 404
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    finally:
        logs.configure("text")
    request = next(line for line in lines if line.get("message") == "request")
    assert request["path"] == "/feeds/<secret>/reminders.ics" and request["status"] == 404
    assert not any("s3cret-feed-token" in json.dumps(line) for line in lines)
