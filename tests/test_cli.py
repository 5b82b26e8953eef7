"""The command line: seed, users and tokens, migrations."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest
from sqlalchemy import func, insert, inspect, select, text

from bench.duplicates import texts
from tracker import create_app
from tracker.models import (
    Agreement,
    ApiToken,
    ArticleBand,
    AuditEntry,
    EvidenceArticle,
    Party,
    Principle,
    StageEvent,
    User,
)
from tracker.services.accounts.users import token_bearer, verify_password
from tracker.services.audit import snapshot
from tracker.services.data.seed import DEFAULT_SEED_DIR
from tracker.services.evidence import articles, imports
from tracker.services.fulltext import search


def test_create_user_and_token(runner, session):
    result = runner.invoke(
        args=[
            "tracker",
            "create-user",
            "ana@example.org",
            "--role",
            "editor",
            "--password",
            "correct horse battery",
        ]
    )
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "ana@example.org"))
    assert user.role == "editor"
    assert verify_password(user, "correct horse battery")
    assert not verify_password(user, "wrong password!")

    result = runner.invoke(
        args=["tracker", "create-token", "ana@example.org"], catch_exceptions=False
    )
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert result.stdout == token + "\n"  # the token alone
    stored = session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token not in (stored.token_hash, stored.prefix)  # only its hash is kept
    assert token_bearer(session, token).id == user.id
    assert token_bearer(session, token + "x") is None


def test_create_user_refuses_bad_input(runner):
    result = runner.invoke(args=["tracker", "create-user", "not-an-email"])
    assert result.exit_code == 1
    assert "email: Not an email address." in result.output
    result = runner.invoke(args=["tracker", "create-user", "b@example.org", "--password", "short"])
    assert (
        result.exit_code == 1 and "password: Length must be between 10 and 1000." in result.output
    )
    result = runner.invoke(args=["tracker", "create-user", "b@example.org", "--role", "owner"])
    assert result.exit_code == 2  # click refuses the choice itself


def test_create_token_for_an_unknown_user(runner):
    result = runner.invoke(args=["tracker", "create-token", "nobody@example.org"])
    assert result.exit_code == 1 and "no user" in result.output


def test_seed_command_is_idempotent(runner):
    result = runner.invoke(args=["tracker", "seed"])
    assert result.exit_code == 0
    assert "nothing changed" in result.output  # the suite's database is seeded already


def test_db_upgrade_command(scratch_url):
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": scratch_url})
    result = app.test_cli_runner().invoke(args=["tracker", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = app.extensions["tracker.engine"]
    assert "agreement" in inspect(engine).get_table_names()
    engine.dispose()


def test_create_user_exists_ok_leaves_the_user_alone(runner, session):
    args = ["tracker", "create-user", "c@example.org", "--password", "first password"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=[*args[:3], "--password", "other password", "--exists-ok"])
    assert again.exit_code == 0 and "left unchanged" in again.output
    user = session.scalar(select(User).where(User.email == "c@example.org"))
    assert verify_password(user, "first password")
    assert runner.invoke(args=args).exit_code == 1  # without the flag it is an error


@pytest.fixture(params=[0, 1], ids=["prepared-here", "prepared-by-a-worker"])
def workers(request, monkeypatch) -> Iterator[list[str]]:
    """The import's options: lines read, checked and signed in the writing process, or in
    another one (from the first line, two lines at a time, so that each batch gathers lines
    from several of its answers): the same results either way."""
    sent: list[int] = []

    class Pool(ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            sent.append(len(args[0]))
            return super().submit(fn, *args, **kwargs)

    if request.param:
        monkeypatch.setattr(imports, "PARALLEL_FROM", 0)
        monkeypatch.setattr(imports, "CHUNK", 2)
        monkeypatch.setattr(imports, "ProcessPoolExecutor", Pool)
    yield ["--workers", str(request.param)]
    assert bool(sent) == bool(request.param)  # the lines went where they were meant to


def test_import_articles_stores_good_lines_and_names_each_refused_one(
    runner, session, tmp_path, workers
):
    lines = [
        '{"text": "Договор о стратегическом партнёрстве ратифицирован.", "language": "ru", '
        '"url": "https://news.example/ru/1", "published": "2025-04-21"}',
        "",
        '{"text": "مجلس شورای اسلامی توافق\u200cنامه را تصویب کرد.", "language": "fa"}',
        '{"text": "no closing brace"',
        '{"text": "A date that is not one.", "published": "2025-13-45"}',
        '["not", "an", "object"]',
        '{"text": "The same URL again, another text.", "url": "https://news.example/ru/1?utm_source=x"}',
        '{"text": "bad\\u0000text"}',
        '{"title": "Only a title", "outlet": "Reuters", "colour": "red"}',
    ]
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = session.scalar(select(func.count()).select_from(EvidenceArticle))

    result = runner.invoke(args=["tracker", "import-articles", *workers, str(path)])

    assert result.exit_code == 1
    assert "2 article(s) imported, 1 already stored (same URL), 5 line(s) refused" in result.stdout
    errors = result.stderr
    assert "line 4: line: is not JSON" in errors
    assert "line 5: published:" in errors
    assert "line 6: line: must be a JSON object" in errors
    assert "line 8: text: may not contain a NUL character" in errors
    assert "line 9: colour: Unknown field." in errors
    assert "line 7" not in errors and "line 1:" not in errors
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(EvidenceArticle)) == before + 2
    found = search(session, "توافقنامه تصويب", kind="article").hits  # searchable at once
    assert len(found) == 1


def test_import_articles_refuses_what_no_database_can_store_line_by_line(
    runner, session, tmp_path, workers
):
    """Bytes that are not UTF-8 stopped the import with a traceback; half a character or a
    URL too long once encoded was stored on SQLite and a 500 on PostgreSQL."""
    lines = [
        '\ufeff{"text": "A first line after a byte order mark."}'.encode(),
        b'{"text": "Not UTF-8: \xff\xfe here."}',
        b'{"text": "Half a character: \\ud800 here."}',
        b'{"title": "A lone surrogate in a key", "te\\udc80xt": "x"}',
        (
            '{"text": "A long query.", "url": "https://news.example/search?q='
            + "توافق" * 300
            + '"}'
        ).encode(),
        b'{"text": "Control\\u0007 characters\\u001b go, ZWNJ\\u200cstays."}',
    ]
    path = tmp_path / "odd.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    result = runner.invoke(args=["tracker", "import-articles", "--quiet", *workers, str(path)])

    assert result.exit_code == 1
    assert "2 article(s) imported, 0 already stored (same URL), 4 line(s) refused" in result.stdout
    errors = result.stderr
    assert "line 2: line: is not UTF-8 text (byte 22)" in errors
    assert "line 3: text: may not contain a lone surrogate" in errors
    assert "line 4: te\\udc80xt: may not contain a lone surrogate" in errors
    assert "line 5: url: is longer than 2000 characters once its query is percent-encoded" in errors
    assert "Traceback" not in result.output and "line 1:" not in errors
    stored = session.scalars(
        select(EvidenceArticle.text).where(
            EvidenceArticle.text.in_(
                ["A first line after a byte order mark.", "Control characters go, ZWNJ\u200cstays."]
            )
        )
    ).all()
    assert len(stored) == 2


def test_import_articles_reads_standard_input_and_succeeds_when_all_lines_go_in(runner, session):
    result = runner.invoke(
        args=["tracker", "import-articles", "--quiet", "-"],
        input='{"text": "Treaty text one from stdin."}\n{"text": "Treaty text two."}\n',
    )
    assert result.exit_code == 0, result.output
    assert "2 article(s) imported, 0 already stored (same URL), 0 line(s) refused" in result.stdout
    assert "Importing" not in result.stderr
    result = runner.invoke(
        args=["tracker", "import-articles", "--as", "nobody@example.org", "-"],
        input='{"text": "Never stored."}\n',
    )
    assert result.exit_code == 1 and "nobody@example.org" in result.stderr


def test_a_line_the_database_refuses_mid_batch_loses_only_itself(
    runner, session, monkeypatch, workers
):
    """Lines go in by batches of one transaction: a line refused by the database itself (here
    a band pointing at no article, refused by a foreign key) rolls its batch back, and the
    batch goes in again line by line: the others stored once each, the bad one named."""
    monkeypatch.setattr(imports, "BATCH", 3)
    closest = articles._closest

    def poisoned(session, folded, *args):  # type: ignore[no-untyped-def]
        if "poison" in folded:
            session.execute(insert(ArticleBand), {"article_id": 2**40, "band": 0, "bucket": 1})
        return closest(session, folded, *args)

    monkeypatch.setattr(articles, "_closest", poisoned)
    bodies = [f"Batch report {n} on the ratification of the treaty." for n in range(1, 8)]
    bodies[4] = "The poison line of the treaty report."
    lines = "".join(
        json.dumps({"text": t, "url": f"https://b.example/{n}"}) + "\n"
        for n, t in enumerate(bodies, 1)
    )
    audited = (
        select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "evidence_article")
    )
    before, logged = (
        session.scalar(select(func.count()).select_from(EvidenceArticle)),
        session.scalar(audited),
    )

    result = runner.invoke(
        args=["tracker", "import-articles", "--quiet", *workers, "-"], input=lines
    )

    assert result.exit_code == 1
    assert "6 article(s) imported, 0 already stored (same URL), 1 line(s) refused" in result.stdout
    assert "line 5: line: the database refused it (" in result.stderr
    assert result.stderr.count("Error:") == 1
    session.expire_all()
    stored = session.scalars(
        select(EvidenceArticle.text).where(EvidenceArticle.url.like("https://b.example/%"))
    ).all()
    assert sorted(stored) == sorted(t for t in bodies if "poison" not in t)  # each once
    assert session.scalar(select(func.count()).select_from(EvidenceArticle)) == before + 6
    assert session.scalar(audited) == logged + 6


def test_near_duplicates_and_urls_within_one_batch_are_found(runner, session, monkeypatch, workers):
    """The copies of a story in one batch join the group of its first line, as do copies of
    one stored before or in an earlier batch; a URL given twice in a batch is stored once:
    as when each line was a transaction of its own."""
    monkeypatch.setattr(imports, "BATCH", 4)
    corpus = texts()
    stored = articles.add_article(session, {"text": corpus["fa1"], "outlet": "IRNA"})
    lines = [
        {"text": corpus["ru1"], "outlet": "Kremlin press office", "url": "https://d.example/1"},
        {"text": corpus["ru1a"], "outlet": "RIA Novosti", "url": "https://d.example/2"},
        {
            "text": "Another text at a URL seen earlier in the batch.",
            "url": "https://d.example/1#x",
        },
        {"text": corpus["ru3"], "outlet": "TASS", "url": "https://d.example/3"},
        # the second batch
        {"text": corpus["fa1a"], "outlet": "Tasnim", "url": "https://d.example/4"},
        {"text": corpus["ru1b"], "outlet": "TASS", "url": "https://d.example/5"},
        {"text": corpus["ru3a"], "outlet": "Interfax", "url": "https://d.example/6"},
        {"text": corpus["ru1b"], "outlet": "Izvestia", "url": "https://d.example/7"},  # same text
    ]
    source = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)

    result = runner.invoke(
        args=["tracker", "import-articles", "--quiet", *workers, "-"], input=source
    )

    assert result.exit_code == 0, result.output
    assert "7 article(s) imported, 1 already stored (same URL), 0 line(s) refused" in result.stdout
    imported = {
        int(a.url.rsplit("/", 1)[1]): a
        for a in session.scalars(
            select(EvidenceArticle).where(EvidenceArticle.url.like("https://d.example/%"))
        )
    }
    group = {n: a.duplicate_of_id for n, a in imported.items()}
    ids = {n: a.id for n, a in imported.items()}
    assert group[1] is None and group[3] is None  # two stories
    assert group[2] == ids[1]  # a copy in the same batch
    assert group[5] == ids[1]  # a copy of a copy, in the next batch
    assert group[4] == stored.id  # a copy of one stored before the import
    assert group[6] == ids[3]
    assert group[7] == ids[1]  # the text of line 6, in the same batch
    bands = select(func.count()).select_from(ArticleBand)
    assert session.scalar(bands.where(ArticleBand.article_id == ids[1])) == 16


def test_an_imported_article_is_audited_as_one_added_by_the_service(runner, session, workers):
    """The import writes its rows without ORM objects: its audit entry holds what the
    service's entry holds for an article it adds (the stored row's values)."""
    added = articles.add_article(session, {"text": "Added through the service, the treaty."})
    line = {
        "text": "Imported: the treaty was ratified.",
        "published": "2025-04",
        "url": "https://a.example/1",
    }
    result = runner.invoke(
        args=["tracker", "import-articles", "--quiet", *workers, "-"], input=json.dumps(line) + "\n"
    )
    assert result.exit_code == 0, result.output
    session.expire_all()
    imported = session.scalar(select(EvidenceArticle).where(EvidenceArticle.url == line["url"]))
    entries = {
        entry.entity_id: entry
        for entry in session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "evidence_article",
                AuditEntry.entity_id.in_([str(added.id), str(imported.id)]),
            )
        )
    }
    entry = entries[str(imported.id)]
    assert (entry.action, entry.actor, entry.before) == ("create", "system", None)
    assert entry.after == snapshot(imported)
    assert entry.after.keys() == entries[str(added.id)].after.keys()
    assert imported.version == 1 and len(imported.minhash) == 64
    assert imported.published_earliest.isoformat() == "2025-04-01"


def test_an_imported_row_holds_what_the_service_stores(runner, session, workers):
    """The import writes its rows in bulk, with ids it reserved: each column holds what the
    service stores for the same input (its defaults included), the ids follow those stored
    before, and an article added afterwards takes the next one."""
    before = articles.add_article(session, {"text": "Stored before the import, the treaty."})
    text = "Imported: the treaty was ratified in Quetzaltenango."
    line = {"text": text, "outlet": "IRNA", "language": "en"}
    lines = [{**line, "url": f"https://a.example/{n}"} for n in range(3)]
    result = runner.invoke(
        args=["tracker", "import-articles", "--quiet", *workers, "-"],
        input="".join(json.dumps(item) + "\n" for item in lines),
    )
    assert result.exit_code == 0, result.output
    after = articles.add_article(session, {**line, "url": "https://a.example/added"})
    session.expire_all()
    imported = session.scalars(
        select(EvidenceArticle)
        .where(EvidenceArticle.url.in_([item["url"] for item in lines]))
        .order_by(EvidenceArticle.id)
    ).all()
    assert [a.url for a in imported] == [item["url"] for item in lines]
    assert before.id < imported[0].id < imported[1].id < imported[2].id < after.id
    varying = {"id", "url", "url_canonical", "created_at", "updated_at", "retrieved_at"}
    # The first import of that text is its group's first: the later ones join it.
    assert [a.duplicate_of_id for a in imported] == [None, imported[0].id, imported[0].id]
    assert after.duplicate_of_id == imported[0].id
    columns = [c.key for c in inspect(EvidenceArticle).column_attrs if c.key not in varying]
    assert {c: getattr(imported[1], c) for c in columns} == {c: getattr(after, c) for c in columns}
    assert imported[0].hidden is False and imported[0].deleted_at is None
    assert before.created_at < imported[0].created_at <= imported[0].updated_at < after.created_at
    assert search(session, "quetzaltenango", kind="article")[1] == 4  # indexed for search


def test_a_long_import_refreshes_postgresql_statistics_as_it_goes(
    runner, session, engine_name, monkeypatch
):
    """Statistics taken while the tables were small would make each near-duplicate lookup a
    scan (an import slowed from 98 to 25 articles/s): the import refreshes them itself."""
    if engine_name != "postgresql":
        pytest.skip("ANALYZE is PostgreSQL's; SQLite's planner keeps no such statistics here")
    monkeypatch.setattr(imports, "ANALYZE_EVERY", 3)
    known = "SELECT reltuples FROM pg_class WHERE relname = 'article_band'"
    lines = "".join(
        f'{{"text": "Report {n} on the ratification of the treaty by parliament."}}\n'
        for n in range(3)
    )
    result = runner.invoke(args=["tracker", "import-articles", "--quiet", "-"], input=lines)
    assert result.exit_code == 0, result.output
    bands = session.scalar(select(func.count()).select_from(ArticleBand))
    assert session.execute(text(known)).scalar() == bands > 0


def test_a_seed_refused_halfway_stores_nothing(runner, session, tmp_path):
    """The seed is one transaction: a case whose second event is refused leaves no trace of
    the organisation, principle, agreement and first event loaded before it."""
    seed_dir = tmp_path / "seed"
    shutil.copytree(DEFAULT_SEED_DIR, seed_dir)
    organisations = json.loads((seed_dir / "organisations.json").read_text(encoding="utf-8"))
    organisations["organisations"].append({"code": "ZZO", "names": {"en": "Test body"}})
    (seed_dir / "organisations.json").write_text(json.dumps(organisations), encoding="utf-8")
    principles = json.loads((seed_dir / "principles.json").read_text(encoding="utf-8"))
    principles["principles"].append(
        {"code": "zz_test", "labels": {"en": "Test"}, "description": "Test."}
    )
    (seed_dir / "principles.json").write_text(json.dumps(principles), encoding="utf-8")
    case = {
        "ref": "zz-broken-case",
        "agreement": {"title": "Broken case", "kind": "treaty", "parties": ["RUS", "ZZO"]},
        "events": [
            {"stage": "announcement", "date": "1999-03-03"},
            {"stage": "no-such-stage", "date": "2024-02-15"},
        ],
    }
    (seed_dir / "cases" / "zz-broken.json").write_text(json.dumps(case), encoding="utf-8")
    result = runner.invoke(args=["tracker", "seed", "--dir", str(seed_dir)])
    assert result.exit_code == 1 and "stage" in result.output, result.output
    assert session.get(Party, "ZZO") is None and session.get(Principle, "zz_test") is None
    assert session.scalar(select(Agreement).where(Agreement.ref == "zz-broken-case")) is None
    assert session.scalar(select(StageEvent).where(StageEvent.date == "1999-03-03")) is None
