"""Migrations run both ways on both engines and agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tracker import migrate
from tracker.db import Base, make_engine
from tracker.migrate import unmodelled


def _tables(engine) -> set[str]:  # type: ignore[no-untyped-def]
    names = set(inspect(engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if not unmodelled(name, "table")}


def test_upgrade_downgrade_upgrade(scratch_url):
    engine = make_engine(scratch_url)
    migrate.upgrade(engine)
    assert _tables(engine) == set(Base.metadata.tables)
    migrate.downgrade(engine, "base")
    assert _tables(engine) == set()
    migrate.upgrade(engine)
    assert _tables(engine) == set(Base.metadata.tables)
    engine.dispose()


def test_models_and_migrated_schema_agree(scratch_url):
    engine = make_engine(scratch_url)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": lambda obj, name, type_, reflected, other: (
                    not (reflected and unmodelled(name, type_))
                ),
            },
        )
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []
