"""/healthz says ok only when the database can be written: a read-only database (a SQLite file
opened read-only, PostgreSQL with read-only transactions, as on a standby) answers 503."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tracker import create_app, migrate
from tracker.db import make_engine
from tracker.models import AuditEntry


def _read_only(url: str) -> str:
    """The same database, opened so that every write is refused."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///file:{parsed.database}?mode=ro&uri=true"
    options = {"options": "-c default_transaction_read_only=on"}
    return parsed.update_query_dict(options).render_as_string(hide_password=False)


def _health(url: str):  # type: ignore[no-untyped-def]
    app = create_app({"SECRET_KEY": "test-secret", "DATABASE_URL": url})
    try:
        response = app.test_client().get("/healthz")
        return response.status_code, response.get_json()
    finally:
        app.extensions["tracker.engine"].dispose()


def test_a_read_only_database_is_unhealthy(scratch_url):
    engine = make_engine(scratch_url)
    migrate.upgrade(engine)
    engine.dispose()
    assert _health(scratch_url) == (200, {"status": "ok", "database": "ok"})

    status, body = _health(_read_only(scratch_url))
    assert status == 503 and body["status"] == "unavailable", body

    # The probe wrote nothing where it could write.
    engine = make_engine(scratch_url)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0
        assert migrate.revision_of(session.connection()) is not None
    engine.dispose()
