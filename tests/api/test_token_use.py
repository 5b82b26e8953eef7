"""Noting when a token was last used never fails nor holds up a read: while another
connection holds the write lock (SQLite) or the token's row (PostgreSQL), a GET with the
token answers 200 at once and the use is noted by a later request."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import create_app, migrate
from tracker.db import WRITE_OPTION, make_engine
from tracker.models import ApiToken
from tracker.services.accounts.users import create_token, create_user


def _last_used(engine, token_id: int) -> datetime | None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token_id))


def test_a_read_with_a_token_succeeds_while_another_writer_holds_the_lock(scratch_url):
    engine = make_engine(scratch_url)
    migrate.upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        user = create_user(session, "reader@example.org", role="viewer")
        row, token = create_token(session, user)
    app = create_app({"SECRET_KEY": "test-secret", "DATABASE_URL": scratch_url})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    answers: list = []

    def read() -> None:
        started = time.monotonic()
        answers.append((client.get("/api/v1/agreements", headers=headers), started))
        answers.append(time.monotonic() - started)

    # Another writer: SQLite's BEGIN IMMEDIATE takes the database's one write lock;
    # on PostgreSQL the token's row is locked.
    holder = engine.connect().execution_options(**{WRITE_OPTION: True})
    holder.begin()
    holder.execute(select(ApiToken.id).where(ApiToken.id == row.id).with_for_update())
    reader = threading.Thread(target=read)
    try:
        reader.start()
        reader.join(timeout=15)
        assert not reader.is_alive(), "the read waited for the lock"
    finally:
        holder.rollback()
        holder.close()
        reader.join(timeout=30)
    (response, _), elapsed = answers
    assert response.status_code == 200, response.get_json()
    assert elapsed < 2, elapsed  # not the 5 s busy timeout
    assert _last_used(engine, row.id) is None  # skipped, not waited for

    # The lock released: the next request notes the use.
    before = datetime.now(UTC)
    assert client.get("/api/v1/agreements", headers=headers).status_code == 200
    noted = _last_used(engine, row.id)
    assert noted is not None and noted.replace(tzinfo=UTC) >= before.replace(microsecond=0)
    app.extensions["tracker.engine"].dispose()
    engine.dispose()
