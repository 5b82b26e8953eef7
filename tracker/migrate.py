"""Alembic driven from the app: the migrations live in the top-level `migrations/` folder."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection, Engine

from tracker.fts import is_fts_object

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
# Tables the migrations make that no model describes: APScheduler's job store.
UNMODELLED_TABLES = {"apscheduler_jobs"}


def unmodelled(name: str | None, type_: str) -> bool:
    """Schema objects no model describes (full-text indexes, the job store)."""
    if type_ == "table" and name in UNMODELLED_TABLES:
        return True
    if type_ == "index" and name and name.startswith("ix_apscheduler_jobs"):
        return True
    return is_fts_object(name, type_)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def current(engine: Engine) -> None:
    command.current(alembic_config(engine), verbose=True)


def revision(engine: Engine, message: str, autogenerate: bool = True) -> None:
    command.revision(alembic_config(engine), message=message, autogenerate=autogenerate)


def revision_of(connection: Connection) -> str | None:
    """The revision the database is at (None: not migrated)."""
    return MigrationContext.configure(connection).get_current_revision()
