"""Migrations run both ways on both engines and agree with the models."""

from __future__ import annotations

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests import factories
from tracker import migrate
from tracker.db import Base, make_engine
from tracker.migrate import unmodelled
from tracker.models import Agreement, EvidenceArticle
from tracker.services import fulltext
from tracker.services.data.seed import load_seed
from tracker.text.normalise import normalise
from tracker.text.shingles import bands, shingles, signature
from tracker.text.urls import canonical_url


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


def test_accounts_deactivated_before_0008_lose_their_tokens_and_feed_link(scratch_url):
    """Deactivation now revokes tokens and the feed link; 0008 does it for earlier ones."""
    engine = make_engine(scratch_url)
    migrate.upgrade(engine, "0007")
    now = "2026-11-30 10:00:00"
    with engine.begin() as connection:
        for uid, active in ((1, True), (2, False)):
            connection.execute(
                text(
                    "INSERT INTO user_account (id, email, display_name, role, timezone, "
                    "show_jalali, digest_mode, digest_watchlist, digest_send_empty, is_active, "
                    "feed_token_hash, created_at, updated_at) VALUES (:id, :email, '', 'viewer', "
                    "'UTC', false, 'none', '{}', true, :active, :feed, :now, :now)"
                ),
                {
                    "id": uid,
                    "email": f"u{uid}@example.org",
                    "active": active,
                    "feed": f"{uid:064d}",
                    "now": now,
                },
            )
            connection.execute(
                text(
                    "INSERT INTO api_token (id, user_id, name, token_hash, prefix, created_at) "
                    "VALUES (:id, :id, '', :hash, 'tt_', :now)"
                ),
                {"id": uid, "hash": f"{uid:064x}", "now": now},
            )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        revoked = dict(connection.execute(text("SELECT user_id, revoked_at FROM api_token")).all())
        feeds = dict(connection.execute(text("SELECT id, feed_token_hash FROM user_account")).all())
        generations = connection.execute(text("SELECT session_generation FROM user_account"))
        assert {g for (g,) in generations} == {0}
    engine.dispose()
    assert revoked[1] is None and revoked[2] is not None
    assert feeds[1] is not None and feeds[2] is None


def test_rows_made_before_0002_and_0003_are_indexed_as_the_application_indexes_them(scratch_url):
    """0002 and 0003 fill search text, canonical URLs and MinHash bands with their own frozen
    copy of the folding: the result is what the application computes for the same text."""
    engine = make_engine(scratch_url)
    migrate.upgrade(engine, "0001")
    title, summary = (
        "پیمان مشارکت راهبردی جامع",
        "Договор о всеобъемлющем стратегическом партнёрстве",
    )
    body = "مجلس شورای اسلامي لايحه را تصويب كرد و آن را به شوراي نگهبان فرستاد ۱۴۰۳"
    url = "HTTPS://www.Example.org:443/news?id=7&utm_source=x#top"
    now = "2026-11-30 10:00:00"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO agreement (id, title, titles, kind, summary, version, created_at, "
                "updated_at) VALUES (1, :title, :titles, 'agreement', :summary, 1, :now, :now)"
            ),
            {"title": title, "titles": '{"ru": "Договор"}', "summary": summary, "now": now},
        )
        connection.execute(
            text(
                "INSERT INTO evidence_article (id, url, outlet, author, title, text, "
                "content_hash, version, created_at, updated_at) VALUES (1, :url, 'IRNA', '', "
                "'خبر', :body, :hash, 1, :now, :now)"
            ),
            {"url": url, "body": body, "hash": "0" * 64, "now": now},
        )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        agreement_text = connection.execute(text("SELECT search_text FROM agreement")).scalar()
        article = connection.execute(
            text("SELECT search_text, url_canonical, minhash FROM evidence_article")
        ).one()
        buckets = [
            b for (b,) in connection.execute(text("SELECT bucket FROM article_band ORDER BY band"))
        ]
    engine.dispose()
    sig = signature(shingles(normalise(body)))
    assert agreement_text == normalise(f"{title}\nДоговор\n{summary}")
    minhash = article.minhash if isinstance(article.minhash, list) else json.loads(article.minhash)
    assert (article.search_text, article.url_canonical, minhash) == (
        normalise(f"خبر\n{body}"),
        canonical_url(url),
        sig,
    )
    assert buckets == bands(sig)


NOW = "2026-12-01 10:00:00"


def _rows_before_0009(engine) -> None:  # type: ignore[no-untyped-def]
    """Two agreements with their parties, a claim, an article and a quote backing the claim,
    as the schema before 0009 holds them."""
    now = NOW
    with engine.begin() as connection:
        for code in ("RUS", "IRN", "KAZ"):
            connection.execute(
                text("INSERT INTO party (code, kind, names) VALUES (:code, 'state', '{}')"),
                {"code": code},
            )
        for aid, parties in ((1, ("RUS", "IRN")), (2, ("RUS", "IRN", "KAZ"))):
            connection.execute(
                text(
                    "INSERT INTO agreement (id, title, titles, kind, summary, version, "
                    "search_text, created_at, updated_at) VALUES (:id, 'Fisheries treaty', "
                    "'{}', 'treaty', '', 1, 'fisheries treaty', :now, :now)"
                ),
                {"id": aid, "now": now},
            )
            for position, code in enumerate(parties):
                connection.execute(
                    text(
                        "INSERT INTO agreement_party (agreement_id, party_code, position) "
                        "VALUES (:id, :code, :position)"
                    ),
                    {"id": aid, "code": code, "position": position},
                )
        connection.execute(
            text(
                "INSERT INTO stage_event (id, agreement_id, stage, step, party_code, body, place, "
                "status, preferred, note, version, created_at, updated_at) VALUES (1, 1, "
                "'ratification', 'notification', 'RUS', '', '', 'reported', false, '', 1, :now, "
                ":now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO evidence_article (id, url, outlet, author, title, text, "
                "content_hash, search_text, version, created_at, updated_at) VALUES (1, NULL, "
                "'TASS', '', 'Notes', 'Russia notified.', :hash, 'russia notified', 1, :now, "
                ":now)"
            ),
            {"hash": "1" * 64, "now": now},
        )
        connection.execute(
            text(
                "INSERT INTO evidence_link (id, article_id, event_id, quote, quote_start, "
                "quote_end, created_at) VALUES (1, 1, 1, 'Russia notified.', 0, 16, :now)"
            ),
            {"now": now},
        )


def test_0009_keeps_every_row_of_the_tables_it_copies_and_fills_what_it_adds(scratch_url):
    """0009 alters `agreement` and `stage_event`, which other tables refer to (SQLite copies
    them): parties, claims, evidence and the full-text index survive; `bilateral` is the old
    guess from the party count and every instrument recorded is a ratification's."""
    engine = make_engine(scratch_url)
    migrate.upgrade(engine, "0008")
    _rows_before_0009(engine)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        links = connection.execute(text("SELECT count(*) FROM agreement_party")).scalar()
        bilateral = dict(connection.execute(text("SELECT id, bilateral FROM agreement")).all())
        consent = connection.execute(text("SELECT consent_type FROM stage_event")).scalar()
        evidence = connection.execute(text("SELECT event_id FROM evidence_link")).scalar()
    engine.dispose()
    assert links == 5 and evidence == 1 and consent == "ratification"
    assert {k: bool(v) for k, v in bilateral.items()} == {1: True, 2: False}
    engine = make_engine(scratch_url)
    with Session(engine) as session:
        found = session.scalars(
            select(Agreement.id).where(fulltext.matches(session, "agreement", ["fisheries"]))
        ).all()
    engine.dispose()
    assert sorted(found) == [1, 2]


def test_0010_keeps_the_evidence_quotes_it_copies_and_its_downgrade_drops_only_its_own(
    scratch_url,
):
    """0010 copies `evidence_link` on SQLite (a column and a check added): every quote made
    before survives with its target; quotes may then back a relation, and going back to 0009
    drops those alone."""
    engine = make_engine(scratch_url)
    migrate.upgrade(engine, "0008")
    _rows_before_0009(engine)
    migrate.upgrade(engine, "0009")
    migrate.upgrade(engine)
    with engine.begin() as connection:
        kept = connection.execute(
            text(
                "SELECT id, article_id, event_id, quote, quote_start, quote_end FROM evidence_link"
            )
        ).all()
        assert [tuple(row) for row in kept] == [(1, 1, 1, "Russia notified.", 0, 16)]
        connection.execute(
            text(
                "INSERT INTO agreement_relation (id, subject_id, type, target_id, note, version, "
                "created_at, updated_at) VALUES (1, 2, 'supersedes', 1, '', 1, :now, :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO evidence_link (id, article_id, relation_id, quote, quote_start, "
                "quote_end, created_at) VALUES (2, 1, 1, 'Russia', 0, 6, :now)"
            ),
            {"now": NOW},
        )
    migrate.downgrade(engine, "0009")
    with engine.connect() as connection:
        left = connection.execute(text("SELECT id, event_id FROM evidence_link")).all()
    assert [tuple(row) for row in left] == [(1, 1)]
    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM evidence_link")).scalar() == 1
    engine.dispose()


def test_0011_shows_articles_stored_before_it_and_its_downgrade_drops_only_the_inbox(
    scratch_url,
):
    """0011 adds two article columns (SQLite keeps the table and its search triggers): an
    article stored before is neither hidden nor citing an outlet, and is still found by its
    words; going back to 0010 drops the feeds and inbox and keeps the article."""
    engine = make_engine(scratch_url)
    migrate.upgrade(engine, "0008")
    _rows_before_0009(engine)
    migrate.upgrade(engine, "0010")
    migrate.upgrade(engine)
    with engine.begin() as connection:
        row = connection.execute(
            text("SELECT hidden, cites_outlet FROM evidence_article WHERE id = 1")
        ).one()
        assert (bool(row.hidden), row.cites_outlet) == (False, None)
        connection.execute(
            text(
                "INSERT INTO news_feed (id, url, url_canonical, title, active, "
                "poll_every_minutes, consecutive_failures, version, created_at, updated_at) "
                "VALUES (1, 'https://example.org/rss', 'https://example.org/rss', 'Example', "
                ":yes, 60, 0, 1, :now, :now)"
            ),
            {"now": NOW, "yes": True},
        )
        connection.execute(
            text(
                "INSERT INTO inbox_item (id, state, article_id, feed_id, snippet, suggestions, "
                "version, created_at, updated_at) VALUES (1, 'new', 1, 1, 'Russia notified.', "
                "'[]', 1, :now, :now)"
            ),
            {"now": NOW},
        )
        with pytest.raises(IntegrityError):
            with connection.begin_nested():
                connection.execute(
                    text(
                        "INSERT INTO inbox_item (id, state, article_id, snippet, suggestions, "
                        "version, created_at, updated_at) VALUES (2, 'maybe', 1, '', '[]', 1, "
                        ":now, :now)"
                    ),
                    {"now": NOW},
                )
    with Session(engine) as session:
        found = session.scalars(
            select(EvidenceArticle.id).where(fulltext.matches(session, "article", ["notified"]))
        ).all()
        assert found == [1]
    migrate.downgrade(engine, "0010")
    assert not {"news_feed", "news_feed_entry", "inbox_item"} & _tables(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM evidence_article")).scalar() == 1
    migrate.upgrade(engine)
    # An article stored after the round trip is indexed for search as before.
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO evidence_article (id, outlet, author, title, text, content_hash, "
                "search_text, hidden, version, created_at, updated_at) VALUES (2, 'IRNA', '', "
                "'Later', 'Iran ratified.', 'h2', 'later iran ratified', :no, 1, :now, :now)"
            ),
            {"now": NOW, "no": False},
        )
    with Session(engine) as session:
        found = session.scalars(
            select(EvidenceArticle.id).where(fulltext.matches(session, "article", ["ratified"]))
        ).all()
        assert found == [2]
    engine.dispose()


def test_0012_fills_the_sort_keys_as_the_application_writes_them(scratch_url):
    """The sort keys 0012 adds are filled from the claims and the cache with the values the
    application writes (an agreement in force, one whose entry into force is expected by its
    rule, one announced, one without a claim): written by the service at head, then emptied
    by going back to 0011 and filled again by the migration."""
    engine = make_engine(scratch_url)
    migrate.upgrade(engine)
    with Session(engine) as session:
        load_seed(session)
        in_force = factories.agreement(session, title="Keys in force", parties=["RUS", "PRK"])
        factories.event(session, in_force.id, "signing", "2024-06-19")
        factories.event(session, in_force.id, "entry_into_force", "2024-12-04")
        expected = factories.agreement(
            session,
            title="Keys expected",
            entry_into_force_rule={"days_after_last_notification": 30},
        )
        factories.event(session, expected.id, "signing", "2025-01")
        for party, day in (("RUS", "2025-04-16"), ("IRN", "2025-06-02")):
            factories.event(
                session, expected.id, "ratification", day, step="notification", party=party
            )
        announced = factories.agreement(session, title="Keys announced")
        factories.event(session, announced.id, "announcement", "2025-09-01")
        bare = factories.agreement(session, title="Keys bare")
        session.commit()
        ids = [in_force.id, expected.id, announced.id, bare.id]
    keys = text(
        "SELECT agreement_id, stage_rank, signed_on, in_force_on FROM agreement_state"
        " WHERE agreement_id IN (:a, :b, :c, :d) ORDER BY agreement_id"
    )
    bound = dict(zip("abcd", ids, strict=True))
    with engine.connect() as connection:
        written = [tuple(r) for r in connection.execute(keys, bound)]
    assert [(r[1], str(r[2]), str(r[3])) for r in written] == [
        (5, "2024-06-19", "2024-12-04"),
        (4, "2025-01-01", "2025-07-02"),  # 30 days after the last notification
        (1, "None", "None"),
        (None, "None", "None"),
    ]
    migrate.downgrade(engine, "0011")
    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert [tuple(r) for r in connection.execute(keys, bound)] == written
    engine.dispose()
