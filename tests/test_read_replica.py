"""TRACKER_READ_DATABASE_URL: requests that only read are answered from a read replica,
everything else from the primary.

The replica here is a second database (a second SQLite file, or a second PostgreSQL
database) migrated and seeded like the primary, holding an agreement the primary lacks;
the primary is the test's own database, holding one the replica lacks. Which of the two a
request saw is told by which of them it shows. A real streaming replica is tested in
tests/test_streaming_replica.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask_login import FlaskLoginClient
from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from tests.conftest import _postgres_or_skip, empty_postgres
from tracker import create_app, migrate
from tracker.db import PRIMARY_UNTIL, begin_write, get_session, make_engine, reads_replica
from tracker.models import Agreement, ApiToken, User
from tracker.services.accounts.users import create_token, create_user
from tracker.services.data.seed import load_seed
from tracker.web.auth import WebUser

ON_REPLICA = "Zanzibar accord kept on the replica"
ON_PRIMARY = "Zanzibar accord kept on the primary"


@pytest.fixture(scope="module")
def replica(engine_name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The stand-in replica: a database of its own, migrated, seeded, and holding ON_REPLICA."""
    admin = None
    if engine_name == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('replica') / 'replica.sqlite3'}"
    else:
        primary = make_url(_postgres_or_skip())
        url = primary.set(database=f"{primary.database}_replica").render_as_string(
            hide_password=False
        )
        admin = make_engine(
            primary.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}"'))
            connection.execute(text(f'CREATE DATABASE "{make_url(url).database}"'))
    engine = make_engine(url)
    if engine_name == "postgresql":
        empty_postgres(engine)
    migrate.upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        load_seed(session)
        factories.agreement(session, title=ON_REPLICA)
    yield engine
    engine.dispose()
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(
                text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
            )
        admin.dispose()


@pytest.fixture
def mirror(replica: Engine) -> Iterator[Any]:
    """Copies rows of the primary to the replica, as replication would; removed afterwards."""
    copied: list[tuple[type, int]] = []

    def copy(*rows: Any) -> None:
        with Session(replica) as session:
            for row in rows:
                session.merge(row)
                copied.append((type(row), row.id))
            session.commit()

    yield copy
    with Session(replica) as session:
        for model, ident in reversed(copied):
            session.execute(delete(model).where(model.id == ident))
        session.commit()


@contextmanager
def _app(url: str, session_factory: sessionmaker[Session]) -> Iterator[Flask]:
    """The app with `url` as its replica; the replica's connections closed afterwards."""
    app = create_app(
        {
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": "sqlite://",
            "READ_DATABASE_URL": url,
            "TESTING": True,
        }
    )
    app.extensions["tracker.engine"].dispose()
    app.extensions["tracker.sessionmaker"] = session_factory
    try:
        yield app
    finally:
        app.extensions["tracker.read_engine"].dispose()


@pytest.fixture
def replicated(
    replica: Engine, session_factory: sessionmaker[Session], session: Session
) -> Iterator[Flask]:
    """The app with the stand-in replica, and ON_PRIMARY on the primary alone."""
    factories.agreement(session, title=ON_PRIMARY)
    with _app(replica.url.render_as_string(hide_password=False), session_factory) as app:
        yield app


def _titles(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.get_json()
    return sorted(item["title"] for item in answer.get_json())


def _bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def test_an_api_read_is_answered_from_the_replica(replicated, session, mirror, replica):
    viewer = create_user(session, "viewer@example.org", role="viewer")
    row, token = create_token(session, viewer)
    mirror(viewer, row)  # replicated long ago
    answer = replicated.test_client().get("/api/v1/agreements?q=Zanzibar", headers=_bearer(token))
    assert _titles(answer) == [ON_REPLICA]
    # The token's first use is noted, on the primary, without turning the read over to it.
    assert session.get(ApiToken, row.id, populate_existing=True).last_used_at is not None
    with Session(replica) as on_replica:
        assert on_replica.get(ApiToken, row.id).last_used_at is None


def test_a_token_made_a_moment_ago_is_accepted_before_it_reaches_the_replica(replicated, session):
    viewer = create_user(session, "viewer@example.org", role="viewer")
    token = create_token(session, viewer)[1]  # on the primary alone
    answer = replicated.test_client().get("/api/v1/agreements?q=Zanzibar", headers=_bearer(token))
    assert _titles(answer) == [ON_PRIMARY]  # the token was found there, and so was the rest


def test_a_write_goes_to_the_primary_and_never_to_the_replica(replicated, session, replica, mirror):
    editor = create_user(session, "editor@example.org", role="editor")
    row, token = create_token(session, editor)
    mirror(editor, row)
    client = replicated.test_client()
    made = client.post(
        "/api/v1/agreements",
        json={"title": "Zanzibar accord just written", "kind": "treaty", "parties": ["RUS"]},
        headers=_bearer(token),
    )
    assert made.status_code == 201, made.get_json()
    written = select(func.count()).where(Agreement.title == "Zanzibar accord just written")
    assert session.scalar(written) == 1
    with Session(replica) as on_replica:
        assert on_replica.scalar(written) == 0
    # A script with a token gets no cookie, and its next read is the replica's.
    assert "Set-Cookie" not in made.headers
    later = client.get("/api/v1/agreements?q=Zanzibar", headers=_bearer(token))
    assert _titles(later) == [ON_REPLICA]


def test_asking_for_no_cache_reads_the_primary(replicated, session, mirror):
    viewer = create_user(session, "viewer@example.org", role="viewer")
    row, token = create_token(session, viewer)
    mirror(viewer, row)
    client = replicated.test_client()
    fresh = client.get(
        "/api/v1/agreements?q=Zanzibar", headers=_bearer(token, **{"Cache-Control": "no-cache"})
    )
    assert _titles(fresh) == [ON_PRIMARY]


def test_a_browser_reads_its_own_write_then_the_replica_again(replicated, session, mirror):
    editor = create_user(session, "editor@example.org", role="editor", display_name="Ed")
    mirror(editor)  # replicated long ago
    replicated.test_client_class = FlaskLoginClient
    browser = replicated.test_client(user=WebUser(editor))
    listing = browser.get("/agreements?q=Zanzibar").get_data(as_text=True)
    assert ON_REPLICA in listing and ON_PRIMARY not in listing

    form = browser.get("/agreements/new").get_data(as_text=True)
    csrf = form.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    saved = browser.post(
        "/agreements/new",
        data={
            "csrf_token": csrf,
            "title": "Zanzibar accord just written",
            "kind": "treaty",
            "parties": "RUS",
        },
    )
    assert saved.status_code == 302
    # The page the form leads to exists on the primary alone: it is shown, not a 404.
    page = browser.get(saved.headers["Location"])
    assert page.status_code == 200
    assert "Zanzibar accord just written" in page.get_data(as_text=True)
    listing = browser.get("/agreements?q=Zanzibar").get_data(as_text=True)
    assert ON_PRIMARY in listing and ON_REPLICA not in listing

    # TRACKER_READ_AFTER_WRITE (10 s) later, the browser reads the replica again.
    with browser.session_transaction() as cookie:
        assert cookie[PRIMARY_UNTIL] > time.time() + 5
        cookie[PRIMARY_UNTIL] = time.time() - 1
    assert browser.get(saved.headers["Location"]).status_code == 404
    with browser.session_transaction() as cookie:
        assert PRIMARY_UNTIL not in cookie


def test_an_unreachable_replica_falls_back_to_the_primary_and_says_so(
    engine_name, session_factory, session, tmp_path, caplog
):
    if engine_name == "sqlite":
        unreachable = f"sqlite:///{tmp_path / 'no such folder' / 'replica.sqlite3'}"
    else:
        unreachable = "postgresql+psycopg://postgres@127.0.0.1:1/replica"
    factories.agreement(session, title=ON_PRIMARY)
    viewer = create_user(session, "viewer@example.org", role="viewer")
    token = create_token(session, viewer)[1]
    with _app(unreachable, session_factory) as app, caplog.at_level(logging.WARNING):
        client = app.test_client()
        first = client.get("/api/v1/agreements?q=Zanzibar", headers=_bearer(token))
        second = client.get("/api/v1/agreements?q=Zanzibar", headers=_bearer(token))
        health = client.get("/healthz")
    assert _titles(first) == _titles(second) == [ON_PRIMARY]
    warnings = [r for r in caplog.records if r.getMessage().startswith("read replica unreach")]
    assert len(warnings) == 1  # not tried again at once: one failure, not one per request
    # The node still serves: healthy, saying that its replica is not.
    assert (health.status_code, health.get_json()) == (
        200,
        {"status": "ok", "database": "ok", "replica": "unavailable"},
    )


def test_the_health_check_names_a_working_replica(replicated):
    health = replicated.test_client().get("/healthz")
    assert (health.status_code, health.get_json()) == (
        200,
        {"status": "ok", "database": "ok", "replica": "ok"},
    )


def test_outside_a_request_and_in_writing_requests_the_primary_is_used(replicated):
    with replicated.app_context():  # the scheduler's jobs and the CLI
        assert not reads_replica(get_session())
    with replicated.test_request_context("/agreements", method="POST"):
        assert not reads_replica(get_session())
    with replicated.test_request_context("/agreements", method="GET"):
        assert reads_replica(get_session())


def test_a_read_request_that_writes_writes_to_the_primary(replicated, session, mirror, replica):
    """The token's last use, the health check's probe: a write in a GET, begun by
    begin_write or sent as an UPDATE, reaches the primary, and what follows reads it."""
    user = create_user(session, "someone@example.org", role="viewer", display_name="Before")
    mirror(user)
    with replicated.test_request_context("/", method="GET"):
        reading = get_session()
        assert reading.get(User, user.id).display_name == "Before"
        reading.execute(update(User).where(User.id == user.id).values(display_name="Sent"))
        reading.commit()
        assert session.get(User, user.id, populate_existing=True).display_name == "Sent"
        begin_write(reading)
        assert not reads_replica(reading)
        assert reading.get(User, user.id).display_name == "Sent"  # the primary's row
        reading.get(User, user.id).display_name = "Flushed"
        reading.commit()
    assert session.get(User, user.id, populate_existing=True).display_name == "Flushed"
    with Session(replica) as on_replica:
        assert on_replica.get(User, user.id).display_name == "Before"


def test_a_public_read_from_the_replica_stays_cacheable(replica, session_factory):
    """An anonymous reader (TRACKER_PUBLIC_READ=1) is answered from the replica, and the
    answer is still one a cache in front may share: no cookie looked at or set."""
    url = replica.url.render_as_string(hide_password=False)
    with _app(url, session_factory) as app:
        app.config["PUBLIC_READ"] = True
        answer = app.test_client().get("/api/v1/agreements?q=Zanzibar")
    assert _titles(answer) == [ON_REPLICA]
    assert answer.headers["Cache-Control"] == "public, max-age=60"
    assert "Set-Cookie" not in answer.headers


def test_a_write_begun_in_a_read_stays_one_transaction(replicated, session, mirror):
    """An UPDATE sent while reading, then a service's begin_write: the two are one
    transaction on the primary, and a rollback undoes both."""
    user = create_user(session, "someone@example.org", role="viewer", display_name="Before")
    mirror(user)
    with replicated.test_request_context("/", method="GET"):
        reading = get_session()
        reading.execute(update(User).where(User.id == user.id).values(display_name="Sent"))
        begin_write(reading)
        assert reading.get(User, user.id, populate_existing=True).display_name == "Sent"
        reading.rollback()
    assert session.get(User, user.id, populate_existing=True).display_name == "Before"


def test_signing_in_is_followed_by_pages_from_the_primary(replicated, session):
    """An account made a moment ago (on the primary alone) signs in, and the page the
    sign-in leads to knows the user: it is read from the primary, not the replica."""
    create_user(session, "new@example.org", role="viewer", password="correct horse battery")
    client = replicated.test_client()
    form = client.get("/sign-in").get_data(as_text=True)
    csrf = form.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    signed_in = client.post(
        "/sign-in",
        data={"csrf_token": csrf, "email": "new@example.org", "password": "correct horse battery"},
    )
    assert signed_in.status_code == 302
    page = client.get("/agreements?q=Zanzibar")
    assert page.status_code == 200  # not sent back to the sign-in page
    assert ON_PRIMARY in page.get_data(as_text=True)
