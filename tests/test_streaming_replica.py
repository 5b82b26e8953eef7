"""The read replica setting against a real PostgreSQL streaming replica.

A throwaway primary and its hot standby are made for this module in a temporary folder
(initdb, pg_basebackup -R, pg_ctl, on two free ports), so that nothing of an existing
server is touched. They need PostgreSQL's server programs (`/usr/lib/postgresql/*/bin`),
and, when the tests run as root, the `postgres` system user to run them as. Without those
the module is skipped, saying why; with them, under TRACKER_REQUIRE_POSTGRES=1, a standby
that cannot be made is a failure.

Replay on the standby is paused to make the replica lag on purpose: what a request shows
then tells which server answered it.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from tests.conftest import REQUIRE_POSTGRES, _postgres_or_skip, free_port
from tracker import create_app, migrate
from tracker.db import make_engine
from tracker.services.accounts.users import create_token, create_user
from tracker.services.data.seed import load_seed

STEP_TIMEOUT = 120  # seconds for any one of initdb, start, base backup


@dataclass
class Pair:
    primary: str
    standby: str
    folder: str
    bindir: str
    run_as: list[str]

    def pg_ctl(self, *args: str) -> None:
        _run(self.run_as + [f"{self.bindir}/pg_ctl", *args])


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=STEP_TIMEOUT)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[-3:])}: {(done.stderr or done.stdout)[-500:]}")


def _skip_or_fail(reason: str) -> None:
    if REQUIRE_POSTGRES and glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"):
        pytest.fail(f"streaming replica required (TRACKER_REQUIRE_POSTGRES=1): {reason}")
    pytest.skip(f"streaming replica skipped: {reason}")


def _bindir() -> str | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
    )
    return os.path.dirname(found[-1]) if found else None


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    _postgres_or_skip()  # part of the PostgreSQL half of the suite
    bindir = _bindir()
    if bindir is None:
        _skip_or_fail("no PostgreSQL server programs in /usr/lib/postgresql/*/bin")
    assert bindir is not None
    run_as: list[str] = []
    folder = tempfile.mkdtemp(prefix="tracker-standby-")
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(folder)
            _skip_or_fail("running as root and there is no postgres system user to run as")
        run_as = ["runuser", "-u", "postgres", "--"]
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    ports = free_port(), free_port()
    made = Pair(
        primary=f"postgresql+psycopg://postgres@127.0.0.1:{ports[0]}/postgres",
        standby=f"postgresql+psycopg://postgres@127.0.0.1:{ports[1]}/postgres",
        folder=folder,
        bindir=bindir,
        run_as=run_as,
    )
    started: list[str] = []
    try:
        settings = f"-c listen_addresses=127.0.0.1 -k {folder} -c fsync=off"
        _run(run_as + [f"{bindir}/initdb", "-D", f"{folder}/primary", "-U", "postgres",
                       "--auth=trust", "-E", "UTF8", "--no-sync"])  # fmt: skip
        made.pg_ctl("-D", f"{folder}/primary", "-l", f"{folder}/primary.log", "-w",
                    "-o", f"-p {ports[0]} {settings}", "start")  # fmt: skip
        started.append("primary")
        _run(run_as + [f"{bindir}/pg_basebackup", "-h", "127.0.0.1", "-p", str(ports[0]),
                       "-U", "postgres", "-D", f"{folder}/standby", "-R", "-X", "stream",
                       "--no-sync"])  # fmt: skip
        made.pg_ctl("-D", f"{folder}/standby", "-l", f"{folder}/standby.log", "-w",
                    "-o", f"-p {ports[1]} {settings}", "start")  # fmt: skip
        started.append("standby")
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        for name in started:
            made.pg_ctl("-D", f"{folder}/{name}", "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)
        _skip_or_fail(f"could not start a primary and a standby: {exc}")
    yield made
    for name in reversed(started):
        try:
            made.pg_ctl("-D", f"{folder}/{name}", "-m", "immediate", "stop")
        except RuntimeError:
            pass  # a test stopped it already
    shutil.rmtree(folder, ignore_errors=True)


def _caught_up(primary: Engine, standby: Engine) -> None:
    """Wait until the standby has replayed everything the primary has written."""
    with primary.connect() as connection:
        lsn = connection.scalar(text("SELECT pg_current_wal_lsn()"))
    deadline = time.monotonic() + 30
    with standby.connect() as connection:
        while not connection.scalar(
            text("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), CAST(:lsn AS pg_lsn)) >= 0"),
            {"lsn": lsn},
        ):
            assert time.monotonic() < deadline, "the standby did not catch up in 30 s"
            time.sleep(0.05)
            connection.rollback()


@pytest.fixture(scope="module")
def site(pair: Pair) -> Iterator[dict[str, Any]]:
    """The app on the primary with the standby as its replica, an editor's token, and the
    engines."""
    primary, standby = make_engine(pair.primary), make_engine(pair.standby)
    migrate.upgrade(primary)
    with Session(primary, expire_on_commit=False) as session:
        load_seed(session)
        editor = create_user(session, "editor@example.org", role="editor")
        token = create_token(session, editor)[1]
    _caught_up(primary, standby)
    app = create_app(
        {
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": pair.primary,
            "READ_DATABASE_URL": pair.standby,
            "TESTING": True,
        }
    )
    yield {"app": app, "token": token, "primary": primary, "standby": standby}
    app.extensions["tracker.engine"].dispose()
    app.extensions["tracker.read_engine"].dispose()
    primary.dispose()
    standby.dispose()


def _titles(app: Flask, token: str, query: str = "accord", **headers: str) -> list[str]:
    answer = app.test_client().get(
        f"/api/v1/agreements?q=Lagging+{query}",
        headers={"Authorization": f"Bearer {token}", **headers},
    )
    assert answer.status_code == 200, answer.get_json()
    return [item["title"] for item in answer.get_json()]


def test_reads_come_from_the_standby_and_writes_reach_the_primary(site):
    app, token, standby = site["app"], site["token"], site["standby"]
    with standby.connect() as connection:
        connection.execute(text("SELECT pg_wal_replay_pause()"))
        connection.commit()
    try:
        made = app.test_client().post(
            "/api/v1/agreements",
            json={"title": "Lagging accord", "kind": "treaty", "parties": ["RUS", "IRN"]},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert made.status_code == 201, made.get_json()  # a standby would refuse the INSERT
        assert _titles(app, token) == []  # the standby, paused, has not got it yet
        assert _titles(app, token, **{"Cache-Control": "no-cache"}) == ["Lagging accord"]
        # The health check's write probe goes to the primary: a standby would answer 503.
        assert app.test_client().get("/healthz").status_code == 200
    finally:
        with standby.connect() as connection:
            connection.execute(text("SELECT pg_wal_replay_resume()"))
            connection.commit()
    _caught_up(site["primary"], standby)
    assert _titles(app, token) == ["Lagging accord"]


def test_a_stopped_standby_leaves_the_reads_to_the_primary(site, pair):
    app, token = site["app"], site["token"]
    made = app.test_client().post(
        "/api/v1/agreements",
        json={"title": "Lagging pact", "kind": "treaty", "parties": ["RUS"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert made.status_code == 201, made.get_json()
    pair.pg_ctl("-D", f"{pair.folder}/standby", "-m", "fast", "stop")
    assert _titles(app, token, query="pact") == ["Lagging pact"]  # not a 500
    assert _titles(app, token, query="pact") == ["Lagging pact"]
