"""`tracker export` and `tracker import`: everything out as JSON, and back into an empty
database, exactly, across engines (SQLite -> the engine under test -> SQLite)."""

from __future__ import annotations

import io
import json

from sqlalchemy import JSON, func, select
from sqlalchemy.orm import Session

from tests import factories
from tracker import create_app, migrate
from tracker.db import make_engine
from tracker.models import Agreement, Declaration, Digest, EvidenceArticle, User
from tracker.services.accounts.users import create_token, create_user
from tracker.services.agreements.commands import create_agreement, delete_agreement
from tracker.services.claims import relations
from tracker.services.claims.declarations import amend_declaration, record_declaration
from tracker.services.claims.principles import state_principle
from tracker.services.data import transfer
from tracker.services.data.seed import load_seed
from tracker.services.fulltext import search
from tracker.services.reminders.manual import create_reminder

MULTILATERAL = (
    "instruments_required",
    "days_after_instrument",
    "days_after_own_instrument",
    "withdrawal_period",
    "withdrawal_unit",
    "bilateral",
    "depositary_code",
    "signature_opens",
    "signature_closes",
)
PERSIAN = "مجلس شورای اسلامی معاهده مشارکت راهبردی جامع ایران و روسیه را تصویب کرد."


def _build(url: str) -> dict[str, int]:
    """A database with some of everything, made through the services."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        load_seed(session)
        editor = create_user(
            session, "editor@example.org", role="editor", password="correct horse battery"
        )
        create_token(session, editor, name="laptop")
        treaty = factories.agreement(
            session, titles={"fa": "معاهده مشارکت راهبردی"}, topics=["energy", "defence"]
        )
        report = factories.article(session, PERSIAN, language="fa", outlet="IRNA")
        echo = factories.article(session, "Iran's parliament ratified the treaty.")
        echo.cites_id = report.id  # an article citing one stored before it
        session.commit()
        factories.event(
            session,
            treaty.id,
            "ratification",
            "2025-05-21",
            party="IRN",
            step="lower_house",
            evidence=[{"article_id": report.id, "quote": "مجلس شورای اسلامی"}],
            actor=editor,
        )
        state_principle(
            session, treaty.id, {"principle": "sovereignty", "clause": "Art. 1"}, actor=editor
        )
        # the multilateral columns, beside the seed's examples: months, an accession
        convention = create_agreement(
            session,
            {
                "title": "A convention",
                "parties": ["FRA", "PLW", "IRN"],
                "depositary": "UN",
                "withdrawal_rule": {"months_after_notification": 6},
            },
        )
        factories.event(
            session,
            convention.id,
            "ratification",
            "2024-01-22",
            party="PLW",
            step="notification",
            consent_type="accession",
        )
        # a reservation with its quote, and an objection re-pointed at a reservation recorded
        # after it: its link to a later row comes in after all the rows
        first_reservation = record_declaration(
            session,
            convention.id,
            {
                "party": "IRN",
                "kind": "reservation",
                "text": PERSIAN,
                "language": "fa",
                "evidence": [{"article_id": report.id, "quote": "مجلس شورای اسلامی"}],
            },
        )
        objection = record_declaration(
            session,
            convention.id,
            {"party": "FRA", "kind": "objection", "objects_to": first_reservation.id},
        )
        later = record_declaration(
            session,
            convention.id,
            {
                "party": "PLW",
                "kind": "reservation",
                "text": "Palau reserves.",
                "made_at": "consent",
            },
        )
        amend_declaration(session, objection.id, {"objects_to": later.id})
        create_reminder(
            session,
            {"agreement_id": treaty.id, "due": "2026-01-01", "reason": "Russian ratification?"},
            actor=editor,
        )
        # a relation with its quote, and one removed since (kept, soft-deleted)
        amending = relations.record_relation(
            session,
            convention.id,
            {
                "type": "amends",
                "target_id": treaty.id,
                "date": "2025-06~",
                "evidence": [{"article_id": report.id, "quote": "مجلس شورای اسلامی"}],
            },
            actor=editor,
        )
        relations.remove_relation(
            session,
            relations.record_relation(
                session, convention.id, {"type": "extends", "target_id": treaty.id}
            ).id,
            actor=editor,
        )
        gone = create_agreement(session, {"title": "Withdrawn memo", "kind": "memorandum"})
        delete_agreement(session, gone.id, actor=editor)
        session.add(
            Digest(
                user_id=editor.id, week="2025-W21", sections={"events": []}, html="<p/>", text=""
            )
        )
        session.commit()
        made = {
            "agreement": treaty.id,
            "article": report.id,
            "objection": objection.id,
            "answered": later.id,
            "reservation": first_reservation.id,
            "relation": amending.id,
        }
    engine.dispose()
    return made


def _export(url: str) -> dict:
    engine = make_engine(url)
    out = io.StringIO()
    transfer.export(engine, out)
    engine.dispose()
    document = json.loads(out.getvalue())
    assert document.pop("exported_at")
    return document


def _import(url: str, path) -> object:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app({"SECRET_KEY": "test-secret", "DATABASE_URL": url})
    result = app.test_cli_runner().invoke(args=["tracker", "import", str(path)])
    app.extensions["tracker.engine"].dispose()
    return result


def test_export_then_import_reproduces_everything_across_engines(scratch_url, tmp_path):
    source = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    made = _build(source)
    app = create_app({"SECRET_KEY": "test-secret", "DATABASE_URL": source})
    exported = tmp_path / "export.json"
    result = app.test_cli_runner().invoke(args=["tracker", "export", str(exported)])
    app.extensions["tracker.engine"].dispose()
    assert result.exit_code == 0, result.output
    # the seed's six cases, ours, the convention and the deleted one
    assert "9 agreements" in result.output
    first = json.loads(exported.read_text(encoding="utf-8"))
    first.pop("exported_at")

    # Without secrets: no password or feed-token hashes, no API tokens, no sign-in log.
    assert "password_hash" not in first["tables"]["user_account"]["columns"]
    assert "feed_token_hash" not in first["tables"]["user_account"]["columns"]
    assert "api_token" not in first["tables"] and "login_attempt" not in first["tables"]
    # The multilateral record: the agreement's rules, depositary and signature period, each
    # instrument's kind, the organisations' members and the participants cache.
    agreements = first["tables"]["agreement"]
    by_ref = {row[agreements["columns"].index("ref")]: row for row in agreements["rows"]}
    bbnj = dict(zip(agreements["columns"], by_ref["bbnj-agreement"], strict=True))
    assert {k: bbnj[k] for k in MULTILATERAL} == {
        "instruments_required": 60,
        "days_after_instrument": 120,
        "days_after_own_instrument": 30,
        "withdrawal_period": 1,
        "withdrawal_unit": "years",
        "bilateral": False,
        "depositary_code": "UN",
        "signature_opens": "2023-09-20",
        "signature_closes": "2025-09-20",
    }
    units = {row[agreements["columns"].index("withdrawal_unit")] for row in agreements["rows"]}
    assert {"years", "months"} <= units
    events = first["tables"]["stage_event"]
    kinds = {row[events["columns"].index("consent_type")] for row in events["rows"]}
    assert {"ratification", "accession"} <= kinds
    members = first["tables"]["party_membership"]
    assert len(members["rows"]) == 53
    assert ["EU", "GBR", "1973-01-01", "2020-01-31"] in [
        [
            row[members["columns"].index(c)]
            for c in ("organisation_code", "member_code", "since", "until")
        ]
        for row in members["rows"]
    ]
    assert first["tables"]["agreement_participation"]["rows"]

    # relations, the removed one too, and the quotes that back them
    related = first["tables"]["agreement_relation"]
    assert len(related["rows"]) == 3  # the seed's "supersedes", ours, the removed one
    links = first["tables"]["evidence_link"]
    assert made["relation"] in [row[links["columns"].index("relation_id")] for row in links["rows"]]

    articles = first["tables"]["evidence_article"]
    assert PERSIAN in [row[articles["columns"].index("text")] for row in articles["rows"]]

    result = _import(scratch_url, exported)  # into the engine under test
    assert result.exit_code == 0, result.output
    assert _export(scratch_url) == first

    back = f"sqlite:///{tmp_path / 'back.sqlite3'}"  # and from it into SQLite again
    again = tmp_path / "again.json"
    again.write_text(json.dumps(_export(scratch_url) | {"exported_at": "x"}), encoding="utf-8")
    assert _import(back, again).exit_code == 0
    assert _export(back) == first

    engine = make_engine(scratch_url)
    with Session(engine) as session:
        hits, total, _ = search(session, "مجلس شورا", kind="article")  # the index came along
        assert made["article"] in [h.id for h in hits] and total >= 1
        deleted = session.scalars(select(Agreement).where(Agreement.deleted_at.is_not(None)))
        assert [a.title for a in deleted] == ["Withdrawn memo"]
        (listed,) = [
            v
            for v in relations.list_relations(session, made["agreement"])
            if v.relation.id == made["relation"]
        ]
        assert (listed.label, listed.relation.date, listed.quotes[0]["quote"]) == (
            "amended by",
            "2025-06~",
            "مجلس شورای اسلامی",
        )
        assert session.get(EvidenceArticle, made["article"] + 1).cites_id == made["article"]
        objection = session.get(Declaration, made["objection"])
        assert objection.objects_to_id == made["answered"] > objection.id
        reservation = session.get(Declaration, made["reservation"])
        assert [link.quote for link in reservation.evidence] == ["مجلس شورای اسلامی"]
        hits, _, _ = search(session, "مجلس شوراي", kind="declaration")
        assert [h.id for h in hits] == [made["reservation"]]
        editor = session.scalar(select(User).where(User.email == "editor@example.org"))
        assert editor.password_hash is None  # set again after an import
        fresh = create_agreement(
            session, {"title": "After the import", "kind": "treaty", "parties": ["IRN", "RUS"]}
        )
        assert fresh.id > made["agreement"]  # ids continue after the imported ones
        another = record_declaration(
            session, fresh.id, {"party": "IRN", "kind": "declaration", "text": "Another."}
        )
        assert another.id > made["answered"]
    engine.dispose()


def test_import_refuses_a_database_that_is_not_empty_and_a_file_that_is_no_export(
    scratch_url, tmp_path
):
    _build(scratch_url)
    exported = tmp_path / "export.json"
    exported.write_text(json.dumps(_export(scratch_url) | {"exported_at": "x"}), "utf-8")
    result = _import(scratch_url, exported)
    assert result.exit_code == 1 and "not empty" in result.output
    other = tmp_path / "other.json"
    other.write_text('{"agreements": []}', encoding="utf-8")
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = _import(fresh, other)
    assert result.exit_code == 1 and "not a Treaty Tracker export" in result.output
    forged = json.loads(exported.read_text(encoding="utf-8"))
    users = forged["tables"]["user_account"]
    users["columns"].append("password_hash")  # a file may not bring secrets in
    users["rows"] = [row + ["$argon2id$forged"] for row in users["rows"]]
    other.write_text(json.dumps(forged), encoding="utf-8")
    result = _import(fresh, other)
    assert result.exit_code == 1 and "not as an export has them" in result.output
    forged["tables"]["user_account"]["columns"].pop()
    forged["tables"]["agreement"]["rows"][0] = ["not", "a", "row"]
    other.write_text(json.dumps(forged), encoding="utf-8")
    result = _import(fresh, other)
    assert result.exit_code == 1 and "a row is not as an export has it" in result.output
    document = json.loads(exported.read_text(encoding="utf-8")) | {"schema": "0001"}
    exported.write_text(json.dumps(document), encoding="utf-8")
    result = _import(fresh, exported)
    assert result.exit_code == 1 and "schema revision" in result.output


def _cell(document: dict, table: str, row: int, column: str, value: object) -> dict:
    """A copy of the export with one value changed."""
    changed = json.loads(json.dumps(document))
    block = changed["tables"][table]
    block["rows"][row][block["columns"].index(column)] = value
    return changed


def test_an_import_refuses_what_postgresql_cannot_store_naming_the_row(scratch_url, tmp_path):
    """An export of a SQLite database holding what PostgreSQL refuses (a NUL, text over its
    column's length, an integer over 32 bits) imported into SQLite and not into PostgreSQL, or
    ended in a traceback on both: each is refused, on both engines, naming table, row and
    column, and nothing is imported."""
    source = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    _build(source)
    document = _export(source) | {"exported_at": "x"}
    articles = document["tables"]["evidence_article"]
    first_article = articles["rows"][0][articles["columns"].index("id")]
    agreements = document["tables"]["agreement"]
    first_agreement = agreements["rows"][0][agreements["columns"].index("id")]
    article = f"table evidence_article, row 1 (id {first_article})"
    agreement = f"table agreement, row 1 (id {first_agreement})"
    duplicated = json.loads(json.dumps(document))
    duplicated["tables"]["agreement"]["rows"].append(agreements["rows"][0])
    count = len(agreements["rows"]) + 1
    cases = {
        "NUL": (
            _cell(document, "evidence_article", 0, "text", "bad\x00text"),
            f"{article}: text: contains a NUL character",
        ),
        "surrogate": (
            _cell(document, "agreement", 0, "title", "half \ud800 a character"),
            f"{agreement}: title: contains a lone surrogate",
        ),
        "too long": (
            _cell(document, "evidence_article", 0, "outlet", "x" * 201),
            f"{article}: outlet: is longer than 200 characters (201)",
        ),
        "too big": (
            _cell(document, "agreement", 0, "version", 2**31),
            f"{agreement}: version: 2147483648 does not fit in 32 bits",
        ),
        "NUL in JSON": (
            _cell(document, "agreement", 0, "titles", {"fa": "a\x00b"}),
            f"{agreement}: titles: contains a NUL character",
        ),
        "no time zone": (
            _cell(document, "agreement", 0, "created_at", "2025-01-01T00:00:00"),
            f"{agreement}: created_at: has no time zone",
        ),
        "not a boolean": (
            _cell(document, "user_account", 0, "is_active", "yes"),
            "is_active: 'yes' is not true or false",
        ),
        "same id twice": (
            duplicated,
            f"table agreement, row {count} (id {first_agreement}): the database refuses it",
        ),
        "cites a missing article": (
            _cell(document, "evidence_article", 0, "cites_id", 999_999),
            f"{article}: the database refuses it",
        ),
        "tables not an object": (
            document | {"tables": [1, 2]},
            "the file's tables are not as an export has them",
        ),
    }
    path = tmp_path / "changed.json"
    for name, (changed, message) in cases.items():
        path.write_text(json.dumps(changed), encoding="utf-8")
        result = _import(scratch_url, path)
        assert result.exit_code == 1, (name, result.output)
        assert message in result.output, (name, result.output)
        assert "Traceback" not in result.output and len(result.output.splitlines()) == 1, name
    engine = make_engine(scratch_url)
    with Session(engine) as session:  # nothing of any of them was imported
        assert session.scalar(select(func.count()).select_from(Agreement)) == 0
    engine.dispose()
    path.write_text(json.dumps(document), encoding="utf-8")
    assert _import(scratch_url, path).exit_code == 0  # the file as exported goes in


def test_no_value_in_a_json_column_stays_sql_null_through_an_export(scratch_url, tmp_path):
    """An article with no words has no MinHash signature: SQL NULL in the source became a
    JSON null on import (and an article of punctuation alone had a JSON null from the start)."""
    source = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    _build(source)
    engine = make_engine(source)
    with Session(engine, expire_on_commit=False) as session:
        factories.article(session, "… — !")  # text, but no word: no signature
        session.add(EvidenceArticle(title="Only a title", content_hash="0" * 64))
        session.commit()
    engine.dispose()
    exported = tmp_path / "export.json"
    exported.write_text(json.dumps(_export(source) | {"exported_at": "x"}), encoding="utf-8")
    assert _import(scratch_url, exported).exit_code == 0

    def nulls(url: str) -> dict[str, int]:
        engine = make_engine(url)
        with engine.connect() as connection:
            found = {
                f"{table.name}.{column.name}": connection.scalar(
                    select(func.count()).select_from(table).where(column.is_(None))
                )
                for table in transfer.tables()
                for column in table.columns
                if isinstance(column.type, JSON) and column.nullable
            }
        engine.dispose()
        return found

    before, after = nulls(source), nulls(scratch_url)
    assert before["evidence_article.minhash"] >= 2 and before["audit_entry.before"] >= 1
    assert after == before


def test_import_refuses_an_export_with_a_far_off_date_naming_the_column(scratch_url, tmp_path):
    _build(scratch_url)
    document = _export(scratch_url) | {"exported_at": "x"}
    events = document["tables"]["stage_event"]
    column = events["columns"].index("date_earliest")
    events["rows"][0][column] = "9999-12-31"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document), encoding="utf-8")
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = _import(fresh, forged)
    assert result.exit_code == 1
    assert "date_earliest: 9999-12-31 is outside the supported range" in result.output
    engine = make_engine(fresh)
    with Session(engine) as session:
        assert session.scalar(select(Agreement.id)) is None  # all or nothing
    engine.dispose()
