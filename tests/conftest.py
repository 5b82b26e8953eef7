"""Fixtures: every database test runs on SQLite and, when configured, on PostgreSQL.

TRACKER_TEST_DATABASE_URL names a PostgreSQL database (it is emptied first). Without it the
PostgreSQL half of the suite is skipped with a reason, unless TRACKER_REQUIRE_POSTGRES=1,
which turns a missing or unreachable server into a failure.

Each test runs inside a transaction that is rolled back at the end ("joining a session into
an external transaction"), so services may commit freely and tests never see each other.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from hypothesis import settings
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tracker import create_app, migrate
from tracker.db import make_engine
from tracker.services.data.seed import load_seed
from tracker.services.infra.mail import MailSettings

# Property tests check answers, not speed: a busy machine (CI runs the browser and both
# engines side by side) must not turn a slow example into a failure.
settings.register_profile("tracker", deadline=None)
settings.load_profile("tracker")

POSTGRES_URL = os.environ.get("TRACKER_TEST_DATABASE_URL", "").strip()
REQUIRE_POSTGRES = os.environ.get("TRACKER_REQUIRE_POSTGRES", "") == "1"


def _postgres_or_skip() -> str:
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("TRACKER_REQUIRE_POSTGRES=1 but TRACKER_TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL half skipped: TRACKER_TEST_DATABASE_URL is not set")
    probe = make_engine(POSTGRES_URL)
    try:
        with probe.connect():
            pass
    except OperationalError as exc:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL half skipped: server unreachable ({exc.orig})")
    finally:
        probe.dispose()
    return POSTGRES_URL


def empty_postgres(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine_name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def database_url(engine_name: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    if engine_name == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    return _postgres_or_skip()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The suite's database: migrated to head and seeded once."""
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        empty_postgres(engine)
    migrate.upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        load_seed(session)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator:
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session_factory(connection) -> sessionmaker[Session]:  # type: ignore[no-untyped-def]
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def app(database_url: str, session_factory: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    app = create_app(
        {
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "TESTING": True,
            # Article fetching never leaves the machine in tests; loopback is allowed.
            "FETCH_ONLY_NETWORKS": "127.0.0.0/8,::1/128",
            "FETCH_TIMEOUT": 3,
        }
    )
    app.extensions["tracker.engine"].dispose()
    app.extensions["tracker.sessionmaker"] = session_factory
    return app


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def scratch_url(engine_name: str, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An empty database of its own, for tests of migrations and first-time loading."""
    if engine_name == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    url = make_url(_postgres_or_skip())
    scratch = url.set(database=f"{url.database}_scratch")
    admin = make_engine(url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{scratch.database}"'))
    yield scratch.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
    admin.dispose()


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """Say once per reason what was skipped (a missing PostgreSQL skips half the suite)."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    conformance = sys.modules.get("tests.api.test_schemathesis")
    if conformance is not None and conformance.COUNTS:
        counts = conformance.COUNTS
        terminalreporter.section("schemathesis")
        terminalreporter.write_line(
            f"{len(conformance.OPERATIONS)} operations; {counts['runs']} passing runs "
            f"(operation x valid/invalid x engine); {counts['cases']} generated requests, "
            f"{counts['failures']} failing"
            + (f"; fuzz seed {conformance.SEED}" if conformance.SEED is not None else "")
        )
    if reasons:
        terminalreporter.section("what was skipped")
        for reason, count in sorted(reasons.items()):
            terminalreporter.write_line(f"{count} test(s): {reason}")


class Inbox:
    """What the test SMTP server received."""

    def __init__(self) -> None:
        self.messages: list = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        with self.lock:
            self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():  # type: ignore[no-untyped-def]
    """A real SMTP server (aiosmtpd) on loopback: (MailSettings for it, its Inbox)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield MailSettings(host="127.0.0.1", port=port, sender="tracker@example.org"), inbox
    controller.stop()
