"""Rows inserted at the driver (tracker.services.infra.bulk), as the rules and the import
write them."""

from __future__ import annotations

from sqlalchemy import event, select

from tests import factories
from tracker.db import utcnow
from tracker.models import AuditEntry
from tracker.services.infra import bulk


def test_rows_with_much_text_go_in_as_several_statements_in_their_order(
    session, engine_name, monkeypatch
):
    """On PostgreSQL a statement of many rows is one message, which the server refuses from
    1 GiB: rows whose text passes CHARACTERS_PER_INSERT are cut into several statements (a
    small limit here stands for the real one), every row stored, in its order, each as
    given; a row larger than the limit goes in alone."""
    monkeypatch.setattr(bulk, "CHARACTERS_PER_INSERT", 2000)
    treaty = factories.agreement(session)
    texts = ["Договор " * 100, "ratified", "Договор " * 300, "ok", "توافقنامه " * 60]
    rows = [
        {
            "action": "create",
            "entity": "bulk_test",
            "entity_id": str(n),
            "agreement_id": treaty.id,
            "after": {"text": text},
        }
        for n, text in enumerate(texts)
    ]
    inserts: list[int] = []
    connection = session.connection()

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO audit_entry"):
            inserts.append(len(parameters[0]) if engine_name == "postgresql" else 1)

    event.listen(connection, "before_cursor_execute", count)
    try:
        bulk.insert_many(session, AuditEntry.__table__, rows, {"at": utcnow(), "actor": "test"})
    finally:
        event.remove(connection, "before_cursor_execute", count)
    stored = session.execute(
        select(AuditEntry.entity_id, AuditEntry.after, AuditEntry.actor)
        .where(AuditEntry.entity == "bulk_test")
        .order_by(AuditEntry.id)
    ).all()
    assert [tuple(row) for row in stored] == [
        (str(n), {"text": text}, "test") for n, text in enumerate(texts)
    ]
    if engine_name == "postgresql":  # characters: about 830 + 30, then 2,430 alone, then 30 + 630
        assert inserts == [2, 1, 2]
    else:  # SQLite: one executemany, a row at a time at the driver
        assert inserts == [1]
