"""Faults: PostgreSQL restarting under a running app.

The local PostgreSQL is stopped and started again while one app object keeps serving: during
the outage requests fail cleanly (503, JSON for the API, a page for people, nothing half
written), and once it is back they succeed without the app being restarted or rebuilt
(connections are checked before use: pool_pre_ping). Needs a PostgreSQL on this machine that
`pg_ctlcluster` controls; otherwise skipped with the reason.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from flask_login import FlaskLoginClient
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tracker import create_app, migrate
from tracker.db import make_engine
from tracker.services.accounts.users import create_token, create_user
from tracker.services.data.seed import load_seed
from tracker.web.auth import WebUser


def _cluster() -> list[str]:
    versions = (
        sorted(Path("/etc/postgresql").glob("*/main")) if Path("/etc/postgresql").is_dir() else []
    )
    if not shutil.which("pg_ctlcluster") or not versions:
        pytest.skip("PostgreSQL restart test: no local cluster that pg_ctlcluster controls")
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1].parent.name, "main"]


def _ready(url: str, up: bool, seconds: float = 60) -> None:
    target = make_url(url)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = subprocess.run(
            ["pg_isready", "-h", target.host or "127.0.0.1", "-p", str(target.port or 5432)],
            capture_output=True,
        )
        if (answer.returncode == 0) == up:
            return
        time.sleep(0.3)
    raise AssertionError(f"PostgreSQL did not {'start' if up else 'stop'} in {seconds} s")


def test_requests_fail_cleanly_while_postgresql_restarts_then_succeed(scratch_url, engine_name):
    if engine_name != "postgresql":
        pytest.skip("a PostgreSQL restart is PostgreSQL's")
    cluster = _cluster()
    engine = make_engine(scratch_url)
    migrate.upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        load_seed(session)
        user = create_user(session, "r@example.org", role="editor")
        token = create_token(session, user)[1]
    engine.dispose()
    app = create_app({"SECRET_KEY": "test-secret", "DATABASE_URL": scratch_url})
    client = app.test_client()
    app.test_client_class = FlaskLoginClient
    signed_in = app.test_client(user=WebUser(user))
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/agreements", headers=headers).status_code == 200

    subprocess.run([*cluster, "stop", "--", "-m", "fast"], check=True, capture_output=True)
    try:
        _ready(scratch_url, up=False)
        down = {
            "health": client.get("/healthz"),
            "list": client.get("/api/v1/agreements", headers=headers),
            "write": client.post(
                "/api/v1/agreements",
                json={"title": "Written during the outage", "kind": "treaty"},
                headers=headers,
            ),
            "page": client.get("/sign-in"),  # a page that reads nothing still answers
            "signed-in page": signed_in.get("/agreements"),
        }
    finally:
        subprocess.run([*cluster, "start"], check=True, capture_output=True)
        _ready(scratch_url, up=True)

    assert down["health"].status_code == 503
    for name in ("list", "write"):
        body = down[name].get_json()
        assert down[name].status_code == 503, (name, body)
        assert body["code"] == 503 and "unavailable" in body["message"]
        assert down[name].headers["Retry-After"] == "5"
    assert down["page"].status_code == 200
    page = down["signed-in page"]  # its layout cannot ask the database who is signed in
    assert page.status_code == 503 and "unavailable just now" in page.get_data(as_text=True)
    assert page.headers["Retry-After"] == "5"

    # Back: the same app object, no restart.
    assert client.get("/healthz").status_code == 200
    listed = client.get("/api/v1/agreements?page_size=200", headers=headers)
    assert listed.status_code == 200
    assert "Written during the outage" not in [a["title"] for a in listed.get_json()]
    created = client.post(
        "/api/v1/agreements", json={"title": "Written after", "kind": "treaty"}, headers=headers
    )
    assert created.status_code == 201, created.get_json()
    app.extensions["tracker.engine"].dispose()
